using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Tests.Topology;

/// <summary>Small hand-made topologies and helpers to read query results as ids.</summary>
internal static class TopologyFixtures
{
    /// <summary>A CI per id; ids starting with "bs:" are business services.</summary>
    public static TopologyGraph Graph(string[] cis, params (string From, string To)[] dependsOn) =>
        TopologyGraph.Build(Document(cis, [.. dependsOn.Select(r => (r.From, r.To, "depends_on"))]));

    public static TopologyDocument Document(string[] cis, params (string From, string To, string Type)[] relations) =>
        new(
            [.. cis.Select(Ci)],
            [.. relations.Select(r => new RelationRecord(r.From, r.To, r.Type))]);

    public static CiRecord Ci(string id) =>
        new(id, id.StartsWith("bs:", StringComparison.Ordinal) ? CiRecord.BusinessServiceClass : "service");

    /// <summary>A diamond: a depends on b and c, both depend on d.</summary>
    public static TopologyGraph Diamond() =>
        Graph(["a", "b", "c", "d"], ("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"));

    /// <summary>A chain n0 → n1 → … → n(length).</summary>
    public static TopologyGraph Chain(int length) =>
        Graph(
            [.. Enumerable.Range(0, length + 1).Select(i => $"n{i}")],
            [.. Enumerable.Range(0, length).Select(i => ($"n{i}", $"n{i + 1}"))]);

    public static int Node(this TopologyGraph graph, string id) =>
        graph.TryGetNode(id, out var node) ? node : throw new InvalidOperationException($"no CI {id}");

    public static string[] Ids(this TopologyGraph graph, IEnumerable<int> nodes) => [.. nodes.Select(graph.GetId)];

    public static string[] Ids(this TopologyGraph graph, ReadOnlySpan<int> nodes) => [.. nodes.ToArray().Select(graph.GetId)];

    public static Dictionary<string, int> DependenciesOf(this TopologyGraph graph, string id, int maxHops)
    {
        var result = new List<(int Node, int Hops)>();
        graph.Dependencies(graph.Node(id), maxHops, result);
        return result.ToDictionary(r => graph.GetId(r.Node), r => r.Hops);
    }

    public static Dictionary<string, int> DependentsOf(this TopologyGraph graph, string id, int maxHops)
    {
        var result = new List<(int Node, int Hops)>();
        graph.Dependents(graph.Node(id), maxHops, result);
        return result.ToDictionary(r => graph.GetId(r.Node), r => r.Hops);
    }

    public static string[] ImpactedOf(this TopologyGraph graph, string id) =>
        graph.Ids(graph.ImpactedBusinessServices(graph.Node(id)));

    public static string[]? DependencyPath(this TopologyGraph graph, string from, string to, int maxHops) =>
        graph.ShortestDependencyPath(graph.Node(from), graph.Node(to), maxHops) is { } path ? graph.Ids(path) : null;

    public static string[]? UndirectedPath(this TopologyGraph graph, string a, string b, int maxHops) =>
        graph.ShortestPath(graph.Node(a), graph.Node(b), maxHops) is { } path ? graph.Ids(path) : null;
}
