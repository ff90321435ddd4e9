using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Connectors.Kafka.Formats;

/// <summary>
/// Writes a telemetry record in the native shape of CONTRACTS §2. Converted formats go through it
/// and back through <see cref="TelemetryDecoder"/>, so every format obeys the same rules and limits
/// and reaches the pipeline as native records.
/// </summary>
internal static class NativeJsonWriter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] ToUtf8(in TelemetryRecord record, ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writer.WriteNumber("ts"u8, record.Timestamp);
            writer.WriteString("kind"u8, KindName(record.Kind));
            WriteOptional(writer, "ci"u8, record.Ci);
            switch (record.Kind)
            {
                case TelemetryKind.Event:
                    WriteOptional(writer, "source"u8, record.Source);
                    WriteOptional(writer, "check"u8, record.Check);
                    writer.WriteString("severity"u8, SeverityName(record.Severity));
                    writer.WriteString("status"u8, record.Status == AlertStatus.Resolved ? "resolved" : "firing");
                    WriteOptional(writer, "dedup_key"u8, record.DedupKey);
                    WriteOptional(writer, "message"u8, record.Message);
                    break;
                case TelemetryKind.Metric:
                    WriteOptional(writer, "name"u8, record.Name);
                    writer.WriteNumber("value"u8, record.Value);
                    break;
                case TelemetryKind.Log:
                    writer.WriteString("message"u8, record.Message ?? string.Empty);
                    if (record.Level != LogLevel.Unknown)
                    {
                        writer.WriteString("level"u8, record.Level.ToString().ToLowerInvariant());
                    }

                    break;
                default:
                    WriteOptional(writer, "change_id"u8, record.ChangeId);
                    WriteOptional(writer, "description"u8, record.Description);
                    break;
            }

            if (record.Labels.Count > 0)
            {
                writer.WriteStartObject("labels"u8);
                foreach (var (key, value) in record.Labels.AsSpan())
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static string KindName(TelemetryKind kind) => kind switch
    {
        TelemetryKind.Event => "event",
        TelemetryKind.Metric => "metric",
        TelemetryKind.Log => "log",
        _ => "change",
    };

    private static string SeverityName(Severity severity) => severity switch
    {
        Severity.Critical => "critical",
        Severity.Major => "major",
        Severity.Minor => "minor",
        Severity.Warning => "warning",
        _ => "info",
    };
}
