using System.Globalization;
using Confluent.Kafka;
using ItOpsStream.Engine.Pipeline;

namespace ItOpsStream.Connectors.Kafka.Sinks;

/// <summary>
/// Writes records of one type to one Kafka topic through an idempotent producer (<c>acks=all</c>, no
/// duplicates or reordering from retries). <see cref="WriteAsync"/> hands records to the producer;
/// <see cref="FlushAsync"/> returns once every one of them is acknowledged by the brokers, and throws
/// <see cref="KafkaDeliveryException"/> if any was not.
/// </summary>
/// <remarks>
/// Delivery reports arrive on the producer's background thread; failures are counted there and
/// reported by the next flush. When the producer's local queue is full, writing waits for it to drain.
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed class KafkaRecordSink<T> : IRecordSink<T>, IDisposable
{
    private readonly IProducer<byte[]?, byte[]> _producer;
    private readonly Func<T, Message<byte[]?, byte[]>> _toMessage;
    private readonly Action<DeliveryReport<byte[]?, byte[]>> _onDelivery;
    private readonly string _topic;
    private long _failed;
    private long _delivered;
    private string? _firstFailure;

    /// <summary>Creates a sink writing <paramref name="serialize"/>'s key and value for each record.</summary>
    public KafkaRecordSink(KafkaSinkOptions options, Func<T, (byte[]? Key, byte[] Value)> serialize)
        : this(options, WithoutHeaders(serialize))
    {
    }

    internal KafkaRecordSink(KafkaSinkOptions options, Func<T, Message<byte[]?, byte[]>> toMessage)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(toMessage);
        options.Validate();
        _topic = options.Topic ?? throw new ArgumentException("a generic sink needs an explicit topic", nameof(options));
        _toMessage = toMessage;
        _producer = new ProducerBuilder<byte[]?, byte[]>(ProducerConfigFor(options)).Build();
        _onDelivery = report =>
        {
            if (report.Error.IsError)
            {
                if (Interlocked.Increment(ref _failed) == 1)
                {
                    Volatile.Write(ref _firstFailure, $"{report.Error.Code}: {report.Error.Reason}");
                }
            }
            else
            {
                Interlocked.Increment(ref _delivered);
            }
        };
    }

    /// <summary>Records acknowledged by the brokers so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    public string Topic => _topic;

    public async ValueTask WriteAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        for (int i = 0; i < batch.Count; i++)
        {
            var message = _toMessage(batch[i]);
            while (true)
            {
                try
                {
                    _producer.Produce(_topic, message, _onDelivery);
                    break;
                }
                catch (ProduceException<byte[]?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    // The producer holds as much as it may: wait for deliveries to make room.
                    await Task.Delay(5, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        // Flush blocks until every outstanding delivery report has been served.
        await Task.Run(() => _producer.Flush(cancellationToken), cancellationToken).ConfigureAwait(false);
        long failed = Interlocked.Exchange(ref _failed, 0);
        if (failed > 0)
        {
            var first = Interlocked.Exchange(ref _firstFailure, null);
            throw new KafkaDeliveryException(string.Create(CultureInfo.InvariantCulture, $"{failed} record(s) could not be delivered to '{_topic}'; first error {first}"));
        }
    }

    /// <summary>Flushes for at most 10 s, then releases the producer (undelivered records are lost, as they were never acknowledged).</summary>
    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }

    internal static ProducerConfig ProducerConfigFor(KafkaSinkOptions options)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = "itopsstream-sink",
            LingerMs = options.Linger.TotalMilliseconds,
            MessageTimeoutMs = (int)options.DeliveryTimeout.TotalMilliseconds,
        };
        foreach (var (key, value) in options.ClientProperties)
        {
            config.Set(key, value);
        }

        // Retries must neither duplicate nor reorder incident versions.
        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        return config;
    }

    private static Func<T, Message<byte[]?, byte[]>> WithoutHeaders(Func<T, (byte[]? Key, byte[] Value)> serialize)
    {
        ArgumentNullException.ThrowIfNull(serialize);
        return record =>
        {
            var (key, value) = serialize(record);
            return new Message<byte[]?, byte[]> { Key = key, Value = value };
        };
    }
}
