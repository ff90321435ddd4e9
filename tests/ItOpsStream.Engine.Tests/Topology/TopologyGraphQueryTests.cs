using ItOpsStream.Engine.Topology;
using static ItOpsStream.Engine.Tests.Topology.TopologyFixtures;

namespace ItOpsStream.Engine.Tests.Topology;

public sealed class TopologyGraphQueryTests
{
    [Fact]
    public void Build_InternsIdsToDenseNodesInDocumentOrder()
    {
        var graph = Diamond();

        Assert.Equal(4, graph.Count);
        Assert.Equal(4, graph.RelationCount);
        Assert.Equal(["a", "b", "c", "d"], graph.Ids(Enumerable.Range(0, 4)));
        Assert.True(graph.TryGetNode("c", out var c));
        Assert.Equal(2, c);
        Assert.True(graph.TryGetNode("c".AsSpan(), out c));
        Assert.Equal(2, c);
        Assert.Equal("c", graph.GetCi(c).Id);
        Assert.Equal(0, graph.Version);
    }

    [Fact]
    public void TryGetNode_UnknownOrNullId_ReturnsFalse()
    {
        var graph = Diamond();

        Assert.False(graph.TryGetNode("zzz", out var node));
        Assert.Equal(-1, node);
        Assert.False(graph.TryGetNode((string)null!, out _));
        Assert.False(TopologyGraph.Empty.TryGetNode("a", out _));
    }

