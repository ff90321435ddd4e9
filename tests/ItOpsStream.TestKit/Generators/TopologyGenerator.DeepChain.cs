using ItOpsStream.Engine.Topology;

namespace ItOpsStream.TestKit.Generators;

public static partial class TopologyGenerator
{
    /// <summary>
    /// Long request chains (edge proxy -> gateway -> BFF -> ... -> ledger -> database), 7 to 16 hops,
    /// with side branches hanging off the chain and a datastore at the bottom; chains share their
    /// bottom database when there are several. Couplings are hard, so failures climb the whole chain.
    /// </summary>
    private static List<string> BuildDeepChain(TopologyBuilder b, int serviceCount)
    {
        int chains = Math.Max(1, serviceCount / 14);
        string[] hops = ["edge-proxy", "api-gateway", "bff", "orders", "pricing", "tax", "inventory", "ledger", "settlement", "clearing", "risk", "fraud", "accounting", "archive", "audit", "vault"];
        int hostCount = Math.Max(3, serviceCount / 4);
        var hosts = new List<string>();
        for (int i = 0; i < hostCount; i++)
        {
            hosts.Add(b.Add($"host:vm-{Num(i + 1)}", "host", CiRole.Host, $"vm-{Num(i + 1)}", Criticality.Medium, "team-sre", Attrs(("dc", Zones[i % 2]))));
        }

        string sharedDb = b.Add("db:core-ledger-db", "database", CiRole.Database, "core-ledger-db", Criticality.Critical, "team-data", Attrs(("engine", "postgres")));
        b.Relate(sharedDb, b.Pick(hosts), RunsOn, 0.95);
        var entries = new List<string>();
        int made = 0;
        for (int c = 0; c < chains; c++)
        {
            int budget = c == chains - 1 ? serviceCount - made : serviceCount / chains;
            int length = Math.Clamp((budget * 2) / 3, 7, hops.Length);
            string owner = b.Pick(Teams);
            var chain = new List<string>();
            for (int h = 0; h < length; h++)
            {
                string name = chains == 1 ? hops[h] : $"{hops[h]}-{c + 1}";
                chain.Add(b.Add($"svc:{name}", "service", CiRole.Service, name, Criticality.Medium, owner, Attrs(("chain", $"c{c + 1}"), ("hop", $"{h}"))));
                b.Relate(chain[^1], b.Pick(hosts), RunsOn, 0.95);
                if (h > 0)
                {
                    b.Relate(chain[h - 1], chain[h], DependsOn, 0.92);
                }
            }

            made += length;
            // Side branches: leaf helpers called from the chain (soft) and small consumers of it.
            for (int s = length; s < budget; s++)
            {
                string name = b.UniqueName(ServiceNames);
                string side = b.Add($"svc:{name}", "service", CiRole.Service, name, Criticality.Low, owner, Attrs(("chain", $"c{c + 1}"), ("hop", "side")));
                b.Relate(side, b.Pick(hosts), RunsOn, 0.95);
                string at = chain[b.Random.Next(1, chain.Count)];
                if (b.Chance(0.5))
                {
                    b.Relate(at, side, DependsOn, 0.4);
                }
                else
                {
                    b.Relate(side, at, DependsOn, 0.8);
                }

                made++;
            }

            string db = chains > 1 && b.Chance(0.5) ? sharedDb : b.Add($"db:{b.NameOf(chain[^1])}-db", "database", CiRole.Database, null, Criticality.High, "team-data", Attrs(("engine", b.Pick(new[] { "postgres", "oracle" }))));
            if (!ReferenceEquals(db, sharedDb))
            {
                b.Relate(db, b.Pick(hosts), RunsOn, 0.95);
            }

            b.Relate(chain[^1], db, DependsOn, 0.95);
            entries.Add(chain[0]);
        }

        if (!b.Relations.Any(r => r.To == sharedDb && b.RoleOf(r.From) == CiRole.Service))
        {
            // Nobody uses the shared database: hang it under the first chain's bottom as its archive.
            var bottom = b.Relations.First(r => b.RoleOf(r.From) == CiRole.Service && b.RoleOf(r.To) == CiRole.Database).From;
            b.Relate(bottom, sharedDb, DependsOn, 0.6);
        }

        return entries;
    }
}
