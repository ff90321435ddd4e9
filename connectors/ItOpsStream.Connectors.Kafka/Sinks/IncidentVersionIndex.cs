using System.Text.Json;
using Confluent.Kafka;

namespace ItOpsStream.Connectors.Kafka.Sinks;

/// <summary>
/// The highest version of each incident already in the incidents topic, read back when the sink
/// starts. After a crash the engine re-reads telemetry from its last committed offsets and produces
/// some incident versions again; the sink skips those, so the topic holds each
/// (<c>incident_id</c>, <c>version</c>) once.
/// </summary>
internal static class IncidentVersionIndex
{
    /// <summary>Reads <paramref name="topic"/> from the beginning to its current end.</summary>
    public static Dictionary<string, long> Load(KafkaSinkOptions options, string topic, TimeSpan timeout)
    {
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        var config = new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = "itopsstream-incident-index",
            EnableAutoCommit = false,
            EnablePartitionEof = false,
        };
        foreach (var (key, value) in options.ClientProperties)
        {
            config.Set(key, value);
        }

        // The admin client gets only the connection settings: handed the consumer's group and commit
        // properties, librdkafka warns about each of them on every start.
        var adminConfig = new AdminClientConfig { BootstrapServers = options.BootstrapServers };
        foreach (var (key, value) in options.ClientProperties)
        {
            adminConfig.Set(key, value);
        }

        using var admin = new AdminClientBuilder(adminConfig).Build();
        var metadata = admin.GetMetadata(topic, timeout);
        var partitions = metadata.Topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(topic, p.PartitionId))).ToList();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(config).Build();
        var ends = new Dictionary<TopicPartition, long>();
        foreach (var tp in partitions)
        {
            long high = consumer.QueryWatermarkOffsets(tp, timeout).High.Value;
            if (high > 0)
            {
                ends[tp] = high;
            }
        }

        if (ends.Count == 0)
        {
            return versions;
        }

        consumer.Assign(ends.Keys.Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
        var deadline = DateTime.UtcNow + timeout;
        while (ends.Count > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"reading back '{topic}' to skip already written incident versions took longer than {timeout.TotalSeconds:0} s");
            }

            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            if (result.Message.Key is { } key && TryVersion(result.Message.Value, out long version))
            {
                var id = System.Text.Encoding.UTF8.GetString(key);
                if (!versions.TryGetValue(id, out long known) || version > known)
                {
                    versions[id] = version;
                }
            }

            if (ends.TryGetValue(result.TopicPartition, out long end) && result.Offset.Value + 1 >= end)
            {
                ends.Remove(result.TopicPartition);
            }
        }

        consumer.Close();
        return versions;
    }

    private static bool TryVersion(byte[]? json, out long version)
    {
        version = 0;
        if (json is null)
        {
            return false;
        }

        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("version"u8))
                {
                    return reader.Read() && reader.TryGetInt64(out version);
                }
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }
}

/// <summary>An incident sink that drops versions the topic already holds (see <see cref="IncidentVersionIndex"/>).</summary>
internal sealed class DeduplicatingIncidentSink(KafkaRecordSink<Engine.Incidents.IncidentRecord> inner, Dictionary<string, long> written)
    : Engine.Pipeline.IRecordSink<Engine.Incidents.IncidentRecord>, IDisposable
{
    private readonly List<Engine.Incidents.IncidentRecord> _fresh = [];

    public long Skipped { get; private set; }

    public async ValueTask WriteAsync(IReadOnlyList<Engine.Incidents.IncidentRecord> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _fresh.Clear();
        foreach (var incident in batch)
        {
            if (written.TryGetValue(incident.IncidentId, out long known) && incident.Version <= known)
            {
                Skipped++;
                continue;
            }

            written[incident.IncidentId] = incident.Version;
            _fresh.Add(incident);
        }

        if (_fresh.Count > 0)
        {
            await inner.WriteAsync(_fresh, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public void Dispose() => inner.Dispose();
}
