using ItOpsStream.Engine.Topology;
using static ItOpsStream.Engine.Tests.Topology.TopologyFixtures;

namespace ItOpsStream.Engine.Tests.Topology;

public sealed class TopologyGraphChangeTests
{
    private static TopologyChange UpsertCi(string id, string cls = "service", string? name = null) =>
        new(TopologyChangeOp.Upsert, new CiRecord(id, cls, name), null);

    private static TopologyChange DeleteCi(string id) => new(TopologyChangeOp.Delete, new CiRecord(id, "service"), null);

    private static TopologyChange UpsertRelation(string from, string to, string type = "depends_on") =>
        new(TopologyChangeOp.Upsert, null, new RelationRecord(from, to, type));

    private static TopologyChange DeleteRelation(string from, string to) =>
        new(TopologyChangeOp.Delete, null, new RelationRecord(from, to));

    [Fact]
    public void UpsertCi_AddsNodeAndLeavesSourceGraphUnchanged()
    {
        var before = Diamond();

        var after = before.WithChanges([UpsertCi("e", "database", "orders")]);

        Assert.Equal(5, after.Count);
        Assert.Equal("orders", after.GetCi(after.Node("e")).Name);
        Assert.Equal(4, after.RelationCount);
        Assert.Equal(4, before.Count);
        Assert.False(before.TryGetNode("e", out _));
        Assert.Equal(1, after.Version);
        Assert.Equal(2, after.WithChanges([]).Version);
    }

    [Fact]
    public void UpsertCi_ExistingId_ReplacesRecordAndKeepsRelations()
    {
        var before = Diamond();

        var after = before.WithChanges([UpsertCi("a", CiRecord.BusinessServiceClass, "renamed")]);

        Assert.Equal("renamed", after.GetCi(after.Node("a")).Name);
        Assert.True(after.IsBusinessService(after.Node("a")));
        Assert.Equal(["a"], after.ImpactedOf("d"));
        Assert.Empty(before.ImpactedOf("d"));
        Assert.Equal(["b", "c"], after.Ids(after.DirectDependencies(after.Node("a"))));
    }

