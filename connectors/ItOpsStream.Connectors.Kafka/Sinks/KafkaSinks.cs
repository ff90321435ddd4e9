using System.Globalization;
using System.Text;
using Confluent.Kafka;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Connectors.Kafka.Sinks;

/// <summary>The engine's three output topics as sinks.</summary>
public static class KafkaSinks
{
    public const string IncidentsTopic = "itops.incidents";
    public const string RemediationsTopic = "itops.remediations";
    public const string DeadLetterTopic = "itops.deadletter";

    /// <summary>
    /// Incident records keyed by <c>incident_id</c>, so every version of an incident lands on one
    /// partition in order and a compacted topic keeps the latest.
    /// </summary>
    /// <param name="options">Connection; a null <see cref="KafkaSinkOptions.Topic"/> means <c>itops.incidents</c>.</param>
    /// <param name="serialize">Writes one incident as the JSON of CONTRACTS §3.</param>
    public static KafkaRecordSink<IncidentRecord> Incidents(KafkaSinkOptions options, Func<IncidentRecord, byte[]> serialize)
    {
        ArgumentNullException.ThrowIfNull(serialize);
        ArgumentNullException.ThrowIfNull(options);
        return new KafkaRecordSink<IncidentRecord>(options with { Topic = options.Topic ?? IncidentsTopic }, incident => (Encoding.UTF8.GetBytes(incident.IncidentId), serialize(incident)));
    }

    /// <summary>
    /// Like <see cref="Incidents"/>, but first reads the topic back and then skips every
    /// (<c>incident_id</c>, <c>version</c>) it already holds: what an engine restarted after a crash
    /// re-produces from re-read telemetry is not written twice.
    /// </summary>
    public static IRecordSink<IncidentRecord> IncidentsOnce(KafkaSinkOptions options, Func<IncidentRecord, byte[]> serialize, TimeSpan readBackTimeout)
    {
        var sink = Incidents(options, serialize);
        try
        {
            return new DeduplicatingIncidentSink(sink, IncidentVersionIndex.Load(options, sink.Topic, readBackTimeout));
        }
        catch
        {
            sink.Dispose();
            throw;
        }
    }

    /// <summary>Remediation triggers keyed by what <paramref name="serialize"/> returns (the trigger id, so re-sends are recognisable).</summary>
    public static KafkaRecordSink<T> Remediations<T>(KafkaSinkOptions options, Func<T, (byte[]? Key, byte[] Value)> serialize) =>
        new((options ?? throw new ArgumentNullException(nameof(options))) with { Topic = options.Topic ?? RemediationsTopic }, serialize);

    /// <summary>
    /// Dead letters: the original bytes unchanged as the value, the reason in headers named as Kafka
    /// Connect's dead-letter queue names them (<c>__connect.errors.*</c>), so existing DLQ tooling reads them.
    /// </summary>
    public static KafkaRecordSink<DeadLetter> DeadLetters(KafkaSinkOptions options) =>
        new((options ?? throw new ArgumentNullException(nameof(options))) with { Topic = options.Topic ?? DeadLetterTopic }, ToDeadLetterMessage);

    /// <summary>Header names of a dead-letter record.</summary>
    public static class DeadLetterHeaders
    {
        public const string Topic = "__connect.errors.topic";
        public const string Partition = "__connect.errors.partition";
        public const string Offset = "__connect.errors.offset";
        public const string Stage = "__connect.errors.stage";
        public const string ConnectorName = "__connect.errors.connector.name";
        public const string ExceptionClass = "__connect.errors.exception.class.name";
        public const string ExceptionMessage = "__connect.errors.exception.message";
    }

    internal static Message<byte[]?, byte[]> ToDeadLetterMessage(DeadLetter letter)
    {
        var origin = letter.Origin;
        var headers = new Headers
        {
            { DeadLetterHeaders.Topic, Encoding.UTF8.GetBytes(origin.Source) },
            { DeadLetterHeaders.Partition, Encoding.UTF8.GetBytes(origin.Partition.ToString(CultureInfo.InvariantCulture)) },
            { DeadLetterHeaders.Offset, Encoding.UTF8.GetBytes(origin.Offset.ToString(CultureInfo.InvariantCulture)) },
            { DeadLetterHeaders.Stage, Encoding.UTF8.GetBytes(letter.Stage) },
            { DeadLetterHeaders.ConnectorName, "itopsstream"u8.ToArray() },
            { DeadLetterHeaders.ExceptionClass, Encoding.UTF8.GetBytes(letter.ErrorClass) },
            { DeadLetterHeaders.ExceptionMessage, Encoding.UTF8.GetBytes(letter.Reason) },
        };

        // Keyed by source partition so the dead letters of one partition stay in their original order.
        var key = origin.IsFile ? null : Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{origin.Source}-{origin.Partition}"));
        return new Message<byte[]?, byte[]> { Key = key, Value = letter.Payload.ToArray(), Headers = headers };
    }
}