    [Fact]
    public void Queries_NodeOutOfRange_ThrowArgumentOutOfRange()
    {
        var graph = Diamond();
        var result = new List<(int, int)>();

        Assert.Throws<ArgumentOutOfRangeException>(() => graph.GetId(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.GetCi(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.DirectDependencies(9).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.Dependents(7, 2, result));
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.ShortestPath(0, 4, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.ImpactedBusinessServices(-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.Dependencies(0, -1, result));
    }

    [Fact]
    public void DirectNeighbours_FollowRelationDirection()
    {
        var graph = Diamond();

        Assert.Equal(["b", "c"], graph.Ids(graph.DirectDependencies(graph.Node("a"))));
        Assert.Equal(["b", "c"], graph.Ids(graph.DirectDependents(graph.Node("d"))));
        Assert.Empty(graph.Ids(graph.DirectDependents(graph.Node("a"))));
        Assert.Empty(graph.Ids(graph.DirectDependencies(graph.Node("d"))));
    }

    [Fact]
    public void Diamond_SharedDependencyAppearsOnceAtMinimumHops()
    {
        var graph = Diamond();

        Assert.Equal(new Dictionary<string, int> { ["b"] = 1, ["c"] = 1, ["d"] = 2 }, graph.DependenciesOf("a", 5));
        Assert.Equal(new Dictionary<string, int> { ["b"] = 1, ["c"] = 1, ["a"] = 2 }, graph.DependentsOf("d", 5));
    }

    [Fact]
    public void Walks_StopAtMaxHopsAndExcludeStart()
    {
        var graph = Chain(8);

        Assert.Equal(new Dictionary<string, int> { ["n1"] = 1, ["n2"] = 2, ["n3"] = 3 }, graph.DependenciesOf("n0", 3));
        Assert.Empty(graph.DependenciesOf("n0", 0));
        Assert.Equal(8, graph.DependenciesOf("n0", int.MaxValue).Count);
        Assert.Equal(new Dictionary<string, int> { ["n7"] = 1, ["n6"] = 2 }, graph.DependentsOf("n8", 2));
    }

    [Fact]
    public void Walks_ResultIsClearedAndInBreadthFirstOrder()
    {
        var graph = Chain(4);
        var result = new List<(int Node, int Hops)> { (42, 42) };

        graph.Dependencies(graph.Node("n0"), 10, result);

        Assert.Equal([1, 2, 3, 4], result.Select(r => r.Hops));
        Assert.Equal(["n1", "n2", "n3", "n4"], graph.Ids(result.Select(r => r.Node)));
    }

    [Fact]
    public void Cycle_WalksTerminateAndVisitEachNodeOnce()
    {
        var graph = Graph(["a", "b", "c", "x"], ("a", "b"), ("b", "c"), ("c", "a"), ("c", "x"));

        Assert.Equal(new Dictionary<string, int> { ["b"] = 1, ["c"] = 2, ["x"] = 3 }, graph.DependenciesOf("a", 100));
        Assert.Equal(new Dictionary<string, int> { ["c"] = 1, ["b"] = 2, ["a"] = 3 }, graph.DependentsOf("x", 100));
        Assert.Equal(2, graph.DependencyDistance(graph.Node("a"), graph.Node("c"), 10));
        Assert.Equal(1, graph.DependencyDistance(graph.Node("c"), graph.Node("a"), 10));
        Assert.Equal(["b", "c", "a"], graph.DependencyPath("b", "a", 10)!);
    }

    [Fact]
    public void DeepChain_PathsBeyondSixHopsAreFoundAndBoundedByMaxHops()
    {
        var graph = Chain(9);
        var n0 = graph.Node("n0");
        var n9 = graph.Node("n9");

        Assert.Equal(9, graph.DependencyDistance(n0, n9, 9));
        Assert.Equal(-1, graph.DependencyDistance(n0, n9, 8));
        Assert.Equal(-1, graph.DependencyDistance(n9, n0, 100));
        Assert.Equal([.. Enumerable.Range(0, 10).Select(i => $"n{i}")], graph.DependencyPath("n0", "n9", 9)!);
        Assert.Null(graph.DependencyPath("n0", "n9", 8));
        Assert.Null(graph.DependencyPath("n9", "n0", 100));
        Assert.Equal([.. Enumerable.Range(0, 10).Select(i => $"n{9 - i}")], graph.UndirectedPath("n9", "n0", 9)!);
        Assert.Null(graph.UndirectedPath("n9", "n0", 8));
    }

    [Fact]
    public void Distance_SameNodeIsZeroEvenWithZeroHops()
    {
        var graph = Diamond();
        var a = graph.Node("a");

        Assert.Equal(0, graph.DependencyDistance(a, a, 0));
        Assert.Equal([a], graph.ShortestDependencyPath(a, a, 0)!);
        Assert.Equal([a], graph.ShortestPath(a, a, 0)!);
        Assert.Equal(-1, graph.DependencyDistance(a, graph.Node("b"), 0));
    }

    [Fact]
    public void ShortestPath_IgnoresDirectionButDependencyPathDoesNot()
    {
        var graph = Diamond();

        Assert.Null(graph.DependencyPath("b", "c", 10));
        var path = graph.UndirectedPath("b", "c", 10);
        Assert.NotNull(path);
        Assert.Equal(3, path.Length);
        Assert.Equal("b", path[0]);
        Assert.Equal("c", path[2]);
        Assert.Contains(path[1], new[] { "a", "d" });
    }

    [Fact]
    public void ShortestPath_PrefersShortcutOverLongChain()
    {
        var graph = Graph(
            ["s", "m1", "m2", "m3", "m4", "t", "k"],
            ("s", "m1"), ("m1", "m2"), ("m2", "m3"), ("m3", "m4"), ("m4", "t"), ("s", "k"), ("k", "t"));

        Assert.Equal(["s", "k", "t"], graph.DependencyPath("s", "t", 10)!);
        Assert.Equal(["t", "k", "s"], graph.UndirectedPath("t", "s", 10)!);
        Assert.Equal(2, graph.DependencyDistance(graph.Node("s"), graph.Node("t"), 2));
    }

    [Fact]
    public void DisconnectedParts_HaveNoPathAndNoSharedImpact()
    {
        var graph = Graph(
            ["bs:one", "a1", "a2", "bs:two", "b1", "b2"],
            ("bs:one", "a1"), ("a1", "a2"), ("bs:two", "b1"), ("b1", "b2"));

        Assert.Null(graph.UndirectedPath("a2", "b2", 100));
        Assert.Equal(-1, graph.DependencyDistance(graph.Node("a1"), graph.Node("b2"), 100));
        Assert.Equal(["bs:one"], graph.ImpactedOf("a2"));
        Assert.Equal(["bs:two"], graph.ImpactedOf("b2"));
        Assert.Equal(new Dictionary<string, int> { ["a1"] = 1, ["bs:one"] = 2 }, graph.DependentsOf("a2", 10));
    }

    [Fact]
    public void HostWithSeveralServices_RelationTypesTellInfrastructureApart()
    {
        var graph = TopologyGraph.Build(Document(
            ["bs:shop", "bs:billing", "svc:web", "svc:pay", "svc:audit", "db:main", "host:1"],
            ("bs:shop", "svc:web", "depends_on"),
            ("bs:billing", "svc:pay", "depends_on"),
            ("svc:web", "svc:pay", "depends_on"),
            ("svc:web", "db:main", "depends_on"),
            ("svc:web", "host:1", "runs_on"),
            ("svc:pay", "host:1", "runs_on"),
            ("svc:audit", "host:1", "runs_on"),
            ("db:main", "host:1", "hosted_on")));
        var host = graph.Node("host:1");

        Assert.Equal(["svc:web", "svc:pay", "svc:audit", "db:main"], graph.Ids(graph.DirectDependents(host)));
        Assert.Equal("runs_on", graph.GetRelationType(graph.Node("svc:web"), host));
        Assert.Equal("hosted_on", graph.GetRelationType(graph.Node("db:main"), host));
        Assert.Equal("depends_on", graph.GetRelationType(graph.Node("svc:web"), graph.Node("db:main")));
        Assert.Null(graph.GetRelationType(host, graph.Node("svc:web")));
        Assert.Null(graph.GetRelationType(graph.Node("svc:audit"), graph.Node("db:main")));
        Assert.Equal(["bs:shop", "bs:billing"], graph.ImpactedOf("host:1"));
        Assert.Equal(["bs:shop", "bs:billing"], graph.ImpactedOf("svc:pay"));
        Assert.Equal(["bs:shop"], graph.ImpactedOf("db:main"));
        Assert.Empty(graph.ImpactedOf("svc:audit"));
        Assert.Equal(["bs:shop"], graph.ImpactedOf("bs:shop"));
    }

    [Fact]
    public void ImpactedBusinessServices_CycleThroughBusinessServiceTerminates()
    {
        var graph = Graph(["bs:a", "x", "y", "bs:b"], ("bs:a", "x"), ("x", "y"), ("y", "bs:a"), ("bs:b", "y"));

        Assert.Equal(["bs:a", "bs:b"], graph.ImpactedOf("x"));
        Assert.Equal(["bs:a", "bs:b"], graph.ImpactedOf("bs:a"));
        Assert.Equal(["bs:a", "bs:b"], graph.ImpactedOf("y"));
    }

    [Fact]
    public void ImpactedBusinessServices_CachedAnswersStayCorrectInAnyOrder()
    {
        // Asking the top first fills the cache that later, lower questions stop at.
        var graph = Graph(
            ["bs:1", "bs:2", "s1", "s2", "s3", "db"],
            ("bs:1", "s1"), ("bs:2", "s2"), ("s1", "s3"), ("s2", "s3"), ("s3", "db"), ("s1", "db"));

        Assert.Equal(["bs:1"], graph.ImpactedOf("s1"));
        Assert.Equal(["bs:1", "bs:2"], graph.ImpactedOf("db"));
        Assert.Equal(["bs:1", "bs:2"], graph.ImpactedOf("s3"));
        Assert.Same(graph.ImpactedBusinessServices(graph.Node("db")), graph.ImpactedBusinessServices(graph.Node("db")));
        Assert.True(graph.IsBusinessService(graph.Node("bs:2")));
        Assert.False(graph.IsBusinessService(graph.Node("s2")));
    }

    [Fact]
    public void ImpactedBusinessServices_ConcurrentFirstCallsAgree()
    {
        var ids = Enumerable.Range(0, 2001).Select(i => i == 0 ? "bs:top" : $"n{i}").ToArray();
        var graph = Graph(ids, [.. Enumerable.Range(0, 2000).Select(i => (ids[i], ids[i + 1]))]);
        var results = new IReadOnlyList<int>[8];

        Parallel.For(0, results.Length, i => results[i] = graph.ImpactedBusinessServices(graph.Node($"n{2000 - (i % 3)}")));

        Assert.All(results, r => Assert.Equal([graph.Node("bs:top")], r));
    }

    [Fact]
    public void ConcurrentTraversals_GiveTheSameAnswersAsSequentialOnes()
    {
        var graph = Chain(300);
        var expected = graph.DependenciesOf("n0", 250);

        var answers = new Dictionary<string, int>[16];
        Parallel.For(0, answers.Length, i => answers[i] = graph.DependenciesOf("n0", 250));

        Assert.All(answers, a => Assert.Equal(expected, a));
    }

    [Fact]
    public void DuplicateRelation_KeepsOneEdgeWithTheLastType()
    {
        var graph = TopologyGraph.Build(Document(
            ["a", "b"], ("a", "b", "depends_on"), ("a", "b", "runs_on"), ("a", "a", "depends_on")));

        Assert.Equal(1, graph.RelationCount);
        Assert.Equal("runs_on", graph.GetRelationType(graph.Node("a"), graph.Node("b")));
        Assert.Empty(graph.Ids(graph.DirectDependents(graph.Node("a"))));
    }

    [Fact]
    public void DuplicateCi_KeepsTheLastRecord()
    {
        var graph = TopologyGraph.Build(new TopologyDocument(
            [new CiRecord("a", "service", "first"), new CiRecord("a", "business_service", "second")], []));

        Assert.Equal(1, graph.Count);
        Assert.Equal("second", graph.GetCi(0).Name);
        Assert.True(graph.IsBusinessService(0));
    }

    [Fact]
    public void RelationToUnknownCi_CreatesPlaceholderNode()
    {
        var graph = TopologyGraph.Build(Document(["svc:a"], ("svc:a", "db:ghost", "depends_on")));
        var ghost = graph.Node("db:ghost");

        Assert.True(graph.IsPlaceholder(ghost));
        Assert.False(graph.IsPlaceholder(graph.Node("svc:a")));
        Assert.Equal(TopologyGraph.PlaceholderClass, graph.GetCi(ghost).Class);
        Assert.Equal(1, graph.DependencyDistance(graph.Node("svc:a"), ghost, 1));
        Assert.DoesNotContain(graph.ToDocument().Cis, ci => ci.Id == "db:ghost");
    }

    [Fact]
    public void Build_BadInput_NamesThePosition()
    {
        var emptyId = Assert.Throws<ArgumentException>(() => TopologyGraph.Build(new TopologyDocument([new CiRecord("a", "x"), new CiRecord("", "x")], [])));
        var emptyTo = Assert.Throws<ArgumentException>(() => TopologyGraph.Build(new TopologyDocument([], [new RelationRecord("a", "b"), new RelationRecord("a", "")])));

        Assert.Contains("cis[1]: id is empty", emptyId.Message, StringComparison.Ordinal);
        Assert.Contains("relations[1]: to is empty", emptyTo.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToDocument_RoundTripsThroughBuild()
    {
        var source = TopologyGraph.Build(Document(
            ["bs:x", "a", "b"], ("bs:x", "a", "depends_on"), ("a", "b", "runs_on"), ("b", "ghost", "depends_on")));

        var rebuilt = TopologyGraph.Build(source.ToDocument());

        Assert.Equal(source.ToDocument().Cis, rebuilt.ToDocument().Cis);
        Assert.Equal(source.ToDocument().Relations, rebuilt.ToDocument().Relations);
        Assert.True(rebuilt.IsPlaceholder(rebuilt.Node("ghost")));
    }

    [Fact]
    public void Empty_HasNothing()
    {
        Assert.Equal(0, TopologyGraph.Empty.Count);
        Assert.Equal(0, TopologyGraph.Empty.RelationCount);
    }
}
