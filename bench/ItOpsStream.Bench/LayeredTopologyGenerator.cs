using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Bench;

/// <summary>
/// A seeded, layered CMDB for scale benchmarks: business services → services → databases/caches → hosts,
/// with service-to-service calls mostly inside an application (some backwards, so cycles exist), some to a
/// shared platform tier (auth, logging…: the hubs with many dependents), and a few across applications.
/// Proportions are fixed; the sizes are parameters.
/// </summary>
internal static class LayeredTopologyGenerator
{
    private const int ServicesPerApp = 50;

    public static TopologyDocument Generate(int ciCount, int relationCount, int seed = 7)
    {
        var random = new Random(seed);
        var businessCount = Math.Max(1, ciCount / 500);
        var serviceCount = ciCount * 7 / 10;
        var databaseCount = ciCount / 20;
        var cacheCount = ciCount * 3 / 100;
        var hostCount = ciCount - businessCount - serviceCount - databaseCount - cacheCount;
        var platformCount = Math.Max(1, serviceCount / 700);
        var appCount = Math.Max(1, serviceCount / ServicesPerApp);
        var owners = Enumerable.Range(0, 200).Select(i => $"team-{i}").ToArray();

        var cis = new List<CiRecord>(ciCount);
        var business = Add(cis, businessCount, "bs:", CiRecord.BusinessServiceClass, "Business service ", owners, random, Criticality.High);
        var services = Add(cis, serviceCount, "svc:", "service", "service-", owners, random, Criticality.Medium);
        var databases = Add(cis, databaseCount, "db:", "database", "database-", owners, random, Criticality.Medium);
        var caches = Add(cis, cacheCount, "cache:", "cache", "cache-", owners, random, Criticality.Low);
        var hosts = Add(cis, hostCount, "host:", "host", "node-", owners, random, Criticality.Medium);

        var relations = new List<RelationRecord>(relationCount);
        foreach (var service in services)
        {
            relations.Add(new RelationRecord(service, hosts[random.Next(hosts.Length)], "runs_on"));
        }

        foreach (var store in databases.Concat(caches))
        {
            relations.Add(new RelationRecord(store, hosts[random.Next(hosts.Length)], "hosted_on"));
        }

        // Each business service fronts a few applications through their entry services (the first of each app).
        var appsPerBusiness = Math.Max(1, appCount / businessCount);
        for (var b = 0; b < business.Length; b++)
        {
            for (var k = 0; k < appsPerBusiness; k++)
            {
                var app = ((b * appsPerBusiness) + k) % appCount;
                for (var entry = 0; entry < 3; entry++)
                {
                    relations.Add(new RelationRecord(business[b], services[Math.Min(serviceCount - 1, (app * ServicesPerApp) + entry)], "depends_on"));
                }
            }
        }

        // Each application's services use its own stores.
        var storesPerApp = Math.Max(1, (databaseCount + cacheCount) / appCount);
        for (var s = platformCount; s < serviceCount; s++)
        {
            var app = s / ServicesPerApp;
            var store = ((app * storesPerApp) + random.Next(storesPerApp)) % (databaseCount + cacheCount);
            relations.Add(new RelationRecord(services[s], store < databaseCount ? databases[store] : caches[store - databaseCount], "depends_on"));
        }

        // Calls fill the rest: 80% down the app's own chain, 5% back up it (cycles), 14.5% to the platform,
        // 0.5% to any service (enough to link apps, too few to melt the whole mesh into one cycle).
        var calls = new HashSet<long>();
        while (relations.Count < relationCount)
        {
            var s = random.Next(platformCount, serviceCount);
            var appStart = s / ServicesPerApp * ServicesPerApp;
            var appEnd = Math.Min(serviceCount, appStart + ServicesPerApp);
            var roll = random.Next(1000);
            var target = roll switch
            {
                < 800 when s + 1 < appEnd => random.Next(s + 1, appEnd),
                < 850 when s > appStart => random.Next(appStart, s),
                < 995 => random.Next(platformCount),
                _ => random.Next(serviceCount),
            };
            if (target != s && calls.Add(((long)s * serviceCount) + target))
            {
                relations.Add(new RelationRecord(services[s], services[target], "depends_on"));
            }
        }

        return new TopologyDocument(cis, relations);
    }

    private static string[] Add(
        List<CiRecord> cis, int count, string prefix, string cls, string namePrefix, string[] owners, Random random, Criticality criticality)
    {
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var name = namePrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            cis.Add(new CiRecord(ids[i], cls, name, criticality, owners[random.Next(owners.Length)]));
        }

        return ids;
    }
}
