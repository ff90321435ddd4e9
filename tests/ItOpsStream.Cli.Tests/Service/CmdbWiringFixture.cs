using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using ItOpsStream.Connectors.Redis;
using ItOpsStream.Engine.Topology;
using ItOpsStream.TestKit.Kafka;
using ItOpsStream.TestKit.Redis;

namespace ItOpsStream.Cli.Tests.Service;

/// <summary>A real redis-server and the embedded Kafka broker, shared by the tests of the CMDB wiring; each test takes fresh topics, groups and key prefixes.</summary>
public sealed class CmdbWiringFixture : IAsyncLifetime
{
    public EmbeddedKafkaFixture Kafka { get; } = new();

    public RedisServer Redis { get; private set; } = null!;

    public async Task InitializeAsync() => Redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        Kafka.Dispose();
    }

    /// <summary>A Redis URL whose key prefix no other test uses.</summary>
    public string NewRedisUrl() => $"{Redis.Url}?prefix=t{Guid.NewGuid():N}:";

    /// <summary>
    /// Two applications in one CMDB: <c>bs:shop → svc:web → db:main</c> and <c>bs:api → svc:api</c>,
    /// plus <c>db:cache</c> that nothing depends on yet.
    /// </summary>
    public static TopologyDocument Topology() => TopologyFile.Parse("""
        {"cis":[
          {"id":"bs:shop","class":"business_service","criticality":"critical"},
          {"id":"svc:web","class":"service"},
          {"id":"db:main","class":"database","owner":"team-data"},
          {"id":"bs:api","class":"business_service","criticality":"high"},
          {"id":"svc:api","class":"service"},
          {"id":"db:cache","class":"database","owner":"team-cache"}],
         "relations":[
          {"from":"bs:shop","to":"svc:web"},{"from":"svc:web","to":"db:main"},
          {"from":"bs:api","to":"svc:api"}]}
        """u8, "topology.json");

    public static async Task ImportAsync(string url)
    {
        await using var store = await RedisTopologyStore.ConnectAsync(url);
        await store.ImportAsync(Topology(), CmdbImportMode.Replace, CancellationToken.None);
    }

    public async Task ProduceAsync(string topic, params string[] values)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = Kafka.BootstrapServers, Acks = Acks.All }).Build();
        foreach (var value in values)
        {
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]> { Value = Encoding.UTF8.GetBytes(value) });
        }
    }

    /// <summary>Reads <paramref name="topic"/> from the start until <paramref name="done"/> holds for what was read, or the timeout.</summary>
    public List<ConsumeResult<byte[]?, byte[]>> ReadUntil(string topic, Func<List<ConsumeResult<byte[]?, byte[]>>, bool> done, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = Kafka.BootstrapServers,
            GroupId = Kafka.UniqueName("reader"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var read = new List<ConsumeResult<byte[]?, byte[]>>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout && !done(read))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result)
            {
                read.Add(result);
            }
        }

        consumer.Close();
        return read;
    }

    /// <summary>The incident snapshots of a topic, as JSON.</summary>
    public static List<JsonElement> Incidents(List<ConsumeResult<byte[]?, byte[]>> records) =>
        records.Select(r => JsonDocument.Parse(r.Message.Value).RootElement).ToList();

    public long Committed(string group, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = Kafka.BootstrapServers, GroupId = group }).Build();
        var offsets = consumer.Committed([new TopicPartition(topic, 0)], TimeSpan.FromSeconds(10));
        return offsets.Sum(o => o.Offset.Value < 0 ? 0 : o.Offset.Value);
    }

    public static bool HasRelation(TopologyGraph graph, string from, string to) =>
        graph.TryGetNode(from, out int a) && graph.TryGetNode(to, out int b) && graph.GetRelationType(a, b) is not null;

    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return condition();
    }
}

[CollectionDefinition(Name)]
public sealed class CmdbWiringCollection : ICollectionFixture<CmdbWiringFixture>
{
    public const string Name = "cmdb wiring (redis + kafka)";
}
