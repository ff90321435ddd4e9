using ItOpsStream.Engine.Topology;

namespace ItOpsStream.TestKit.Generators;

public static partial class TopologyGenerator
{
    /// <summary>
    /// A microservice call graph: one or two edge services, tiers of services calling deeper tiers
    /// with preferential attachment, a private database and/or cache per service as in DeathStarBench,
    /// shared databases, a shared cache and a message queue as in Sock Shop, all on a pool of hosts.
    /// </summary>
    private static List<string> BuildMesh(TopologyBuilder b, int serviceCount)
    {
        int edgeCount = serviceCount >= 20 ? 2 : 1;
        int tiers = Math.Clamp(2 + (serviceCount / 15), 3, 6);
        var tierOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var byTier = Enumerable.Range(0, tiers).Select(_ => new List<string>()).ToArray();
        string[] edgeNames = ["frontend", "api-gateway", "nginx-web", "mobile-bff"];
        for (int i = 0; i < serviceCount; i++)
        {
            bool edge = i < edgeCount;
            string name = edge ? edgeNames[i] : b.UniqueName(ServiceNames);
            // Deeper tiers hold more services, as in real call graphs (Alibaba traces: wide at the bottom).
            int tier = edge ? 0 : 1 + Math.Min(tiers - 2, (int)Math.Floor(Math.Sqrt(b.Random.NextDouble()) * (tiers - 1)));
            string id = b.Add("svc:" + name, "service", CiRole.Service, name, Criticality.Medium, b.Pick(Teams),
                Attrs(("tier", tier == 0 ? "edge" : "backend"), ("language", b.Pick(new[] { "go", "java", "node", "python", "csharp", "cpp" })), ("version", $"v1.{b.Between(0, 30)}.{b.Between(0, 9)}")));
            tierOf[id] = tier;
            byTier[tier].Add(id);
        }

        // Empty tiers would leave callers without callees; pull one service down when that happens.
        for (int t = 1; t < tiers; t++)
        {
            if (byTier[t].Count == 0)
            {
                int donor = Array.FindIndex(byTier, l => l.Count > 1 && !ReferenceEquals(l, byTier[0]));
                if (donor < 0)
                {
                    break;
                }

                var moved = byTier[donor][^1];
                byTier[donor].RemoveAt(byTier[donor].Count - 1);
                byTier[t].Add(moved);
                tierOf[moved] = t;
            }
        }

        var inDegree = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int t = 0; t < tiers - 1; t++)
        {
            var deeper = byTier.Skip(t + 1).SelectMany(x => x).ToList();
            if (deeper.Count == 0)
            {
                break;
            }

            foreach (var caller in byTier[t])
            {
                int calls = t == 0 ? Math.Min(deeper.Count, b.Between(3, 7)) : Math.Min(deeper.Count, b.Between(1, 4));
                for (int c = 0; c < calls; c++)
                {
                    // Most calls go one tier down; some skip tiers.
                    var pool = b.Chance(0.7) && byTier[t + 1].Count > 0 ? byTier[t + 1] : deeper;
                    string callee = PreferentialPick(b, pool, inDegree);
                    if (!b.HasEdge(caller, callee))
                    {
                        // Optional calls (ads, recommendations) degrade gracefully; most are hard.
                        b.Relate(caller, callee, DependsOn, b.Chance(0.25) ? 0.3 : 0.8);
                        inDegree[callee] = inDegree.GetValueOrDefault(callee) + 1;
                    }
                }
            }
        }

        // Every non-edge service must be called by someone, or it is an island no fault reaches.
        foreach (var svc in byTier.Skip(1).SelectMany(x => x))
        {
            if (!inDegree.ContainsKey(svc))
            {
                var callers = byTier.Take(tierOf[svc]).SelectMany(x => x).ToList();
                b.Relate(b.Pick(callers), svc, DependsOn, 0.8);
                inDegree[svc] = 1;
            }
        }

        var services = byTier.SelectMany(x => x).ToList();
        var infra = new List<string>();
        string[] dbEngines = ["mongodb", "postgres", "mysql"];
        foreach (var svc in services.Where(s => tierOf[s] > 0))
        {
            string name = b.NameOf(svc);
            if (b.Chance(0.55))
            {
                string engine = b.Pick(dbEngines);
                infra.Add(b.Add($"db:{name}-{engine}", "database", CiRole.Database, $"{name}-{engine}", Criticality.Medium, "team-data", Attrs(("engine", engine))));
                b.Relate(svc, infra[^1], DependsOn, 0.9);
            }

            if (b.Chance(0.3))
            {
                string engine = b.Chance(0.5) ? "redis" : "memcached";
                infra.Add(b.Add($"cache:{name}-{engine}", "cache", CiRole.Cache, $"{name}-{engine}", Criticality.Medium, "team-data", Attrs(("engine", engine))));
                b.Relate(svc, infra[^1], DependsOn, 0.6);
            }
        }

        var backends = services.Where(s => tierOf[s] > 0).ToList();
        int sharedDbs = 1 + (serviceCount / 25);
        for (int i = 0; i < sharedDbs; i++)
        {
            string engine = b.Pick(dbEngines);
            infra.Add(b.Add($"db:shared-{engine}-{Num(i + 1)}", "database", CiRole.Database, $"shared-{engine}-{Num(i + 1)}", Criticality.High, "team-data", Attrs(("engine", engine), ("cluster", "shared"))));
            foreach (var user in backends.OrderBy(_ => b.Random.Next()).Take(b.Between(2, Math.Min(5, backends.Count))))
            {
                b.Relate(user, infra[^1], DependsOn, 0.9);
            }
        }

        infra.Add(b.Add("cache:shared-redis", "cache", CiRole.Cache, "shared-redis", Criticality.High, "team-platform", Attrs(("engine", "redis"))));
        foreach (var user in services.OrderBy(_ => b.Random.Next()).Take(b.Between(2, Math.Min(6, services.Count))))
        {
            b.Relate(user, infra[^1], DependsOn, 0.5);
        }

        string broker = b.Chance(0.5) ? "rabbitmq" : "kafka";
        infra.Add(b.Add($"queue:{broker}", "queue", CiRole.Queue, broker, Criticality.High, "team-platform", Attrs(("engine", broker))));
        foreach (var user in backends.OrderBy(_ => b.Random.Next()).Take(b.Between(2, Math.Min(5, backends.Count))))
        {
            b.Relate(user, infra[^1], DependsOn, 0.7);
        }

        // Hosts: services and datastores share a pool of VMs, several workloads per host.
        int hostCount = Math.Max(3, (services.Count + infra.Count) / 4);
        var hosts = new List<string>();
        for (int i = 0; i < hostCount; i++)
        {
            hosts.Add(b.Add($"host:node-{Num(i + 1)}", "host", CiRole.Host, $"node-{Num(i + 1)}", Criticality.Medium, "team-sre", Attrs(("dc", Zones[i % Zones.Length]), ("os", "linux"))));
        }

        foreach (var workload in services.Concat(infra))
        {
            b.Relate(workload, b.Pick(hosts), RunsOn, 0.95);
        }

        return byTier[0].Concat(byTier[1].Take(Math.Max(0, (serviceCount / 10) - 1))).ToList();
    }
}