    [Fact]
    public void UpsertRelation_AddsEdgeOrReplacesItsType()
    {
        var before = Diamond();

        var after = before.WithChanges([UpsertRelation("d", "a"), UpsertRelation("b", "d", "runs_on")]);

        Assert.Equal(5, after.RelationCount);
        Assert.Equal("runs_on", after.GetRelationType(after.Node("b"), after.Node("d")));
        Assert.Equal("depends_on", after.GetRelationType(after.Node("d"), after.Node("a")));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2, ["c"] = 2 }, after.DependenciesOf("d", 9));
    }

    [Fact]
    public void UpsertRelation_UnknownEndpoint_CreatesPlaceholderThatAnUpsertMakesReal()
    {
        var withRelation = Diamond().WithChanges([UpsertRelation("d", "host:new", "runs_on")]);
        var host = withRelation.Node("host:new");
        Assert.True(withRelation.IsPlaceholder(host));
        Assert.Equal(TopologyGraph.PlaceholderClass, withRelation.GetCi(host).Class);

        var withCi = withRelation.WithChanges([UpsertCi("host:new", "host")]);

        Assert.False(withCi.IsPlaceholder(withCi.Node("host:new")));
        Assert.Equal("host", withCi.GetCi(withCi.Node("host:new")).Class);
        Assert.Equal(3, withCi.DependencyDistance(withCi.Node("a"), withCi.Node("host:new"), 5));
    }

    [Fact]
    public void DeleteCi_RemovesNodeAndEveryRelationNamingIt()
    {
        var after = Diamond().WithChanges([DeleteCi("b")]);

        Assert.Equal(3, after.Count);
        Assert.False(after.TryGetNode("b", out _));
        Assert.Equal(2, after.RelationCount);
        Assert.Equal(new Dictionary<string, int> { ["c"] = 1, ["d"] = 2 }, after.DependenciesOf("a", 9));
        Assert.Equal(["c"], after.Ids(after.DirectDependents(after.Node("d"))));
    }

    [Fact]
    public void DeleteCi_AlsoRemovesRelationsUpsertedEarlierInTheBatch_ButNotLaterOnes()
    {
        var after = Diamond().WithChanges(
        [
            UpsertRelation("d", "x"),
            UpsertRelation("x", "c"),
            DeleteCi("x"),
            UpsertRelation("a", "x"),
        ]);

        Assert.Equal(["b", "c", "x"], after.Ids(after.DirectDependencies(after.Node("a"))));
        Assert.Empty(after.Ids(after.DirectDependencies(after.Node("x"))));
        Assert.Empty(after.Ids(after.DirectDependencies(after.Node("d"))));
        Assert.True(after.IsPlaceholder(after.Node("x")));
    }

    [Fact]
    public void DeleteCi_ThenRelationToIt_LeavesAPlaceholder()
    {
        var before = Diamond();

        var after = before.WithChanges([DeleteCi("d"), UpsertRelation("b", "d")]);

        Assert.Equal(4, after.Count);
        Assert.True(after.IsPlaceholder(after.Node("d")));
        Assert.Equal(TopologyGraph.PlaceholderClass, after.GetCi(after.Node("d")).Class);
        Assert.Equal(["b"], after.Ids(after.DirectDependents(after.Node("d"))));
        Assert.False(before.IsPlaceholder(before.Node("d")));
    }

    [Fact]
    public void DeleteRelation_RemovesEdgeWhateverItsType()
    {
        var before = TopologyGraph.Build(Document(["a", "b", "c"], ("a", "b", "runs_on"), ("b", "c", "depends_on")));

        var after = before.WithChanges([DeleteRelation("a", "b")]);

        Assert.Equal(1, after.RelationCount);
        Assert.Null(after.GetRelationType(after.Node("a"), after.Node("b")));
        Assert.Equal(3, after.Count);
        Assert.Equal(2, before.RelationCount);
    }

    [Fact]
    public void DeleteRelation_LastOneOfAPlaceholder_DropsThePlaceholder()
    {
        var before = TopologyGraph.Build(Document(["a"], ("a", "ghost", "depends_on")));

        var after = before.WithChanges([DeleteRelation("a", "ghost")]);

        Assert.False(after.TryGetNode("ghost", out _));
        Assert.Equal(1, after.Count);
    }

    [Fact]
    public void DeleteAbsent_ChangesNothing()
    {
        var before = Diamond();

        var after = before.WithChanges([DeleteCi("nope"), DeleteRelation("a", "d"), DeleteRelation("x", "y")]);

        Assert.Equal(before.ToDocument().Cis, after.ToDocument().Cis);
        Assert.Equal(before.ToDocument().Relations, after.ToDocument().Relations);
    }

    [Fact]
    public void RecordOnlyUpdate_SharesStructureAndKeepsQueries()
    {
        var before = Diamond();

        var after = before.WithChanges([UpsertCi("c", "service", "new name"), DeleteCi("absent")]);

        Assert.Equal("new name", after.GetCi(after.Node("c")).Name);
        Assert.Null(before.GetCi(before.Node("c")).Name);
        Assert.Equal(before.DependenciesOf("a", 5), after.DependenciesOf("a", 5));
        Assert.Equal(4, after.Count);
    }

    [Fact]
    public void SelfRelationChange_IsIgnored()
    {
        var after = Diamond().WithChanges([UpsertRelation("a", "a")]);

        Assert.Equal(4, after.RelationCount);
        Assert.Null(after.GetRelationType(after.Node("a"), after.Node("a")));
    }

    [Theory]
    [InlineData(0, "changes[1] is null")]
    [InlineData(1, "changes[1]: exactly one of ci and relation must be set")]
    [InlineData(2, "changes[1]: exactly one of ci and relation must be set")]
    [InlineData(3, "changes[1]: relation.to is empty")]
    [InlineData(4, "changes[1]: unknown op 7")]
    public void BadChange_ThrowsNamingItsPosition(int kind, string message)
    {
        TopologyChange bad = kind switch
        {
            0 => null!,
            1 => new TopologyChange(TopologyChangeOp.Upsert, null, null),
            2 => new TopologyChange(TopologyChangeOp.Upsert, new CiRecord("x", "s"), new RelationRecord("a", "b")),
            3 => UpsertRelation("a", ""),
            _ => new TopologyChange((TopologyChangeOp)7, new CiRecord("x", "s"), null),
        };

        var error = Assert.Throws<ArgumentException>(() => Diamond().WithChanges([UpsertCi("ok"), bad]));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }
}
