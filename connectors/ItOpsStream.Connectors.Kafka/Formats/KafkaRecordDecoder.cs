using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Connectors.Kafka.Formats;

/// <summary>
/// The pipeline's decoder for records read by <see cref="Source.KafkaTelemetrySource"/>: native records
/// are decoded by the engine's decoder; a record still in another format is one the source could not
/// convert, and is refused here with the converter's reason (so it reaches the dead letters).
/// </summary>
/// <remarks>Not thread-safe: the pipeline creates one per decode worker.</remarks>
public sealed class KafkaRecordDecoder(FormatOptions? options = null, DecoderLimits? limits = null) : IRecordDecoder
{
    private readonly TelemetryMessageDecoder _decoder = new(options, limits);
    private readonly List<TelemetryRecord> _records = [];

    public bool TryDecode(in RawRecord raw, out TelemetryRecord record, out string errorClass, out string reason)
    {
        _records.Clear();
        if (_decoder.Decode(raw, _records) is { } dead)
        {
            (record, errorClass, reason) = (default, dead.ErrorClass, dead.Reason);
            return false;
        }

        if (_records.Count == 1)
        {
            (record, errorClass, reason) = (_records[0], string.Empty, string.Empty);
            return true;
        }

        // Only reachable when a message bypassed KafkaTelemetrySource, which expands multi-record formats.
        (record, errorClass, reason) = (default, "format.record_count", $"{raw.Format ?? "message"} holds {_records.Count} records where one is expected; read it through the Kafka source");
        return false;
    }
}
