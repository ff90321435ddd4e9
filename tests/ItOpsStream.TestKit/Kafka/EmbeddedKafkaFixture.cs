using System.Globalization;
using ItOpsStream.Connectors.Kafka.Broker;

namespace ItOpsStream.TestKit.Kafka;

/// <summary>
/// One embedded Kafka broker hosted in the test process, shared by a test collection; each test asks
/// for fresh topic and group names so tests never see each other's records.
/// </summary>
public sealed class EmbeddedKafkaFixture : IDisposable
{
    private int _counter;

    /// <summary>Starts a three-broker cluster, like a small production one.</summary>
    public EmbeddedKafkaFixture() => Cluster = EmbeddedKafkaCluster.Start(3);

    public EmbeddedKafkaCluster Cluster { get; }

    public string BootstrapServers => Cluster.BootstrapServers;

    /// <summary>Creates a topic with a name no other test uses.</summary>
    public string NewTopic(string prefix, int partitions)
    {
        var name = UniqueName(prefix);
        Cluster.CreateTopic(name, partitions);
        return name;
    }

    /// <summary>A name unique within this fixture's lifetime (topics, consumer groups).</summary>
    public string UniqueName(string prefix) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid():N}")[..Math.Min(prefix.Length + 20, 200)];

    public void Dispose() => Cluster.Dispose();
}
