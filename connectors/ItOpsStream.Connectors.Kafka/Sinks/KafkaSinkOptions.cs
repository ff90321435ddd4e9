namespace ItOpsStream.Connectors.Kafka.Sinks;

/// <summary>Options of a Kafka sink (one topic). Immutable; <see cref="Validate"/> names the first bad value.</summary>
public sealed record KafkaSinkOptions
{
    public static KafkaSinkOptions Default { get; } = new();

    /// <summary>Kafka <c>bootstrap.servers</c>. Default <c>localhost:9092</c>.</summary>
    public string BootstrapServers { get; init; } = "localhost:9092";

    /// <summary>Destination topic; null means the sink's standard topic (<c>itops.incidents</c>, <c>itops.remediations</c>, <c>itops.deadletter</c>).</summary>
    public string? Topic { get; init; }

    /// <summary>How long the producer waits to fill a batch (<c>linger.ms</c>). Default 5 ms.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How long a record may wait for delivery, retries included, before it fails (<c>message.timeout.ms</c>). Default 60 s.</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Extra librdkafka properties passed through unchanged (<c>security.protocol</c>, <c>sasl.*</c>,
    /// <c>ssl.*</c>, <c>compression.type</c>…). Idempotence and <c>acks=all</c> cannot be turned off.
    /// </summary>
    public IReadOnlyDictionary<string, string> ClientProperties { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            throw new ArgumentException("bootstrap servers must not be empty", nameof(BootstrapServers));
        }

        if (Topic is not null && string.IsNullOrWhiteSpace(Topic))
        {
            throw new ArgumentException("topic must not be blank", nameof(Topic));
        }

        if (Linger < TimeSpan.Zero || DeliveryTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("linger must not be negative and the delivery timeout must be positive");
        }

        foreach (var key in ClientProperties.Keys)
        {
            if (key is "enable.idempotence" or "acks" or "request.required.acks" or "bootstrap.servers")
            {
                throw new ArgumentException($"client property '{key}' is managed by the sink (idempotent, acks=all) and cannot be overridden", nameof(ClientProperties));
            }
        }
    }
}

/// <summary>Delivery to Kafka failed for at least one record; the message says how many and the first reason.</summary>
public sealed class KafkaDeliveryException(string message) : Exception(message);
