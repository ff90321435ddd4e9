using ItOpsStream.Engine.Topology;

namespace ItOpsStream.TestKit.Generators;

/// <summary>
/// The call graphs of well-known public microservice demos, written from their published
/// architectures (Google's Online Boutique, Weaveworks' Sock Shop, DeathStarBench's social network),
/// deployed as pods on a few Kubernetes nodes with a business service on top. They are small and
/// dense, like the estates the held-out suite uses, and are kept out of the generated suite's
/// figures: they show whether quality measured on generated shapes carries over.
/// </summary>
public static class ReferenceTopologies
{
    public static IReadOnlyList<string> Names { get; } = ["online-boutique", "sock-shop", "social-network"];

    /// <summary>Builds the named application; <paramref name="seed"/> only decides pod placement and replica counts.</summary>
    public static GeneratedTopology Build(string name, int seed)
    {
        var (business, calls, stores) = name switch
        {
            "online-boutique" => OnlineBoutique(),
            "sock-shop" => SockShop(),
            "social-network" => SocialNetwork(),
            _ => throw new ArgumentException($"unknown reference topology '{name}' ({string.Join(", ", Names)})", nameof(name)),
        };
        var b = new TopologyBuilder(new Random(seed));
        int nodes = 4;
        for (int i = 1; i <= nodes; i++)
        {
            b.Add($"node:{name}-node-{i}", "k8s_node", CiRole.Node, null, Criticality.Medium, "team-platform");
        }

        var services = calls.SelectMany(c => new[] { c.From, c.To }).Concat(stores.Select(s => s.User)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var svc in services)
        {
            b.Add("svc:" + svc, "service", CiRole.Service, svc, Criticality.Medium, "team-" + name);
        }

        foreach (var (store, _, role) in stores.DistinctBy(s => s.Store))
        {
            b.Add(StoreId(store, role), role switch { CiRole.Cache => "cache", CiRole.Queue => "queue", _ => "database" }, role, store, Criticality.High, "team-data");
        }

        foreach (var (from, to, hard) in calls)
        {
            b.Relate("svc:" + from, "svc:" + to, "depends_on", hard ? 0.8 : 0.3);
        }

        foreach (var (store, user, role) in stores)
        {
            b.Relate("svc:" + user, StoreId(store, role), "depends_on", role == CiRole.Cache ? 0.6 : 0.9);
        }

        // Each workload runs as 1-2 pods on distinct nodes.
        foreach (var workload in services.Select(s => "svc:" + s).Concat(stores.DistinctBy(s => s.Store).Select(s => StoreId(s.Store, s.Role))))
        {
            bool stateful = !workload.StartsWith("svc:", StringComparison.Ordinal);
            int replicas = stateful ? 1 : b.Between(1, 2);
            int first = b.Random.Next(nodes);
            for (int r = 0; r < replicas; r++)
            {
                string pod = b.Add($"pod:{workload[(workload.IndexOf(':', StringComparison.Ordinal) + 1)..]}-{r}", "pod", CiRole.Pod, null, Criticality.Low, "team-" + name);
                b.Relate(workload, pod, "depends_on", replicas == 1 ? 0.85 : 0.25);
                b.Relate(pod, $"node:{name}-node-{((first + r) % nodes) + 1}", "runs_on", 0.95);
            }
        }

        string bs = b.Add("bs:" + name, "business_service", CiRole.BusinessService, name, Criticality.Critical, "team-" + name);
        b.Relate(bs, "svc:" + business, "depends_on", 0.6);
        return b.Build(new TopologyOptions { Shape = TopologyShape.Kubernetes, Services = services.Count, Seed = seed }, name);
    }

    private static string StoreId(string store, CiRole role) => (role switch { CiRole.Cache => "cache:", CiRole.Queue => "queue:", _ => "db:" }) + store;

    private static (string Entry, (string From, string To, bool Hard)[] Calls, (string Store, string User, CiRole Role)[] Stores) OnlineBoutique() => (
        "frontend",
        [
            ("frontend", "ad", false), ("frontend", "recommendation", false), ("frontend", "productcatalog", true), ("frontend", "cart", true),
            ("frontend", "shipping", true), ("frontend", "currency", true), ("frontend", "checkout", true),
            ("checkout", "productcatalog", true), ("checkout", "cart", true), ("checkout", "shipping", true), ("checkout", "currency", true),
            ("checkout", "payment", true), ("checkout", "email", false), ("recommendation", "productcatalog", true),
        ],
        [("redis-cart", "cart", CiRole.Cache)]);

    private static (string Entry, (string From, string To, bool Hard)[] Calls, (string Store, string User, CiRole Role)[] Stores) SockShop() => (
        "front-end",
        [
            ("front-end", "catalogue", true), ("front-end", "carts", true), ("front-end", "orders", true), ("front-end", "user", true),
            ("orders", "carts", true), ("orders", "user", true), ("orders", "payment", true), ("orders", "shipping", true),
        ],
        [
            ("catalogue-db", "catalogue", CiRole.Database), ("carts-db", "carts", CiRole.Database), ("orders-db", "orders", CiRole.Database),
            ("user-db", "user", CiRole.Database), ("rabbitmq", "shipping", CiRole.Queue), ("rabbitmq", "queue-master", CiRole.Queue),
        ]);

    private static (string Entry, (string From, string To, bool Hard)[] Calls, (string Store, string User, CiRole Role)[] Stores) SocialNetwork() => (
        "nginx-web-server",
        [
            ("nginx-web-server", "compose-post", true), ("nginx-web-server", "home-timeline", true), ("nginx-web-server", "user-timeline", true),
            ("nginx-web-server", "user", true), ("nginx-web-server", "social-graph", true), ("nginx-web-server", "media", false),
            ("compose-post", "text", true), ("compose-post", "media", false), ("compose-post", "unique-id", true), ("compose-post", "user", true),
            ("compose-post", "post-storage", true), ("compose-post", "user-timeline", true), ("compose-post", "home-timeline", true),
            ("text", "url-shorten", true), ("text", "user-mention", true),
            ("home-timeline", "post-storage", true), ("home-timeline", "social-graph", true), ("user-timeline", "post-storage", true),
            ("social-graph", "user", true),
        ],
        [
            ("url-shorten-memcached", "url-shorten", CiRole.Cache), ("url-shorten-mongodb", "url-shorten", CiRole.Database),
            ("user-memcached", "user-mention", CiRole.Cache), ("user-mongodb", "user-mention", CiRole.Database),
            ("user-memcached", "user", CiRole.Cache), ("user-mongodb", "user", CiRole.Database),
            ("post-storage-memcached", "post-storage", CiRole.Cache), ("post-storage-mongodb", "post-storage", CiRole.Database),
            ("user-timeline-redis", "user-timeline", CiRole.Cache), ("user-timeline-mongodb", "user-timeline", CiRole.Database),
            ("home-timeline-redis", "home-timeline", CiRole.Cache),
            ("social-graph-redis", "social-graph", CiRole.Cache), ("social-graph-mongodb", "social-graph", CiRole.Database),
            ("media-memcached", "media", CiRole.Cache), ("media-mongodb", "media", CiRole.Database),
        ]);
}
