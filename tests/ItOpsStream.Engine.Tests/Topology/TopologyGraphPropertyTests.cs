using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Tests.Topology;

/// <summary>
/// Random change batches (fixed seeds) on a small id space, so cycles, duplicates, placeholders and
/// delete-then-upsert within one batch all happen. After each batch the incrementally changed graph must
/// equal a graph built fresh from the same CMDB content, and both must answer every query like a
/// brute-force reference computed from dictionaries.
/// </summary>
public sealed class TopologyGraphPropertyTests
{
    private const int IdSpace = 30;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void WithChanges_EqualsFreshBuild_AndBothMatchReference(int seed)
    {
        var random = new Random(seed);
        var model = new ReferenceModel();
        var graph = TopologyGraph.Empty;
        for (var batch = 0; batch < 60; batch++)
        {
            var changes = new List<TopologyChange>();
            var size = random.Next(1, batch % 10 == 0 ? 40 : 8);
            for (var i = 0; i < size; i++)
            {
                var change = RandomChange(random);
                changes.Add(change);
                model.Apply(change);
            }

            graph = graph.WithChanges(changes);
            var fresh = TopologyGraph.Build(model.ToDocument());

            Assert.Equal(batch + 1, graph.Version);
            AssertMatchesReference(graph, model, random);
            AssertMatchesReference(fresh, model, random);
            Assert.Equal(Canonical(fresh), Canonical(graph));
        }
    }

    [Fact]
    public void Build_RandomDocumentsWithDuplicates_MatchReference()
    {
        var random = new Random(42);
        for (var round = 0; round < 20; round++)
        {
            var cis = new List<CiRecord>();
            var relations = new List<RelationRecord>();
            for (var i = 0; i < 40; i++)
            {
                var change = RandomChange(random);
                if (change.Ci is not null)
                {
                    cis.Add(change.Ci);
                }
                else
                {
                    relations.Add(change.Relation!);
                }
            }

            // A document lists CIs first, then relations; apply to the model in that order too.
            var ordered = new ReferenceModel();
            cis.ForEach(ci => ordered.Apply(new TopologyChange(TopologyChangeOp.Upsert, ci, null)));
            relations.ForEach(r => ordered.Apply(new TopologyChange(TopologyChangeOp.Upsert, null, r)));

            AssertMatchesReference(TopologyGraph.Build(new TopologyDocument(cis, relations)), ordered, random);
        }
    }

    [Fact]
    public void Build_LargeDocumentResolvedInParallel_EqualsSameContentAppliedAsChanges()
    {
        // Enough relations to take Build's parallel lookup path, with placeholders, duplicates, self-relations
        // and untyped relations scattered through it.
        var random = new Random(5);
        var cis = Enumerable.Range(0, 20_000).Select(i => new CiRecord($"ci{i}", i % 97 == 0 ? CiRecord.BusinessServiceClass : "service")).ToList();
        var relations = Enumerable.Range(0, 100_000).Select(i =>
        {
            var from = i % 1000 == 0 ? $"ghost{i % 7}" : $"ci{random.Next(20_000)}";
            var to = i % 5000 == 0 ? from : $"ci{random.Next(20_000)}";
            return new RelationRecord(from, to, (i % 3) switch { 0 => "runs_on", 1 => "depends_on", _ => null! });
        }).ToList();

        var built = TopologyGraph.Build(new TopologyDocument(cis, relations));
        var applied = TopologyGraph.Empty.WithChanges(
        [
            .. cis.Select(ci => new TopologyChange(TopologyChangeOp.Upsert, ci, null)),
            .. relations.Select(r => new TopologyChange(TopologyChangeOp.Upsert, null, r)),
        ]);

        Assert.Equal(Canonical(applied), Canonical(built));
        Assert.True(built.IsPlaceholder(built.Node("ghost3")));
        Assert.Equal(relations.Where(r => r.From != r.To).Select(r => (r.From, r.To)).Distinct().Count(), built.RelationCount);
    }

