using ItOpsStream.Engine.Topology;
using StackExchange.Redis;

namespace ItOpsStream.Connectors.Redis.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisTopologyStoreTests(RedisFixture redis)
{
    private static readonly TopologyDocument Sample = new(
        [
            new CiRecord("bs:online-store", "business_service", "Online Store", Criticality.High, "team-commerce"),
            new CiRecord("svc:checkout", "service", "checkoutservice", Owner: "team-payments"),
            new CiRecord("db:orders", "database", "orders-db"),
            new CiRecord("host:node-3", "host", "node-3", Attributes: new Dictionary<string, string> { ["dc"] = "fra1", ["rack"] = "r\"7\u00e9" }),
        ],
        [
            new RelationRecord("bs:online-store", "svc:frontend", "depends_on"),
            new RelationRecord("svc:checkout", "db:orders", "depends_on"),
            new RelationRecord("svc:checkout", "host:node-3", "runs_on"),
        ]);

    [Fact]
    public async Task Import_ThenLoad_ReturnsEveryCiAndRelationWithAllFields()
    {
        await using var store = await RedisTopologyStore.ConnectAsync(redis.Url, redis.NewOptions());
        var result = await store.ImportAsync(Sample, CmdbImportMode.Merge, default);
        Assert.Equal((4, 3, 1L), (result.Cis, result.Relations, result.Version));

        var snapshot = await store.LoadAsync(default);

        Assert.Equal(1, snapshot.Version);
        AssertSameTopology(Sample, snapshot.Document);
    }

    [Fact]
    public async Task Import_Twice_LeavesTheSameTopology()
    {
        await using var store = await RedisTopologyStore.ConnectAsync(redis.Url, redis.NewOptions());
        await store.ImportAsync(Sample, CmdbImportMode.Merge, default);
        await store.ImportAsync(Sample, CmdbImportMode.Merge, default);

        var snapshot = await store.LoadAsync(default);

        AssertSameTopology(Sample, snapshot.Document);
        Assert.Equal(2, snapshot.Version);
    }

    [Fact]
    public async Task ImportReplace_RemovesWhatTheInputNoLongerHas_MergeKeepsIt()
    {
        await using var store = await RedisTopologyStore.ConnectAsync(redis.Url, redis.NewOptions());
        await store.ImportAsync(Sample, CmdbImportMode.Merge, default);
        var smaller = new TopologyDocument([Sample.Cis[0], new CiRecord("svc:new", "service")], [Sample.Relations[0]]);

        await store.ImportAsync(smaller, CmdbImportMode.Merge, default);
        Assert.Equal(5, (await store.LoadAsync(default)).Document.Cis.Count);

        await store.ImportAsync(smaller, CmdbImportMode.Replace, default);
        AssertSameTopology(smaller, (await store.LoadAsync(default)).Document);
    }

    [Fact]
    public async Task Apply_WritesVersionsInOrder_AndTheFeedReturnsEachChange()
    {
        await using var store = await RedisTopologyStore.ConnectAsync(redis.Url, redis.NewOptions());
        await store.ImportAsync(Sample, CmdbImportMode.Merge, default);
        var changes = new[]
        {
            new TopologyChange(TopologyChangeOp.Upsert, new CiRecord("svc:cart", "service", "cart", Criticality.Critical), null),
            new TopologyChange(TopologyChangeOp.Upsert, null, new RelationRecord("svc:cart", "db:orders", "depends_on")),
            new TopologyChange(TopologyChangeOp.Delete, null, new RelationRecord("svc:checkout", "host:node-3", "ignored")),
            new TopologyChange(TopologyChangeOp.Delete, new CiRecord("host:node-3", "host"), null),
        };

        long version = await store.ApplyAsync(changes, default);

        Assert.Equal(5, version);
        var batch = await store.ReadChangesAsync(1, TimeSpan.Zero, default);
        Assert.False(batch.ReloadRequired);
        Assert.Equal([2L, 3, 4, 5], batch.Changes.Select(c => c.Version!.Value));
        Assert.Equal(changes[0].Ci, batch.Changes[0].Ci);
        Assert.Equal(changes[1].Relation, batch.Changes[1].Relation);
        // The delete announces the type it removed, not the one the request carried.
        Assert.Equal(new RelationRecord("svc:checkout", "host:node-3", "runs_on"), batch.Changes[2].Relation);
        Assert.Equal((TopologyChangeOp.Delete, "host:node-3"), (batch.Changes[3].Op, batch.Changes[3].Ci!.Id));

        var loaded = await store.LoadAsync(default);
        Assert.Equal(5, loaded.Version);
        Assert.Contains(loaded.Document.Cis, c => c.Id == "svc:cart");
        Assert.DoesNotContain(loaded.Document.Cis, c => c.Id == "host:node-3");
        Assert.DoesNotContain(loaded.Document.Relations, r => r.To == "host:node-3");
    }

