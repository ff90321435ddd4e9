using ItOpsStream.Connectors.Kafka.Formats;

namespace ItOpsStream.Connectors.Kafka.Source;

/// <summary>Options of <see cref="KafkaTelemetrySource"/>. Immutable; <see cref="Validate"/> names the first bad value.</summary>
public sealed record KafkaSourceOptions
{
    public static KafkaSourceOptions Default { get; } = new();

    /// <summary>Kafka <c>bootstrap.servers</c>. Default <c>localhost:9092</c>.</summary>
    public string BootstrapServers { get; init; } = "localhost:9092";

    /// <summary>Consumer group; engine processes sharing it split the partitions. Default <c>itopsstream</c>.</summary>
    public string GroupId { get; init; } = "itopsstream";

    /// <summary>Topic → record format (<see cref="FormatNames"/>). Default the three telemetry topics, detected from content.</summary>
    public IReadOnlyDictionary<string, string> Topics { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["itops.metrics"] = FormatNames.Auto,
        ["itops.logs"] = FormatNames.Auto,
        ["itops.events"] = FormatNames.Auto,
    };

    /// <summary>How the non-native formats map onto telemetry records.</summary>
    public FormatOptions Formats { get; init; } = FormatOptions.Default;

    /// <summary>Most messages in one batch (one batch never mixes partitions). Default 1000.</summary>
    public int MaxBatchSize { get; init; } = 1000;

    /// <summary>Longest a consumed record waits for its batch to fill. Default 20 ms.</summary>
    public TimeSpan MaxBatchDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How often completed offsets are committed (also on revoke and close). Default 1 s.</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>On revoke, how long to wait for in-flight batches of the revoked partitions before committing what is complete. Default 2 s.</summary>
    public TimeSpan RevokeDrainTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>On shutdown, how long to wait for in-flight batches to be delivered before the final commit. Default 10 s.</summary>
    public TimeSpan ShutdownDrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where a group with no committed offset starts: <c>earliest</c> or <c>latest</c>. Default <c>earliest</c> (nothing is skipped).</summary>
    public string AutoOffsetReset { get; init; } = "earliest";

    /// <summary>
    /// Extra librdkafka properties passed through unchanged, e.g. <c>security.protocol</c>, <c>sasl.mechanism</c>,
    /// <c>sasl.username</c>, <c>sasl.password</c>, <c>ssl.ca.location</c>. Applied last, except the
    /// offset-handling properties the at-least-once guarantee depends on.
    /// </summary>
    public IReadOnlyDictionary<string, string> ClientProperties { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            throw new ArgumentException("bootstrap servers must not be empty", nameof(BootstrapServers));
        }

        if (string.IsNullOrWhiteSpace(GroupId))
        {
            throw new ArgumentException("group id must not be empty", nameof(GroupId));
        }

        if (Topics.Count == 0)
        {
            throw new ArgumentException("at least one topic is required", nameof(Topics));
        }

        foreach (var (topic, format) in Topics)
        {
            if (string.IsNullOrWhiteSpace(topic))
            {
                throw new ArgumentException("topic names must not be empty", nameof(Topics));
            }

            if (!FormatNames.IsKnown(format))
            {
                throw new ArgumentException($"topic '{topic}': format '{format}' is not one of {string.Join(", ", FormatNames.All)}", nameof(Topics));
            }
        }

        ArgumentNullException.ThrowIfNull(Formats);
        Formats.Validate();
        if (MaxBatchSize < 1)
        {
            throw new ArgumentException($"max batch size must be at least 1 (got {MaxBatchSize})", nameof(MaxBatchSize));
        }

        if (MaxBatchDelay < TimeSpan.Zero || CommitInterval <= TimeSpan.Zero || RevokeDrainTimeout < TimeSpan.Zero || ShutdownDrainTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("batch delay and drain timeouts must not be negative and the commit interval must be positive");
        }

        if (AutoOffsetReset is not ("earliest" or "latest"))
        {
            throw new ArgumentException($"auto offset reset must be earliest or latest (got '{AutoOffsetReset}')", nameof(AutoOffsetReset));
        }

        foreach (var key in ClientProperties.Keys)
        {
            if (ProtectedProperties.Contains(key))
            {
                throw new ArgumentException($"client property '{key}' is managed by the source (at-least-once offsets) and cannot be overridden", nameof(ClientProperties));
            }
        }
    }

    internal static readonly HashSet<string> ProtectedProperties = new(StringComparer.Ordinal)
    {
        "enable.auto.offset.store", "group.id", "bootstrap.servers", "enable.partition.eof",
    };
}