    private static TopologyChange RandomChange(Random random)
    {
        var op = random.Next(4) == 0 ? TopologyChangeOp.Delete : TopologyChangeOp.Upsert;
        var id = RandomId(random);
        if (random.Next(3) == 0)
        {
            var cls = random.Next(5) switch
            {
                0 => CiRecord.BusinessServiceClass,
                1 => "host",
                2 => "database",
                _ => "service",
            };
            return new TopologyChange(op, new CiRecord(id, cls, $"name{random.Next(3)}"), null);
        }

        var to = RandomId(random);
        var type = random.Next(3) == 0 ? "runs_on" : "depends_on";
        return new TopologyChange(op, null, new RelationRecord(id, to, type));
    }

    private static string RandomId(Random random) => $"ci{random.Next(IdSpace)}";

    private static void AssertMatchesReference(TopologyGraph graph, ReferenceModel model, Random random)
    {
        var ids = model.NodeIds();
        Assert.Equal(ids.Count, graph.Count);
        Assert.Equal(model.Relations.Count, graph.RelationCount);
        foreach (var id in ids)
        {
            var node = graph.Node(id);
            Assert.Equal(id, graph.GetId(node));
            var explicitCi = model.Cis.GetValueOrDefault(id);
            Assert.Equal(explicitCi is null, graph.IsPlaceholder(node));
            Assert.Equal(explicitCi ?? new CiRecord(id, TopologyGraph.PlaceholderClass), graph.GetCi(node));
            Assert.Equal(explicitCi?.IsBusinessService ?? false, graph.IsBusinessService(node));
            Assert.Equal(model.Out(id).Order(StringComparer.Ordinal), graph.Ids(graph.DirectDependencies(node)).Order(StringComparer.Ordinal));
            Assert.Equal(model.In(id).Order(StringComparer.Ordinal), graph.Ids(graph.DirectDependents(node)).Order(StringComparer.Ordinal));
            foreach (var to in model.Out(id))
            {
                Assert.Equal(model.Relations[(id, to)], graph.GetRelationType(node, graph.Node(to)));
            }

            var maxHops = random.Next(0, 6);
            Assert.Equal(model.Distances(id, forward: true, backward: false, maxHops), graph.DependenciesOf(id, maxHops));
            Assert.Equal(model.Distances(id, forward: false, backward: true, maxHops), graph.DependentsOf(id, maxHops));
            Assert.Equal(model.ImpactedServices(id), graph.ImpactedOf(id).Order(StringComparer.Ordinal));
        }

        if (ids.Count == 0)
        {
            return;
        }

        for (var q = 0; q < 40; q++)
        {
            var from = ids[random.Next(ids.Count)];
            var to = ids[random.Next(ids.Count)];
            var maxHops = random.Next(0, 8);
            var directed = model.Distance(from, to, directed: true, maxHops);
            Assert.Equal(directed, graph.DependencyDistance(graph.Node(from), graph.Node(to), maxHops));
            AssertPath(graph, model, from, to, directed, graph.DependencyPath(from, to, maxHops), directed: true);
            var undirected = model.Distance(from, to, directed: false, maxHops);
            AssertPath(graph, model, from, to, undirected, graph.UndirectedPath(from, to, maxHops), directed: false);
        }
    }

    private static void AssertPath(TopologyGraph graph, ReferenceModel model, string from, string to, int expectedHops, string[]? path, bool directed)
    {
        if (expectedHops < 0)
        {
            Assert.Null(path);
            return;
        }

        Assert.NotNull(path);
        Assert.Equal(expectedHops + 1, path.Length);
        Assert.Equal(from, path[0]);
        Assert.Equal(to, path[^1]);
        Assert.Equal(path.Length, path.Distinct().Count());
        for (var i = 0; i + 1 < path.Length; i++)
        {
            var forward = model.Relations.ContainsKey((path[i], path[i + 1]));
            Assert.True(forward || (!directed && model.Relations.ContainsKey((path[i + 1], path[i]))), $"no relation {path[i]} - {path[i + 1]} in {graph.Count}-node graph");
        }
    }