    [Fact]
    public async Task Apply_RelationWithNewType_ReplacesTheTypeOfThePair()
    {
        await using var store = await RedisTopologyStore.ConnectAsync(redis.Url, redis.NewOptions());
        await store.ImportAsync(Sample, CmdbImportMode.Merge, default);

        await store.ApplyAsync([new TopologyChange(TopologyChangeOp.Upsert, null, new RelationRecord("svc:checkout", "host:node-3", "hosted_on"))], default);

        var relations = (await store.LoadAsync(default)).Document.Relations;
        Assert.Equal("hosted_on", Assert.Single(relations, r => r.From == "svc:checkout" && r.To == "host:node-3").Type);
    }

    [Theory]
    [InlineData(CmdbImportMode.Merge)]
    [InlineData(CmdbImportMode.Replace)]
    public async Task DeleteCi_RemovesEveryRelationNamingIt_LikeTheGraph(CmdbImportMode mode)
    {
        await using var store = await RedisTopologyStore.ConnectAsync(redis.Url, redis.NewOptions());
        await store.ImportAsync(Sample, mode, default);
        await store.ImportAsync(Sample, mode, default);
        await store.ApplyAsync([new TopologyChange(TopologyChangeOp.Upsert, null, new RelationRecord("bs:online-store", "svc:checkout"))], default);

        await store.ApplyAsync([new TopologyChange(TopologyChangeOp.Delete, new CiRecord("svc:checkout", string.Empty), null)], default);

        var document = (await store.LoadAsync(default)).Document;
        Assert.DoesNotContain(document.Cis, c => c.Id == "svc:checkout");
        Assert.Equal([("bs:online-store", "svc:frontend")], document.Relations.Select(r => (r.From, r.To)));
        // The index went with it: bringing a relation back and deleting the other end cleans up again.
        await store.ApplyAsync([new TopologyChange(TopologyChangeOp.Upsert, null, new RelationRecord("svc:checkout", "db:orders"))], default);
        await store.ApplyAsync([new TopologyChange(TopologyChangeOp.Delete, new CiRecord("db:orders", string.Empty), null)], default);
        Assert.Single((await store.LoadAsync(default)).Document.Relations);
    }

    [Fact]
    public async Task ReadChanges_WaitsForTheNextChange()
    {
        await using var store = await RedisTopologyStore.ConnectAsync(redis.Url, redis.NewOptions());
        await using var writer = await RedisTopologyStore.ConnectAsync(redis.Url, store.Options);
        long version = await writer.ApplyAsync([new TopologyChange(TopologyChangeOp.Upsert, new CiRecord("a", "service"), null)], default);

        var read = store.ReadChangesAsync(version, TimeSpan.FromSeconds(5), default).AsTask();
        await Task.Delay(200);
        Assert.False(read.IsCompleted);
        await writer.ApplyAsync([new TopologyChange(TopologyChangeOp.Upsert, new CiRecord("b", "service"), null)], default);

        var batch = await read.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("b", Assert.Single(batch.Changes).Ci!.Id);
    }

    [Fact]
    public async Task ReadChanges_NothingNew_ReturnsNoneAfterTheWait()
    {
        await using var store = await RedisTopologyStore.ConnectAsync(redis.Url, redis.NewOptions());
        long version = await store.ApplyAsync([new TopologyChange(TopologyChangeOp.Upsert, new CiRecord("a", "service"), null)], default);

        var batch = await store.ReadChangesAsync(version, TimeSpan.FromMilliseconds(50), default);

        Assert.Equal(TopologyChangeBatch.None, batch);
    }

    [Fact]
    public async Task ReadChanges_StreamTrimmedPastTheVersion_RequiresReload()
    {
        await using var store = await RedisTopologyStore.ConnectAsync(redis.Url, redis.NewOptions() with { ChangeStreamMaxLength = 10 });
        var changes = Enumerable.Range(0, 500).Select(i => new TopologyChange(TopologyChangeOp.Upsert, new CiRecord($"ci:{i}", "service"), null)).ToList();
        foreach (var chunk in changes.Chunk(50))
        {
            await store.ApplyAsync(chunk, default);
        }

        Assert.True((await store.OldestReplayableVersionAsync()) > 2);
        Assert.True((await store.ReadChangesAsync(1, TimeSpan.Zero, default)).ReloadRequired);
        var recent = await store.ReadChangesAsync(495, TimeSpan.Zero, default);
        Assert.Equal([496L, 497, 498, 499, 500], recent.Changes.Select(c => c.Version!.Value));
    }

    [Fact]
    public async Task ReadChanges_StoreBehindTheReader_RequiresReload()
    {
        await using var store = await RedisTopologyStore.ConnectAsync(redis.Url, redis.NewOptions());
        await store.ApplyAsync([new TopologyChange(TopologyChangeOp.Upsert, new CiRecord("a", "service"), null)], default);

        // As after a Redis that restarted without its data: the reader knows version 40, Redis has 1.
        Assert.True((await store.ReadChangesAsync(40, TimeSpan.FromMilliseconds(10), default)).ReloadRequired);
    }

