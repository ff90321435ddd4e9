using System.Text.Json;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Connectors.Kafka.Formats;

/// <summary>
/// Reads the native record fields (CONTRACTS §2) from a parsed JSON object. Used for CloudEvents
/// <c>data</c>, where the envelope can supply the time, kind, source and CI the data leaves out.
/// </summary>
internal static class NativeRecordReader
{
    /// <summary>Values the caller knows from an envelope; the object's own fields win.</summary>
    public readonly record struct Defaults(long? Timestamp, TelemetryKind? Kind, string? Source, string? Ci);

    public static bool TryRead(JsonElement obj, Defaults defaults, out TelemetryRecord record, out string reason)
    {
        record = default;
        if (obj.ValueKind != JsonValueKind.Object)
        {
            reason = $"expected a JSON object, found {obj.ValueKind.ToString().ToLowerInvariant()}";
            return false;
        }

        long ts;
        if (obj.TryGetProperty("ts", out var tsValue))
        {
            if (!JsonFields.TryParseTimestamp(tsValue, out ts))
            {
                reason = $"ts: '{JsonFields.ScalarText(tsValue)}' is neither RFC 3339 nor epoch milliseconds";
                return false;
            }
        }
        else if (defaults.Timestamp is { } envelopeTs)
        {
            ts = envelopeTs;
        }
        else
        {
            reason = "ts: missing";
            return false;
        }

        TelemetryKind kind;
        var kindText = JsonFields.OptionalString(obj, "kind");
        if (kindText is not null)
        {
            if (!JsonFields.TryParseKind(kindText, out kind))
            {
                reason = $"kind: '{kindText}' is not event, metric, log or change";
                return false;
            }
        }
        else if (defaults.Kind is { } envelopeKind)
        {
            kind = envelopeKind;
        }
        else
        {
            reason = "kind: missing";
            return false;
        }

        var ci = JsonFields.OptionalString(obj, "ci") ?? defaults.Ci;
        var labels = obj.TryGetProperty("labels", out var labelsValue) ? JsonFields.ReadLabels(labelsValue) : LabelSet.Empty;
        switch (kind)
        {
            case TelemetryKind.Event:
                {
                    var severityText = JsonFields.OptionalString(obj, "severity");
                    var severity = Severity.Warning;
                    if (severityText is not null && !JsonFields.TryParseSeverity(severityText, out severity))
                    {
                        reason = $"severity: '{severityText}' is not critical, major, minor, warning or info";
                        return false;
                    }

                    var statusText = JsonFields.OptionalString(obj, "status");
                    var status = statusText switch
                    {
                        null or "firing" => AlertStatus.Firing,
                        "resolved" => AlertStatus.Resolved,
                        _ => (AlertStatus)255,
                    };
                    if ((byte)status == 255)
                    {
                        reason = $"status: '{statusText}' is not firing or resolved";
                        return false;
                    }

                    record = new TelemetryRecord(ts, kind, ci,
                        Source: JsonFields.OptionalString(obj, "source") ?? defaults.Source,
                        Check: JsonFields.OptionalString(obj, "check"),
                        Severity: severity,
                        Status: status,
                        DedupKey: JsonFields.OptionalString(obj, "dedup_key"),
                        Message: JsonFields.OptionalString(obj, "message"),
                        Labels: labels);
                    break;
                }

            case TelemetryKind.Metric:
                {
                    var name = JsonFields.OptionalString(obj, "name");
                    if (name is null)
                    {
                        reason = "name: missing (metric)";
                        return false;
                    }

                    if (!obj.TryGetProperty("value", out var valueElement) || valueElement.ValueKind != JsonValueKind.Number || !valueElement.TryGetDouble(out double value))
                    {
                        reason = "value: missing or not a number (metric)";
                        return false;
                    }

                    record = new TelemetryRecord(ts, kind, ci, Name: name, Value: value, Labels: labels);
                    break;
                }

            case TelemetryKind.Log:
                {
                    var levelText = JsonFields.OptionalString(obj, "level");
                    JsonFields.TryParseLevel(levelText, out var level);
                    record = new TelemetryRecord(ts, kind, ci, Message: JsonFields.OptionalString(obj, "message"), Level: level, Labels: labels);
                    break;
                }

            default:
                record = new TelemetryRecord(ts, kind, ci,
                    ChangeId: JsonFields.OptionalString(obj, "change_id"),
                    Description: JsonFields.OptionalString(obj, "description"),
                    Labels: labels);
                break;
        }

        reason = string.Empty;
        return true;
    }
}
