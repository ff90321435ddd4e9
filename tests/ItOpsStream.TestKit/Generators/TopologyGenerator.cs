using System.Globalization;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.TestKit.Generators;

/// <summary>
/// Builds CMDB topologies of several real-world shapes, deterministically from
/// <see cref="TopologyOptions.Seed"/>. Every shape gets business services with criticality and
/// owners on top, a few random extra edges and, sometimes, a dependency cycle.
/// </summary>
public static partial class TopologyGenerator
{
    private const string RunsOn = "runs_on";
    private const string DependsOn = "depends_on";

    // Names as they appear in Online Boutique, Sock Shop, TrainTicket and DeathStarBench, so generated
    // topologies read like the estates the held-out suite uses.
    private static readonly string[] ServiceNames =
    [
        "cart", "checkout", "payment", "shipping", "email", "currency", "recommendation", "ad", "productcatalog",
        "user", "orders", "catalogue", "queue-master", "inventory", "review", "search", "auth", "notification",
        "media", "home-timeline", "user-timeline", "social-graph", "compose-post", "url-shorten", "text",
        "user-mention", "unique-id", "post-storage", "travel", "route", "station", "train", "seat", "price",
        "config", "ticketinfo", "basic", "preserve", "food", "consign", "contacts", "security", "assurance",
        "order-other", "rebook", "cancel", "execute", "admin-basic-info", "verification-code", "geo", "rate",
        "profile", "reservation", "session", "pricing", "tax", "ledger", "fraud", "loyalty", "coupon", "invoice",
    ];

    private static readonly string[] Teams =
    [
        "team-commerce", "team-payments", "team-identity", "team-search", "team-social", "team-travel",
        "team-data", "team-platform", "team-sre", "team-network", "team-storage", "team-growth",
    ];

    private static readonly string[] BusinessNames =
    [
        "Online Store", "Payments", "Customer Accounts", "Search", "Ticketing", "Social Feed", "Notifications",
        "Order Fulfilment", "Partner API", "Mobile App", "Loyalty", "Reporting",
    ];

    private static readonly string[] Zones = ["fra1", "fra2", "ams1", "dub1"];

    /// <summary>Generates the topology the options describe.</summary>
    public static GeneratedTopology Generate(TopologyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var b = new TopologyBuilder(new Random(options.Seed));
        var entries = options.Shape switch
        {
            TopologyShape.Mesh => BuildMesh(b, options.Services),
            TopologyShape.ThreeTier => BuildThreeTier(b, options.Services),
            TopologyShape.Kubernetes => BuildKubernetes(b, options.Services),
            TopologyShape.DeepChain => BuildDeepChain(b, options.Services),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Shape, "unknown shape"),
        };
        AddExtraEdges(b, options);
        AddBusinessServices(b, entries);
        return b.Build(options);
    }

    /// <summary>Business services on top: each depends on one or two entry points (edge services, VIPs, ingress).</summary>
    private static void AddBusinessServices(TopologyBuilder b, IReadOnlyList<string> entries)
    {
        int count = Math.Clamp(entries.Count, 1, 2 + (entries.Count / 4));
        var names = BusinessNames.OrderBy(_ => b.Random.Next()).Take(count).ToList();
        for (int i = 0; i < names.Count; i++)
        {
            // The first is the revenue-critical service every estate has; the rest vary.
            var criticality = i == 0 ? (b.Chance(0.5) ? Criticality.Critical : Criticality.High) : (Criticality)b.Pick(new[] { 3, 2, 2, 1, 1, 0 });
            string id = b.Add("bs:" + Slug(names[i]), "business_service", CiRole.BusinessService, names[i], criticality, b.Pick(Teams));
            // Spread entries over business services so each entry is covered, plus an occasional overlap.
            for (int e = i; e < entries.Count; e += count)
            {
                b.Relate(id, entries[e], DependsOn, 0.6);
            }

            if (entries.Count > 1 && b.Chance(0.4))
            {
                b.Relate(id, b.Pick(entries), DependsOn, 0.6);
            }
        }
    }

    /// <summary>Random service-to-service edges (soft calls), and sometimes a back edge that closes a cycle.</summary>
    private static void AddExtraEdges(TopologyBuilder b, TopologyOptions options)
    {
        var services = b.Cis.Where(c => b.RoleOf(c.Id) == CiRole.Service).Select(c => c.Id).ToList();
        int extra = (int)Math.Round(services.Count * options.ExtraEdgeRate);
        for (int i = 0; i < extra; i++)
        {
            string from = b.Pick(services), to = b.Pick(services);
            if (!b.HasEdge(to, from))
            {
                b.Relate(from, to, DependsOn, 0.3);
            }
        }

        if (b.Chance(options.CycleProbability))
        {
            var serviceEdges = b.Relations.Where(r => b.RoleOf(r.From) == CiRole.Service && b.RoleOf(r.To) == CiRole.Service).ToList();
            int cycles = b.Between(1, 2);
            for (int i = 0; i < cycles && serviceEdges.Count > 0; i++)
            {
                var edge = b.Pick(serviceEdges);
                // A callback: the callee calls its caller back (webhooks, sagas); soft, as in reality.
                b.Relate(edge.To, edge.From, DependsOn, 0.25);
            }
        }
    }

    private static Dictionary<string, string> Attrs(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private static string Num(int n) => n.ToString("D2", CultureInfo.InvariantCulture);

    private static string Slug(string name) => name.ToLowerInvariant().Replace(' ', '-');

    /// <summary>Picks a callee with probability growing with its in-degree: real call graphs have hubs (user, catalogue, auth).</summary>
    private static string PreferentialPick(TopologyBuilder b, IReadOnlyList<string> candidates, Dictionary<string, int> inDegree)
    {
        double total = 0;
        foreach (var c in candidates)
        {
            total += 1 + inDegree.GetValueOrDefault(c);
        }

        double x = b.Random.NextDouble() * total;
        foreach (var c in candidates)
        {
            x -= 1 + inDegree.GetValueOrDefault(c);
            if (x <= 0)
            {
                return c;
            }
        }

        return candidates[^1];
    }
}
