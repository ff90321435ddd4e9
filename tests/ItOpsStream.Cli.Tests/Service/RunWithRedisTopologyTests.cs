using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ItOpsStream.Connectors.Redis;
using ItOpsStream.Engine.Topology;
using Xunit.Abstractions;
using static ItOpsStream.Cli.Tests.Service.CmdbWiringFixture;

namespace ItOpsStream.Cli.Tests.Service;

/// <summary>
/// <c>itopsstream run --config C.yaml --topology redis://…</c> end to end: telemetry from Kafka,
/// topology from a real redis-server, a CMDB change produced on the CMDB topic, incidents read back
/// from Kafka.
/// </summary>
[Collection(CmdbWiringCollection.Name)]
public sealed class RunWithRedisTopologyTests(CmdbWiringFixture env, ITestOutputHelper log) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("itops-runredis-").FullName;

    [Fact]
    public async Task Run_WithRedisTopology_RootCauseComesFromRedis_AndARelationProducedOnKafkaJoinsLaterAlerts()
    {
        var url = env.NewRedisUrl();
        await ImportAsync(url);
        string events = env.Kafka.NewTopic("events", 1);
        string incidents = env.Kafka.NewTopic("incidents", 1);
        string deadLetters = env.Kafka.NewTopic("deadletter", 1);
        string cmdb = env.Kafka.NewTopic("cmdb", 1);
        var config = Path.Combine(_dir, "engine.yaml");
        await File.WriteAllTextAsync(config, $"""
            kafka:
              bootstrap: {env.Kafka.BootstrapServers}
              group_id: {env.Kafka.UniqueName("run")}
              topics:
                {events}: auto
              incidents_topic: {incidents}
              deadletter_topic: {deadLetters}
              cmdb_topic: {cmdb}
              client:
                session.timeout.ms: "6000"
            topology:
              file: there-is-no-such-file.json
            pipeline:
              idle_advance_ms: 1000
            """);

        using var stop = new CancellationTokenSource();
        var stderr = new StringWriter();
        // --topology replaces topology.file of the configuration.
        var run = Task.Run(() => CliApp.RunAsync(["run", "--config", config, "--topology", url], new StringWriter(), stderr, stop.Token));

        // 1. The database under the web shop fails, then the web service: one incident, root cause from the Redis topology.
        long t1 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 10_000;
        await env.ProduceAsync(events, Event(t1, "db:main", "DatabaseDown", "critical", "main"), Event(t1 + 5_000, "svc:web", "HighErrorRate", "major", "web"));
        var first = Find(env.ReadUntil(incidents, r => Find(r, "svc:web") is not null, Timeout), "svc:web");
        Assert.True(first is not null, $"no incident joined svc:web to db:main; stderr: {stderr}");
        Assert.Equal(["db:main", "svc:web"], AlertCis(first.Value));
        Assert.Equal("db:main", first.Value.GetProperty("root_cause")[0].GetProperty("ci").GetString());
        Assert.Contains("bs:shop", first.Value.GetProperty("impacted_services").EnumerateArray().Select(e => e.GetString()));

        // 2. Discovery finds that svc:api uses db:cache: the relation arrives on the CMDB topic.
        await env.ProduceAsync(cmdb, """{"op":"upsert","from":"svc:api","to":"db:cache","type":"depends_on"}""");
        await using (var store = await RedisTopologyStore.ConnectAsync(url))
        {
            bool inRedis = false;
            for (var clock = Stopwatch.StartNew(); !inRedis && clock.Elapsed < Timeout; await Task.Delay(50))
            {
                inRedis = HasRelation(TopologyGraph.Build((await store.LoadAsync(CancellationToken.None)).Document), "svc:api", "db:cache");
            }

            Assert.True(inRedis, "the change never reached Redis");
        }

        // The engine's snapshot tails the same Redis stream (milliseconds, measured in CmdbFeedTests); give it a second.
        await Task.Delay(TimeSpan.FromSeconds(1));

        // 3. Alerts on both now correlate along the new relation: one incident, rooted at the cache.
        long t2 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 10_000;
        await env.ProduceAsync(events, Event(t2, "db:cache", "CacheDown", "critical", "cache"), Event(t2 + 5_000, "svc:api", "HighLatency", "major", "api"));
        var second = Find(env.ReadUntil(incidents, r => Find(r, "svc:api") is { } i && AlertCis(i).Count == 2, Timeout), "svc:api");
        Assert.True(second is not null, "no incident for svc:api");
        log.WriteLine(second.Value.ToString());
        Assert.Equal(["db:cache", "svc:api"], AlertCis(second.Value));
        Assert.Equal("db:cache", second.Value.GetProperty("root_cause")[0].GetProperty("ci").GetString());
        Assert.Contains("bs:api", second.Value.GetProperty("impacted_services").EnumerateArray().Select(e => e.GetString()));

        await stop.CancelAsync();
        Assert.Equal(CliApp.ExitOk, await run);
    }

    [Fact]
    public async Task Run_WithNeitherTopologyFileNorRedis_ExitsWithTwoAndNamesTheKeys()
    {
        var config = Path.Combine(_dir, "engine.yaml");
        await File.WriteAllTextAsync(config, "kafka:\n  bootstrap: 127.0.0.1:1\n");
        var stderr = new StringWriter();
        int code = await CliApp.RunAsync(["run", "--config", config], new StringWriter(), stderr);
        Assert.Equal(CliApp.ExitBadInput, code);
        Assert.Contains("topology.file and topology.redis", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithAMalformedRedisUrl_ExitsWithTwoWithoutShowingThePassword()
    {
        var config = Path.Combine(_dir, "engine.yaml");
        await File.WriteAllTextAsync(config, "kafka:\n  bootstrap: 127.0.0.1:1\n");
        var stderr = new StringWriter();
        int code = await CliApp.RunAsync(["run", "--config", config, "--topology", "redis://user:secret@/0"], new StringWriter(), stderr);
        Assert.Equal(CliApp.ExitBadInput, code);
        Assert.Single(stderr.ToString().TrimEnd().Split('\n'));
        Assert.DoesNotContain("secret", stderr.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The latest snapshot of the incident holding an alert on <paramref name="ci"/>.</summary>
    private static JsonElement? Find(List<Confluent.Kafka.ConsumeResult<byte[]?, byte[]>> records, string ci) =>
        Incidents(records).LastOrDefault(i => AlertCis(i).Contains(ci)) is { ValueKind: JsonValueKind.Object } found ? found : null;

    private static List<string> AlertCis(JsonElement incident) =>
        incident.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("ci").GetString()!).Distinct().Order(StringComparer.Ordinal).ToList();

    private static string Event(long ts, string ci, string check, string severity, string key) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"ts":{{ts}},"kind":"event","source":"test","ci":"{{ci}}","check":"{{check}}","severity":"{{severity}}","status":"firing","dedup_key":"{{key}}"}""");
}
