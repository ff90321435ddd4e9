using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ItOpsStream.Engine.Incidents;

/// <summary>
/// Writes incident records in the CONTRACTS §3 shape: snake_case fields in a fixed order, times as
/// RFC 3339 UTC (<c>2026-11-25T12:00:05Z</c>, milliseconds only when not zero), one object per
/// record. The same bytes go to a JSON Lines file or a Kafka message.
/// </summary>
public static class IncidentJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Non-ASCII CI names stay readable; this is JSON in files and topics, never HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    /// <summary>The record as UTF-8 JSON bytes (no trailing newline).</summary>
    public static byte[] ToUtf8(IncidentRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, record);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes one record as a JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, IncidentRecord record)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(record);
        writer.WriteStartObject();
        writer.WriteString("incident_id", record.IncidentId);
        writer.WriteNumber("version", record.Version);
        writer.WriteString("action", ActionName(record.Action));
        WriteTime(writer, "opened_at", record.OpenedAt);
        WriteTime(writer, "updated_at", record.UpdatedAt);
        WriteTime(writer, "resolved_at", record.ResolvedAt);
        writer.WriteString("title", record.Title);
        writer.WriteString("priority", record.Priority);
        writer.WriteNumber("impact", record.Impact);
        writer.WriteNumber("urgency", record.Urgency);
        writer.WriteStartArray("root_cause");
        foreach (var candidate in record.RootCause)
        {
            writer.WriteStartObject();
            writer.WriteString("ci", candidate.Ci);
            writer.WriteNumber("score", candidate.Score);
            writer.WriteString("reason", candidate.Reason);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("impacted_services");
        foreach (var service in record.ImpactedServices)
        {
            writer.WriteStringValue(service);
        }

        writer.WriteEndArray();
        WriteNullable(writer, "cmdb_ci", record.CmdbCi);
        WriteNullable(writer, "assignment_group", record.AssignmentGroup);
        writer.WriteStartArray("alerts");
        foreach (var alert in record.Alerts)
        {
            writer.WriteStartObject();
            writer.WriteString("fingerprint", alert.Fingerprint);
            WriteNullable(writer, "ci", alert.Ci);
            WriteNullable(writer, "check", alert.Check);
            writer.WriteString("severity", SeverityName(alert.Severity));
            writer.WriteString("status", alert.Status == Telemetry.AlertStatus.Firing ? "firing" : "resolved");
            WriteTime(writer, "first_seen", alert.FirstSeen);
            WriteTime(writer, "last_seen", alert.LastSeen);
            writer.WriteNumber("count", alert.Count);
            writer.WriteBoolean("flapping", alert.Flapping);
            if (alert.Inhibited)
            {
                writer.WriteBoolean("inhibited", true);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("changes");
        foreach (var change in record.Changes)
        {
            writer.WriteStartObject();
            writer.WriteString("change_id", change.ChangeId);
            WriteNullable(writer, "ci", change.Ci);
            WriteTime(writer, "ts", change.Timestamp);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("explanation");
        foreach (var line in record.Explanation)
        {
            writer.WriteStringValue(line);
        }

        writer.WriteEndArray();
        if (record.MergedInto is not null)
        {
            writer.WriteString("merged_into", record.MergedInto);
        }

        writer.WriteEndObject();
    }

    /// <summary>RFC 3339 UTC text of an epoch-millisecond time; whole seconds are written without a fraction.</summary>
    public static string FormatTime(long epochMs)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(epochMs).UtcDateTime;
        return time.ToString(epochMs % 1000 == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    public static string ActionName(IncidentAction action) => action switch
    {
        IncidentAction.Open => "open",
        IncidentAction.Update => "update",
        IncidentAction.Resolve => "resolve",
        IncidentAction.Reopen => "reopen",
        IncidentAction.Merge => "merge",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static string SeverityName(Telemetry.Severity severity) => severity switch
    {
        Telemetry.Severity.Critical => "critical",
        Telemetry.Severity.Major => "major",
        Telemetry.Severity.Minor => "minor",
        Telemetry.Severity.Warning => "warning",
        _ => "info",
    };

    private static void WriteTime(Utf8JsonWriter writer, string name, long? epochMs)
    {
        if (epochMs is { } ms)
        {
            writer.WriteString(name, FormatTime(ms));
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
