using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Bench.Cmdb;

/// <summary>
/// A deterministic CMDB shaped like an enterprise one: a few business services on top, services and
/// databases in the middle, pods on hosts at the bottom, about three relations per CI, attributes on
/// hosts and pods. Only sizes matter to the benchmarks that use it.
/// </summary>
internal static class CmdbTopologyGenerator
{
    public static TopologyDocument Generate(int cis, int relations, int seed = 42)
    {
        var random = new Random(seed);
        int businessServices = Math.Max(1, cis / 100);
        int services = cis / 10;
        int databases = cis / 20;
        int hosts = cis / 5;
        int pods = cis - businessServices - services - databases - hosts;
        var records = new List<CiRecord>(cis);
        var ids = new string[cis];
        int n = 0;
        Add("bs", businessServices, i => new CiRecord($"bs:{i}", CiRecord.BusinessServiceClass, $"Business service {i}", (Criticality)(i % 4), $"team-{i % 200}"));
        Add("svc", services, i => new CiRecord($"svc:{i}", "service", $"service-{i}", Owner: $"team-{i % 200}"));
        Add("db", databases, i => new CiRecord($"db:{i}", "database", $"db-{i}", Owner: $"team-{i % 200}"));
        Add("host", hosts, i => new CiRecord($"host:{i}", "host", $"node-{i}", Attributes: new Dictionary<string, string> { ["dc"] = $"dc{i % 8}", ["rack"] = $"r{i % 500}" }));
        Add("pod", pods, i => new CiRecord($"pod:{i}", "pod", $"pod-{i}", Attributes: new Dictionary<string, string> { ["namespace"] = $"ns-{i % 300}" }));

        int bsEnd = businessServices;
        int svcEnd = bsEnd + services;
        int dbEnd = svcEnd + databases;
        int hostEnd = dbEnd + hosts;
        var list = new List<RelationRecord>(relations);
        var seen = new HashSet<(int, int)>(relations);
        while (list.Count < relations)
        {
            int from = random.Next(cis);
            int to = from switch
            {
                _ when from < bsEnd => random.Next(bsEnd, svcEnd),              // business service → service
                _ when from < svcEnd => random.Next(bsEnd, dbEnd),              // service → service or database
                _ when from < dbEnd => random.Next(dbEnd, hostEnd),             // database → host
                _ when from < hostEnd => random.Next(4) == 0 ? random.Next(dbEnd, hostEnd) : -1, // host → host (storage, network) now and then
                _ => random.Next(dbEnd, hostEnd),                               // pod → host
            };
            if (to < 0 || to == from || !seen.Add((from, to)))
            {
                continue;
            }

            string type = from >= hostEnd || (from >= svcEnd && from < dbEnd) ? "runs_on" : "depends_on";
            list.Add(new RelationRecord(ids[from], ids[to], type));
        }

        return new TopologyDocument(records, list);

        void Add(string kind, int count, Func<int, CiRecord> create)
        {
            for (int i = 0; i < count; i++)
            {
                var ci = create(i);
                ids[n++] = ci.Id;
                records.Add(ci);
            }
        }
    }
}
