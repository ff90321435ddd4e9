namespace ItOpsStream.TestKit.Generators;

/// <summary>The kinds of topology the generator builds; each mirrors a family of real estates.</summary>
public enum TopologyShape
{
    /// <summary>Microservice call graph (Online Boutique, Sock Shop, TrainTicket, DeathStarBench social network): an edge service fanning out over tiers, per-service and shared datastores, caches and queues, services on hosts.</summary>
    Mesh,

    /// <summary>Classic web -> app -> db applications on shared hosts, racks behind switches, a shared SAN and load-balancer VIPs.</summary>
    ThreeTier,

    /// <summary>A Kubernetes-like cluster: nodes, pods running on nodes, services over pods and services, shared platform CIs (DNS, ingress, storage).</summary>
    Kubernetes,

    /// <summary>Long request chains (more than 6 hops) with side branches, ending in a datastore.</summary>
    DeepChain,
}

/// <summary>Wire names of the shapes, as used in scenario names and the truth file.</summary>
public static class TopologyShapeNames
{
    public static string ToWire(this TopologyShape shape) => shape switch
    {
        TopologyShape.Mesh => "mesh",
        TopologyShape.ThreeTier => "three-tier",
        TopologyShape.Kubernetes => "kubernetes",
        TopologyShape.DeepChain => "deep-chain",
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "unknown topology shape"),
    };

    public static TopologyShape Parse(string wire) => wire switch
    {
        "mesh" => TopologyShape.Mesh,
        "three-tier" => TopologyShape.ThreeTier,
        "kubernetes" => TopologyShape.Kubernetes,
        "deep-chain" => TopologyShape.DeepChain,
        _ => throw new FormatException($"unknown topology shape '{wire}' (mesh, three-tier, kubernetes, deep-chain)"),
    };
}

/// <summary>
/// What a CI is for the fault model. The topology file only carries a free-text class; the role
/// tells the generator which faults start there and which checks fire on it.
/// </summary>
public enum CiRole
{
    BusinessService,
    Service,
    Database,
    Cache,
    Queue,
    Host,
    Node,
    Pod,
    LoadBalancer,
    Dns,
    Ingress,
    Storage,
    Network,
}
