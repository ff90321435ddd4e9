using System.Text.Json;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Connectors.Kafka.Formats;

/// <summary>
/// CloudEvents 1.0 in structured JSON mode. <c>data</c> carries native fields (CONTRACTS §2); the
/// envelope fills what data leaves out: <c>time</c> → ts, <c>type</c> → kind (by the configured
/// rules), <c>source</c> → source, <c>subject</c> → ci. A plain-string <c>data</c> is the message.
/// </summary>
internal sealed class CloudEventsFormat(FormatOptions options) : ITelemetryFormat
{
    public string Name => FormatNames.CloudEvents;

    public bool TryConvert(ReadOnlySpan<byte> payload, List<TelemetryRecord> output, out FormatError error)
    {
        if (!JsonPayload.TryParse(payload, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                // A JSON batch (application/cloudevents-batch+json): each element is one event.
                int start = output.Count;
                int index = 0;
                foreach (var element in root.EnumerateArray())
                {
                    if (!TryConvertEvent(element, output, out var reason))
                    {
                        output.RemoveRange(start, output.Count - start);
                        error = FormatError.Invalid(Name, $"[{index}].{reason}");
                        return false;
                    }

                    index++;
                }

                return true;
            }

            if (!TryConvertEvent(root, output, out var why))
            {
                error = FormatError.Invalid(Name, why);
                return false;
            }

            return true;
        }
    }

    private bool TryConvertEvent(JsonElement ce, List<TelemetryRecord> output, out string reason)
    {
        if (ce.ValueKind != JsonValueKind.Object)
        {
            reason = "event: not an object";
            return false;
        }

        var specVersion = JsonFields.OptionalString(ce, "specversion");
        if (specVersion is null || !specVersion.StartsWith("1.", StringComparison.Ordinal))
        {
            reason = $"specversion: '{specVersion}' is not 1.x";
            return false;
        }

        var type = JsonFields.OptionalString(ce, "type");
        if (string.IsNullOrEmpty(type))
        {
            reason = "type: missing";
            return false;
        }

        long? time = null;
        var timeText = JsonFields.OptionalString(ce, "time");
        if (timeText is not null)
        {
            if (!JsonFields.TryParseTimestamp(timeText, out long parsed))
            {
                reason = $"time: '{timeText}' is not RFC 3339";
                return false;
            }

            time = parsed;
        }

        var defaults = new NativeRecordReader.Defaults(time, KindOf(type), JsonFields.OptionalString(ce, "source"), JsonFields.OptionalString(ce, "subject"));
        JsonDocument? decoded = null;
        try
        {
            JsonElement data;
            if (ce.TryGetProperty("data", out data))
            {
            }
            else if (JsonFields.OptionalString(ce, "data_base64") is { } base64)
            {
                try
                {
                    decoded = JsonDocument.Parse(Convert.FromBase64String(base64));
                    data = decoded.RootElement;
                }
                catch (Exception ex) when (ex is FormatException or JsonException)
                {
                    reason = "data_base64: not base64-encoded JSON";
                    return false;
                }
            }
            else
            {
                reason = "data: missing";
                return false;
            }

            if (data.ValueKind == JsonValueKind.String)
            {
                // A bare string is a message: a log line, or the text of an event.
                if (defaults.Timestamp is not { } ts)
                {
                    reason = "time: missing and data carries no ts";
                    return false;
                }

                var kind = defaults.Kind ?? TelemetryKind.Event;
                output.Add(kind == TelemetryKind.Log
                    ? new TelemetryRecord(ts, kind, defaults.Ci, Message: data.GetString())
                    : new TelemetryRecord(ts, TelemetryKind.Event, defaults.Ci, Source: defaults.Source, Check: type, Message: data.GetString()));
                reason = string.Empty;
                return true;
            }

            if (!NativeRecordReader.TryRead(data, defaults, out var record, out var why))
            {
                reason = "data." + why;
                return false;
            }

            // An event without a check is named after its CloudEvents type, so it can still be grouped.
            if (record.Kind == TelemetryKind.Event && record.Check is null)
            {
                record = record with { Check = type };
            }

            output.Add(record);
            reason = string.Empty;
            return true;
        }
        finally
        {
            decoded?.Dispose();
        }
    }

    private TelemetryKind KindOf(string type)
    {
        foreach (var rule in options.CloudEventKinds)
        {
            if (type.Contains(rule.TypeContains, StringComparison.OrdinalIgnoreCase) && JsonFields.TryParseKind(rule.Kind, out var kind))
            {
                return kind;
            }
        }

        return TelemetryKind.Event;
    }
}