    /// <summary>Everything observable about a graph, independent of node numbering.</summary>
    private static string Canonical(TopologyGraph graph)
    {
        var lines = new List<string>();
        for (var node = 0; node < graph.Count; node++)
        {
            var ci = graph.GetCi(node);
            lines.Add($"ci {ci.Id} {ci.Class} {ci.Name} placeholder={graph.IsPlaceholder(node)} bs={graph.IsBusinessService(node)}");
            foreach (var to in graph.DirectDependencies(node))
            {
                lines.Add($"rel {ci.Id} {graph.GetId(to)} {graph.GetRelationType(node, to)}");
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }

    /// <summary>The CMDB as plain dictionaries, with the documented change semantics, queried by brute force.</summary>
    private sealed class ReferenceModel
    {
        public Dictionary<string, CiRecord> Cis { get; } = new(StringComparer.Ordinal);

        public Dictionary<(string From, string To), string> Relations { get; } = [];

        public void Apply(TopologyChange change)
        {
            var upsert = change.Op == TopologyChangeOp.Upsert;
            if (change.Ci is { } ci)
            {
                if (upsert)
                {
                    Cis[ci.Id] = ci;
                    return;
                }

                Cis.Remove(ci.Id);
                foreach (var key in Relations.Keys.Where(k => k.From == ci.Id || k.To == ci.Id).ToList())
                {
                    Relations.Remove(key);
                }

                return;
            }

            var relation = change.Relation!;
            if (relation.From == relation.To)
            {
                return;
            }

            if (upsert)
            {
                Relations[(relation.From, relation.To)] = relation.Type;
            }
            else
            {
                Relations.Remove((relation.From, relation.To));
            }
        }

        public List<string> NodeIds() =>
            [.. Cis.Keys.Concat(Relations.Keys.SelectMany(k => new[] { k.From, k.To })).Distinct().Order(StringComparer.Ordinal)];

        public IEnumerable<string> Out(string id) => Relations.Keys.Where(k => k.From == id).Select(k => k.To);

        public IEnumerable<string> In(string id) => Relations.Keys.Where(k => k.To == id).Select(k => k.From);

        public TopologyDocument ToDocument() =>
            new([.. Cis.Values], [.. Relations.Select(r => new RelationRecord(r.Key.From, r.Key.To, r.Value))]);

        public Dictionary<string, int> Distances(string start, bool forward, bool backward, int maxHops)
        {
            var distances = new Dictionary<string, int>(StringComparer.Ordinal) { [start] = 0 };
            var frontier = new List<string> { start };
            for (var hops = 1; hops <= maxHops && frontier.Count > 0; hops++)
            {
                var next = new List<string>();
                foreach (var node in frontier)
                {
                    var neighbours = (forward ? Out(node) : []).Concat(backward ? In(node) : []);
                    foreach (var neighbour in neighbours)
                    {
                        if (distances.TryAdd(neighbour, hops))
                        {
                            next.Add(neighbour);
                        }
                    }
                }

                frontier = next;
            }

            distances.Remove(start);
            return distances;
        }

        public int Distance(string from, string to, bool directed, int maxHops) =>
            from == to ? 0 : Distances(from, forward: true, backward: !directed, maxHops).GetValueOrDefault(to, -1);

        public IEnumerable<string> ImpactedServices(string id) =>
            Distances(id, forward: false, backward: true, int.MaxValue).Keys.Append(id)
                .Where(n => Cis.TryGetValue(n, out var ci) && ci.IsBusinessService)
                .Order(StringComparer.Ordinal);
    }
}