    [Fact]
    public async Task ReadChanges_AfterAnImport_RequiresReload()
    {
        await using var store = await RedisTopologyStore.ConnectAsync(redis.Url, redis.NewOptions());
        long version = await store.ApplyAsync([new TopologyChange(TopologyChangeOp.Upsert, new CiRecord("a", "service"), null)], default);
        await store.ImportAsync(Sample, CmdbImportMode.Merge, default);

        Assert.True((await store.ReadChangesAsync(version, TimeSpan.Zero, default)).ReloadRequired);
    }

    [Fact]
    public async Task Prefixes_KeepTenantsApart()
    {
        await using var a = await RedisTopologyStore.ConnectAsync(redis.Url, redis.NewOptions());
        await using var b = await RedisTopologyStore.ConnectAsync(redis.Url + "?prefix=" + Uri.EscapeDataString(redis.NewPrefix()));
        await a.ImportAsync(Sample, CmdbImportMode.Merge, default);

        var snapshot = await b.LoadAsync(default);

        Assert.Empty(snapshot.Document.Cis);
        Assert.Equal(0, snapshot.Version);
    }

    [Fact]
    public async Task Stats_CountCisRelationsAndVersions()
    {
        await using var store = await RedisTopologyStore.ConnectAsync(redis.Url, redis.NewOptions());
        await store.ImportAsync(Sample, CmdbImportMode.Merge, default);
        await store.ApplyAsync([new TopologyChange(TopologyChangeOp.Delete, new CiRecord("db:orders", "database"), null)], default);

        var stats = await store.GetStatsAsync();

        // The delete took the relation svc:checkout → db:orders with it.
        Assert.Equal((3L, 2L, 2L, 2L, 1L), (stats.Cis, stats.Relations, stats.Version, stats.ChangeStreamLength, stats.OldestReplayableVersion));
        Assert.True(stats.MemoryBytes > 0);
    }

    [Fact]
    public async Task Apply_IdWithTheSeparator_IsRejectedAndWritesNothing()
    {
        await using var store = await RedisTopologyStore.ConnectAsync(redis.Url, redis.NewOptions());

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await store.ApplyAsync([new TopologyChange(TopologyChangeOp.Upsert, null, new RelationRecord("a\u001fb", "c"))], default));

        Assert.Contains("0x1F", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await store.GetStatsAsync()).Version);
    }

    [Fact]
    public async Task AclUser_AuthenticatesWithTheUrl_WrongOrMissingPasswordIsRefused()
    {
        // Its own server: the default user gets switched off, as on a locked-down production Redis.
        await using var server = await ItOpsStream.TestKit.Redis.RedisServer.StartAsync();
        var prefix = redis.NewPrefix();
        await using (var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port}"))
        {
            // Least privilege: only the CMDB's keys and the command groups the store uses.
            await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", "cmdb", "on", ">s3cr:t@pw", $"~{prefix}*", "+@read", "+@write", "+@stream", "+@scripting", "+@connection", "+info", "+memory");
            await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", "default", "off");
        }

        string host = $"127.0.0.1:{server.Port}?prefix={Uri.EscapeDataString(prefix)}";
        await using (var store = await RedisTopologyStore.ConnectAsync($"redis://cmdb:{Uri.EscapeDataString("s3cr:t@pw")}@{host}"))
        {
            await store.ImportAsync(Sample, CmdbImportMode.Merge, default);
            Assert.Equal(4, (await store.LoadAsync(default)).Document.Cis.Count);
            Assert.Equal(4, (await store.GetStatsAsync()).Cis);
        }

        var quick = RedisCmdbOptions.Default with { CommandTimeout = TimeSpan.FromSeconds(1) };
        foreach (string url in new[] { $"redis://cmdb:nope@{host}", $"redis://{host}" })
        {
            await using var denied = await RedisTopologyStore.ConnectAsync(url, quick);
            await Assert.ThrowsAnyAsync<RedisException>(async () => await denied.LoadAsync(default));
        }
    }

    internal static void AssertSameTopology(TopologyDocument expected, TopologyDocument actual)
    {
        Assert.Equal(
            expected.Cis.OrderBy(c => c.Id, StringComparer.Ordinal).Select(Describe),
            actual.Cis.OrderBy(c => c.Id, StringComparer.Ordinal).Select(Describe));
        Assert.Equal(
            expected.Relations.OrderBy(r => r.From, StringComparer.Ordinal).ThenBy(r => r.To, StringComparer.Ordinal),
            actual.Relations.OrderBy(r => r.From, StringComparer.Ordinal).ThenBy(r => r.To, StringComparer.Ordinal));
    }

    private static string Describe(CiRecord ci) =>
        $"{ci.Id}|{ci.Class}|{ci.Name}|{ci.Criticality}|{ci.Owner}|{string.Join(",", (ci.Attributes ?? new Dictionary<string, string>()).OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"))}";
}
