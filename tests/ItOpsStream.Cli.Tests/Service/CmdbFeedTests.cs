using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using ItOpsStream.Cli.Service;
using ItOpsStream.Connectors.Kafka.Sinks;
using ItOpsStream.Engine.Topology;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using static ItOpsStream.Cli.Tests.Service.CmdbWiringFixture;

namespace ItOpsStream.Cli.Tests.Service;

/// <summary>
/// The CMDB feed of <c>run</c> against a real redis-server and the embedded Kafka broker: changes
/// produced on the CMDB topic reach the engine's snapshot, bad records reach the dead letters, and
/// offsets are committed only after the apply.
/// </summary>
[Collection(CmdbWiringCollection.Name)]
public sealed class CmdbFeedTests(CmdbWiringFixture env, ITestOutputHelper log) : IDisposable
{
    private const int Measured = 50;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _cmdb = env.Kafka.NewTopic("cmdb", 1);
    private readonly string _deadLetters = env.Kafka.NewTopic("deadletter", 1);
    private readonly string _group = env.Kafka.UniqueName("engine");
    private readonly string _dir = Directory.CreateTempSubdirectory("itops-cmdbfeed-").FullName;

    [Fact]
    public async Task RelationProducedOnKafka_IsInTheRedisSnapshot_MeasuredFromProduce()
    {
        var url = env.NewRedisUrl();
        await ImportAsync(url);
        await using var topology = await TopologyWiring.ConnectRedisAsync(url);
        await topology.StartAsync(NullLogger.Instance, _stop.Token);
        using var deadLetters = KafkaSinks.DeadLetters(Config(url).Sink with { Topic = _deadLetters });
        var feed = new CmdbFeed(Config(url), topology, deadLetters, NullLogger.Instance);
        var running = feed.RunAsync(_stop.Token);

        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = env.Kafka.BootstrapServers, Acks = Acks.All, LingerMs = 0 }).Build();

        // Warm-up: the first change also waits for the consumer to join its group, which is start-up, not feed latency.
        await producer.ProduceAsync(_cmdb, Message("""{"op":"upsert","from":"svc:api","to":"db:cache","type":"depends_on"}"""));
        Assert.True(await EventuallyAsync(() => HasRelation(topology.Snapshot!.Graph, "svc:api", "db:cache"), TimeSpan.FromSeconds(60)), "the first change never reached the snapshot");

        var latencies = new List<double>();
        var applyToVisible = new List<double>();
        for (int i = 0; i < Measured; i++)
        {
            string ci = string.Create(CultureInfo.InvariantCulture, $"svc:new{i}");
            long applied = feed.Applied;
            double appliedAt = -1;
            var clock = Stopwatch.StartNew();
            await producer.ProduceAsync(_cmdb, Message($$"""{"op":"upsert","from":"{{ci}}","to":"db:main","type":"runs_on"}"""));
            while (!HasRelation(topology.Snapshot!.Graph, ci, "db:main") && clock.Elapsed < Bound)
            {
                if (appliedAt < 0 && feed.Applied > applied)
                {
                    appliedAt = clock.Elapsed.TotalMilliseconds;
                }

                await Task.Delay(1);
            }

            if (appliedAt >= 0)
            {
                applyToVisible.Add(clock.Elapsed.TotalMilliseconds - appliedAt);
            }

            Assert.True(HasRelation(topology.Snapshot!.Graph, ci, "db:main"), $"change {i} not in the snapshot after {Bound}");
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }

        log.WriteLine("produce → snapshot, in order (ms): " + string.Join(" ", latencies.Select(l => l.ToString("0", CultureInfo.InvariantCulture))));
        latencies.Sort();
        applyToVisible.Sort();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"produce → snapshot, {Measured} changes: min {latencies[0]:0.0} ms, median {latencies[Measured / 2]:0.0} ms, p95 {latencies[Measured * 95 / 100]:0.0} ms, max {latencies[^1]:0.0} ms"));
        if (applyToVisible.Count > 0)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Redis apply done → snapshot ({applyToVisible.Count} samples caught): median {applyToVisible[applyToVisible.Count / 2]:0.0} ms, max {applyToVisible[^1]:0.0} ms"));
        }

        Assert.Equal(0, feed.DeadLettered);
        Assert.True(await EventuallyAsync(() => env.Committed(Config(url).CmdbGroupId, _cmdb) == Measured + 1, Bound), "offsets of applied changes are committed");
        await _stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task PoisonRecord_GoesToTheDeadLettersWithItsReason_AndTheFeedContinues()
    {
        var url = env.NewRedisUrl();
        await ImportAsync(url);
        await using var topology = await TopologyWiring.ConnectRedisAsync(url);
        await topology.StartAsync(NullLogger.Instance, _stop.Token);
        using var deadLetters = KafkaSinks.DeadLetters(Config(url).Sink with { Topic = _deadLetters });
        var feed = new CmdbFeed(Config(url), topology, deadLetters, NullLogger.Instance);
        var running = feed.RunAsync(_stop.Token);

        const string poison = """{"op":"upsert","from":"svc:api" """;
        await env.ProduceAsync(
            _cmdb,
            poison,
            """{"op":"rename","id":"svc:api"}""",
            """{"op":"upsert","from":"svc:api","to":"db:cache"}""");

        Assert.True(await EventuallyAsync(() => HasRelation(topology.Snapshot!.Graph, "svc:api", "db:cache"), TimeSpan.FromSeconds(60)), "the change after the poison records was not applied");
        var letters = env.ReadUntil(_deadLetters, r => r.Count >= 2, Bound);
        Assert.Equal(2, letters.Count);
        Assert.Equal(poison, Encoding.UTF8.GetString(letters[0].Message.Value));
        Assert.Equal("json.syntax", Header(letters[0], KafkaSinks.DeadLetterHeaders.ExceptionClass));
        Assert.Equal(_cmdb, Header(letters[0], KafkaSinks.DeadLetterHeaders.Topic));
        Assert.Equal("0", Header(letters[0], KafkaSinks.DeadLetterHeaders.Offset));
        Assert.Equal("field.value", Header(letters[1], KafkaSinks.DeadLetterHeaders.ExceptionClass));
        Assert.Contains("rename", Header(letters[1], KafkaSinks.DeadLetterHeaders.ExceptionMessage), StringComparison.Ordinal);
        Assert.True(await EventuallyAsync(() => env.Committed(Config(url).CmdbGroupId, _cmdb) == 3, Bound), "the poison records' offsets are committed once dead-lettered");
        await _stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task ChangeTheStoreRefuses_GoesToTheDeadLetters_AndTheRestOfItsBatchIsApplied()
    {
        var url = env.NewRedisUrl();
        await ImportAsync(url);
        await using var topology = await TopologyWiring.ConnectRedisAsync(url);
        await topology.StartAsync(NullLogger.Instance, _stop.Token);
        using var deadLetters = KafkaSinks.DeadLetters(Config(url).Sink with { Topic = _deadLetters });
        var feed = new CmdbFeed(Config(url), topology, deadLetters, NullLogger.Instance);

        // Produced before the feed starts, so the three land in one batch; U+001F is the store's field separator.
        await env.ProduceAsync(
            _cmdb,
            """{"op":"upsert","id":"svc:one","class":"service"}""",
            """{"op":"upsert","id":"svc:bad\u001fid","class":"service"}""",
            """{"op":"upsert","from":"svc:one","to":"db:main"}""");
        var running = feed.RunAsync(_stop.Token);

        Assert.True(await EventuallyAsync(() => HasRelation(topology.Snapshot!.Graph, "svc:one", "db:main"), TimeSpan.FromSeconds(60)));
        var letters = env.ReadUntil(_deadLetters, r => r.Count >= 1, Bound);
        Assert.Single(letters);
        Assert.Equal("cmdb.refused", Header(letters[0], KafkaSinks.DeadLetterHeaders.ExceptionClass));
        Assert.Equal("apply", Header(letters[0], KafkaSinks.DeadLetterHeaders.Stage));
        Assert.False(topology.Snapshot!.Graph.TryGetNode("svc:bad\u001fid", out _));
        await _stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task FileTopology_FollowsTheFeedInMemory_FromTheStartOfTheTopic()
    {
        var file = Path.Combine(_dir, "topology.json");
        await using (var output = File.Create(file))
        {
            TopologyJsonWriter.Write(Topology(), output);
        }

        await env.ProduceAsync(_cmdb, """{"op":"upsert","from":"svc:api","to":"db:cache"}""", """{"op":"delete","id":"db:main"}""");
        var config = Config(file);
        await using var topology = TopologyWiring.FromGraph(TopologyGraph.Build(TopologyFile.Load(file)), file);
        using var deadLetters = KafkaSinks.DeadLetters(config.Sink with { Topic = _deadLetters });
        var feed = new CmdbFeed(config, topology, deadLetters, NullLogger.Instance);
        var running = feed.RunAsync(_stop.Token);

        Assert.True(await EventuallyAsync(() => HasRelation(topology.Provider.Current, "svc:api", "db:cache") && !topology.Provider.Current.TryGetNode("db:main", out _), TimeSpan.FromSeconds(60)));
        Assert.False(HasRelation(topology.Provider.Current, "svc:web", "db:main"));
        await _stop.CancelAsync();
        await running;

        // Nothing committed: the next process replays the feed over its file.
        Assert.Equal(0, env.Committed(config.CmdbGroupId, _cmdb));
    }

    [Fact]
    public async Task RedisDown_HoldsTheBatchUncommitted_ThenAppliesItWhenRedisIsBack()
    {
        await using var redis = await TestKit.Redis.RedisServer.StartAsync(durable: true);
        await ImportAsync(redis.Url);
        await using var topology = await TopologyWiring.ConnectRedisAsync(redis.Url);
        await topology.StartAsync(NullLogger.Instance, _stop.Token);
        var config = Config(redis.Url);
        using var deadLetters = KafkaSinks.DeadLetters(config.Sink with { Topic = _deadLetters });
        var feed = new CmdbFeed(config, topology, deadLetters, NullLogger.Instance);
        var running = feed.RunAsync(_stop.Token);
        await env.ProduceAsync(_cmdb, """{"op":"upsert","id":"svc:warm","class":"service"}""");
        Assert.True(await EventuallyAsync(() => topology.Snapshot!.Graph.TryGetNode("svc:warm", out _), TimeSpan.FromSeconds(60)));

        redis.Kill();
        await env.ProduceAsync(_cmdb, """{"op":"upsert","from":"svc:api","to":"db:cache"}""");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, env.Committed(config.CmdbGroupId, _cmdb));
        Assert.False(HasRelation(topology.Snapshot!.Graph, "svc:api", "db:cache"));

        await redis.StartAgainAsync();
        Assert.True(await EventuallyAsync(() => HasRelation(topology.Snapshot!.Graph, "svc:api", "db:cache"), TimeSpan.FromSeconds(60)), "the held change was not applied after Redis came back");
        Assert.True(await EventuallyAsync(() => env.Committed(config.CmdbGroupId, _cmdb) == 2, Bound));
        await _stop.CancelAsync();
        await running;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static Message<byte[]?, byte[]> Message(string json) => new() { Value = Encoding.UTF8.GetBytes(json) };

    private static string Header(ConsumeResult<byte[]?, byte[]> record, string name) =>
        Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes(name));

    private EngineConfig Config(string topology) => EngineConfig.FromValues(
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["kafka.bootstrap"] = env.Kafka.BootstrapServers,
            ["kafka.group_id"] = _group,
            ["kafka.cmdb_topic"] = _cmdb,
            ["kafka.deadletter_topic"] = _deadLetters,
            [EngineConfig.IsRedisUrl(topology) ? "topology.redis" : "topology.file"] = topology,
        },
        _dir);
}
