using System.Text;
using Confluent.Kafka;
using ItOpsStream.Connectors.Kafka.Broker;
using ItOpsStream.TestKit.Kafka;

namespace ItOpsStream.Connectors.Kafka.Tests.Broker;

public sealed class EmbeddedKafkaClusterTests
{
    [Fact]
    public void Start_ThreeBrokers_ListsThreeLoopbackAddresses()
    {
        using var cluster = EmbeddedKafkaCluster.Start(3);

        var addresses = cluster.BootstrapServers.Split(',');
        Assert.Equal(3, addresses.Length);
        Assert.All(addresses, a => Assert.StartsWith("127.0.0.1:", a, StringComparison.Ordinal));
    }

    [Fact]
    public void CreateTopic_WithPartitions_IsVisibleInClientMetadata()
    {
        using var cluster = EmbeddedKafkaCluster.Start(2);
        cluster.CreateTopic("orders", 5, replicationFactor: 2);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var metadata = admin.GetMetadata("orders", TimeSpan.FromSeconds(10));

        var topic = Assert.Single(metadata.Topics);
        Assert.Equal(5, topic.Partitions.Count);
        Assert.All(topic.Partitions, p => Assert.Equal(2, p.Replicas.Length));
    }

    [Fact]
    public void CreateTopic_Twice_IsAcceptedAsAlreadyThere()
    {
        using var cluster = EmbeddedKafkaCluster.Start(1);
        cluster.CreateTopic("t", 2);
        cluster.CreateTopic("t", 2);
    }

    [Fact]
    public void CreateTopic_MoreReplicasThanBrokers_Throws()
    {
        using var cluster = EmbeddedKafkaCluster.Start(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => cluster.CreateTopic("t", 1, replicationFactor: 2));
    }

    [Fact]
    public void CreateTopic_AfterDispose_Throws()
    {
        var cluster = EmbeddedKafkaCluster.Start(1);
        cluster.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cluster.CreateTopic("t", 1));
    }

    [Fact]
    public async Task ProduceThenConsume_InAGroup_ReturnsTheRecordsInOrder()
    {
        using var cluster = EmbeddedKafkaCluster.Start(1);
        cluster.CreateTopic("in-order", 1);

        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, EnableIdempotence = true }).Build())
        {
            for (int i = 0; i < 10; i++)
            {
                await producer.ProduceAsync("in-order", new Message<Null, string> { Value = $"m{i}" });
            }
        }

        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = "g",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe("in-order");
        var seen = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (seen.Count < 10 && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is not null)
            {
                seen.Add(result.Message.Value);
            }
        }

        consumer.Close();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"m{i}"), seen);
    }

    [Fact]
    public void LibrdkafkaLoader_ReturnsTheLibraryConfluentKafkaUses()
    {
        var handle = LibrdkafkaLoader.EnsureLoaded();

        Assert.NotEqual(IntPtr.Zero, handle);
        Assert.Equal(handle, LibrdkafkaLoader.EnsureLoaded());
        // Same copy: the version the managed client reports is the one our handle exports.
        var versionString = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(VersionString(handle));
        Assert.Equal(Library.VersionString, versionString);
    }

    [Fact]
    public async Task KafkaMockProcess_ServesClientsAndStopsOnDispose()
    {
        using var broker = await KafkaMockProcess.StartAsync(brokers: 1, ("proc-topic", 2));

        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            var delivered = await producer.ProduceAsync("proc-topic", new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes("x") });
            Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        Assert.Equal(2, admin.GetMetadata("proc-topic", TimeSpan.FromSeconds(10)).Topics[0].Partitions.Count);
    }

    private static unsafe IntPtr VersionString(IntPtr library) =>
        ((delegate* unmanaged[Cdecl]<IntPtr>)System.Runtime.InteropServices.NativeLibrary.GetExport(library, "rd_kafka_version_str"))();
}
