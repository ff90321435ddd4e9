using System.Globalization;

namespace ItOpsStream.Connectors.Kafka.Broker;

/// <summary>Options of <see cref="EmbeddedKafkaCluster"/>.</summary>
public sealed record EmbeddedKafkaOptions
{
    public static EmbeddedKafkaOptions Default { get; } = new();

    /// <summary>Number of brokers (1 to 32). Default 1.</summary>
    public int Brokers { get; init; } = 1;

    /// <summary>
    /// How long the group coordinator waits for more members before the first assignment of a new group.
    /// Kafka's default is 3 s; 200 ms keeps tests and the demo quick while still collecting members that
    /// start together. Default 200 ms.
    /// </summary>
    public TimeSpan GroupInitialRebalanceDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>librdkafka log level of the broker's own handle (syslog scale, 0–7). Default 3 (errors only).</summary>
    public int LogLevel { get; init; } = 3;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Brokers, 1, nameof(Brokers));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Brokers, 32, nameof(Brokers));
        ArgumentOutOfRangeException.ThrowIfLessThan(GroupInitialRebalanceDelay, TimeSpan.Zero, nameof(GroupInitialRebalanceDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(LogLevel, 0, nameof(LogLevel));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(LogLevel, 7, nameof(LogLevel));
    }
}

/// <summary>
/// A Kafka-protocol broker on loopback, hosted in this process: librdkafka's mock cluster (produce,
/// idempotent and transactional producers, consumer groups, offset commits), reached through the same
/// native library Confluent.Kafka uses. Any Kafka client connects to <see cref="BootstrapServers"/>.
/// </summary>
/// <remarks>
/// The cluster lives as long as this object and dies with the process: tests that kill the engine
/// host it in a separate process (<c>itopsstream kafka-mock</c>). Topics are auto-created on first
/// use with the mock's default partition count; create them with <see cref="CreateTopic"/> to choose.
/// Methods are thread-safe.
/// </remarks>
public sealed class EmbeddedKafkaCluster : IDisposable
{
    private readonly Lock _gate = new();
    private IntPtr _handle;
    private IntPtr _cluster;

    private EmbeddedKafkaCluster(IntPtr handle, IntPtr cluster, int brokers)
    {
        _handle = handle;
        _cluster = cluster;
        BrokerCount = brokers;
        BootstrapServers = MockClusterNative.Bootstraps(cluster);
    }

    /// <summary>Comma-separated <c>host:port</c> list of the brokers, for <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    public int BrokerCount { get; }

    /// <summary>Starts a cluster; it is listening when this returns.</summary>
    /// <exception cref="DllNotFoundException">librdkafka cannot be loaded on this machine.</exception>
    public static EmbeddedKafkaCluster Start(EmbeddedKafkaOptions? options = null)
    {
        options ??= EmbeddedKafkaOptions.Default;
        options.Validate();
        var handle = MockClusterNative.NewHandle(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["client.id"] = "itopsstream-embedded-broker",
            ["log_level"] = options.LogLevel.ToString(CultureInfo.InvariantCulture),
        });
        var cluster = MockClusterNative.ClusterNew(handle, options.Brokers);
        if (cluster == IntPtr.Zero)
        {
            MockClusterNative.DestroyHandle(handle);
            throw new InvalidOperationException($"rd_kafka_mock_cluster_new failed for {options.Brokers} broker(s) (no free loopback port?)");
        }

        MockClusterNative.GroupInitialRebalanceDelay(cluster, (int)options.GroupInitialRebalanceDelay.TotalMilliseconds);
        return new EmbeddedKafkaCluster(handle, cluster, options.Brokers);
    }

    /// <summary>Starts a cluster with <paramref name="brokers"/> brokers and default options.</summary>
    public static EmbeddedKafkaCluster Start(int brokers) => Start(EmbeddedKafkaOptions.Default with { Brokers = brokers });

    /// <summary>Creates a topic (or does nothing if it exists with any partition count).</summary>
    /// <param name="topic">Topic name.</param>
    /// <param name="partitions">Partition count, at least 1.</param>
    /// <param name="replicationFactor">Replicas per partition, 1 to <see cref="BrokerCount"/>.</param>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(replicationFactor, BrokerCount);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
            int error = MockClusterNative.TopicCreate(_cluster, topic, partitions, replicationFactor);
            // RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS (36) is not an error for a "make sure it exists" call.
            if (error != 0 && error != 36)
            {
                throw new InvalidOperationException($"creating topic '{topic}' with {partitions} partitions failed: {MockClusterNative.ErrorName(error)}");
            }
        }
    }

    /// <summary>Stops the brokers; connected clients see them go down.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster == IntPtr.Zero)
            {
                return;
            }

            MockClusterNative.ClusterDestroy(_cluster);
            MockClusterNative.DestroyHandle(_handle);
            _cluster = IntPtr.Zero;
            _handle = IntPtr.Zero;
        }
    }
}
