using ItOpsStream.Engine.Topology;

namespace ItOpsStream.TestKit.Generators;

public static partial class TopologyGenerator
{
    /// <summary>
    /// Classic enterprise applications: per app a load-balancer VIP, web servers, app servers and a
    /// database (some on a shared database cluster), all on shared hosts that sit in racks behind
    /// top-of-rack switches and mount a shared SAN; apps call each other's app tier now and then.
    /// </summary>
    private static List<string> BuildThreeTier(TopologyBuilder b, int serviceCount)
    {
        int apps = Math.Max(2, serviceCount / 3);
        int racks = Math.Max(1, apps / 4);
        var switches = new List<string>();
        for (int r = 0; r < racks; r++)
        {
            switches.Add(b.Add($"net:tor-switch-{Num(r + 1)}", "network_switch", CiRole.Network, $"tor-switch-{Num(r + 1)}", Criticality.High, "team-network", Attrs(("rack", $"r{r + 1}"))));
        }

        string san = b.Add("storage:san-01", "storage_array", CiRole.Storage, "san-01", Criticality.Critical, "team-storage");
        string lbDevice = b.Add("lb:f5-01", "load_balancer", CiRole.LoadBalancer, "f5-01", Criticality.High, "team-network");
        int hostCount = Math.Max(3, apps * 5 / 3);
        var hosts = new List<string>();
        for (int i = 0; i < hostCount; i++)
        {
            int rack = i % racks;
            hosts.Add(b.Add($"host:srv-{Num(i + 1)}", "host", CiRole.Host, $"srv-{Num(i + 1)}", Criticality.Medium, "team-sre", Attrs(("dc", Zones[rack % 2]), ("rack", $"r{rack + 1}"), ("os", b.Chance(0.7) ? "linux" : "windows"))));
            b.Relate(hosts[^1], switches[rack], DependsOn, 0.95);
            // Storage trouble shows up as slow I/O long before hosts go down: a soft coupling.
            b.Relate(hosts[^1], san, DependsOn, 0.35);
        }

        var sharedDbs = new List<string>();
        for (int i = 0; i < Math.Max(1, apps / 5); i++)
        {
            string engine = b.Pick(new[] { "oracle", "mssql", "postgres" });
            sharedDbs.Add(b.Add($"db:{engine}-cluster-{Num(i + 1)}", "database", CiRole.Database, $"{engine}-cluster-{Num(i + 1)}", Criticality.High, "team-data", Attrs(("engine", engine), ("cluster", "shared"))));
            b.Relate(sharedDbs[^1], b.Pick(hosts), RunsOn, 0.95);
        }

        var entries = new List<string>();
        var appTiers = new List<string>();
        // Apps until the requested number of web and app servers exists.
        for (int made = 0; made < serviceCount;)
        {
            string app = b.UniqueName(ServiceNames);
            string owner = b.Pick(Teams);
            string vip = b.Add($"vip:{app}", "load_balancer_vip", CiRole.LoadBalancer, $"{app}-vip", Criticality.Medium, "team-network");
            b.Relate(vip, lbDevice, RunsOn, 0.95);
            entries.Add(vip);
            var webs = new List<string>();
            int webCount = b.Between(1, 2), appCount = b.Between(1, 2);
            for (int w = 0; w < webCount; w++)
            {
                webs.Add(b.Add($"svc:{app}-web-{w + 1}", "web_server", CiRole.Service, $"{app}-web-{w + 1}", Criticality.Medium, owner, Attrs(("tier", "web"), ("software", b.Chance(0.5) ? "nginx" : "apache"))));
                b.Relate(vip, webs[^1], DependsOn, webs.Count == 1 ? 0.8 : 0.5);
                b.Relate(webs[^1], b.Pick(hosts), RunsOn, 0.95);
            }

            var appServers = new List<string>();
            for (int s = 0; s < appCount; s++)
            {
                appServers.Add(b.Add($"svc:{app}-app-{s + 1}", "app_server", CiRole.Service, $"{app}-app-{s + 1}", Criticality.Medium, owner, Attrs(("tier", "app"), ("software", b.Pick(new[] { "tomcat", "jboss", "iis", "gunicorn" })))));
                b.Relate(appServers[^1], b.Pick(hosts), RunsOn, 0.95);
                foreach (var web in webs)
                {
                    b.Relate(web, appServers[^1], DependsOn, 0.85);
                }
            }

            appTiers.AddRange(appServers);
            made += webs.Count + appServers.Count;
            string db;
            if (sharedDbs.Count > 0 && b.Chance(0.35))
            {
                db = b.Pick(sharedDbs);
            }
            else
            {
                db = b.Add($"db:{app}-db", "database", CiRole.Database, $"{app}-db", Criticality.Medium, "team-data", Attrs(("engine", b.Pick(new[] { "postgres", "mysql", "oracle" }))));
                b.Relate(db, b.Pick(hosts), RunsOn, 0.95);
            }

            foreach (var s in appServers)
            {
                b.Relate(s, db, DependsOn, 0.9);
            }
        }

        // Integration calls between applications' app tiers.
        for (int i = 0; i < apps / 2; i++)
        {
            b.Relate(b.Pick(appTiers), b.Pick(appTiers), DependsOn, 0.4);
        }

        return entries;
    }
}
