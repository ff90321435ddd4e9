using System.Text.Json;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Connectors.Kafka.Formats;

/// <summary>
/// Prometheus Alertmanager webhook payload (version 4): one event per entry of <c>alerts</c>.
/// The alert's <c>fingerprint</c> becomes the dedup key, so firing and resolved notifications of one
/// alert land on the same engine alert.
/// </summary>
internal sealed class AlertmanagerFormat(FormatOptions options) : ITelemetryFormat
{
    // Alertmanager writes this for "no end" on firing alerts.
    private const long ZeroTimeMs = -62135596800000;

    public string Name => FormatNames.Alertmanager;

    public bool TryConvert(ReadOnlySpan<byte> payload, List<TelemetryRecord> output, out FormatError error)
    {
        if (!JsonPayload.TryParse(payload, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("alerts", out var alerts) || alerts.ValueKind != JsonValueKind.Array)
            {
                error = FormatError.Invalid(Name, "alerts: missing or not an array");
                return false;
            }

            int start = output.Count;
            int index = 0;
            foreach (var alert in alerts.EnumerateArray())
            {
                if (!TryConvertAlert(alert, out var record, out var reason))
                {
                    output.RemoveRange(start, output.Count - start);
                    error = FormatError.Invalid(Name, $"alerts[{index}].{reason}");
                    return false;
                }

                output.Add(record);
                index++;
            }

            return true;
        }
    }

    private bool TryConvertAlert(JsonElement alert, out TelemetryRecord record, out string reason)
    {
        record = default;
        if (alert.ValueKind != JsonValueKind.Object)
        {
            reason = "alert: not an object";
            return false;
        }

        var statusText = JsonFields.OptionalString(alert, "status");
        AlertStatus status;
        switch (statusText)
        {
            case "firing": status = AlertStatus.Firing; break;
            case "resolved": status = AlertStatus.Resolved; break;
            default:
                reason = $"status: '{statusText}' is not firing or resolved";
                return false;
        }

        var labels = alert.TryGetProperty("labels", out var labelsValue) ? JsonFields.ReadLabels(labelsValue) : LabelSet.Empty;
        if (!labels.TryGetValue("alertname", out var alertName))
        {
            reason = "labels.alertname: missing";
            return false;
        }

        if (!TryTime(alert, "startsAt", out long startsAt, out reason))
        {
            return false;
        }

        long ts = startsAt;
        if (status == AlertStatus.Resolved && alert.TryGetProperty("endsAt", out _))
        {
            if (!TryTime(alert, "endsAt", out long endsAt, out reason))
            {
                return false;
            }

            if (endsAt > ZeroTimeMs)
            {
                ts = endsAt;
            }
        }

        string? ci = null;
        foreach (var label in options.AlertmanagerCiLabels)
        {
            if (labels.TryGetValue(label, out var value) && value.Length > 0)
            {
                ci = value;
                break;
            }
        }

        labels.TryGetValue("severity", out var severityText);
        JsonFields.TryParseSeverity(severityText, out var severity);
        string? message = null;
        if (alert.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object)
        {
            message = JsonFields.OptionalString(annotations, "summary")
                ?? JsonFields.OptionalString(annotations, "description")
                ?? JsonFields.OptionalString(annotations, "message");
        }

        record = new TelemetryRecord(ts, TelemetryKind.Event, ci,
            Source: options.AlertmanagerSource,
            Check: alertName,
            Severity: severity,
            Status: status,
            DedupKey: JsonFields.OptionalString(alert, "fingerprint"),
            Message: message,
            Labels: labels);
        reason = string.Empty;
        return true;
    }

    private static bool TryTime(JsonElement alert, string property, out long epochMs, out string reason)
    {
        if (alert.TryGetProperty(property, out var value) && JsonFields.TryParseTimestamp(value, out epochMs))
        {
            reason = string.Empty;
            return true;
        }

        epochMs = 0;
        reason = $"{property}: missing or not RFC 3339";
        return false;
    }
}
