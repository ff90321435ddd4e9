using System.Text.Json;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Connectors.Kafka.Formats;

/// <summary>
/// OTLP/JSON logs (<c>ExportLogsServiceRequest</c>): one log record per <c>logRecords</c> entry, the CI
/// from the resource attributes, the level from <c>severityNumber</c> (or <c>severityText</c>).
/// </summary>
internal sealed class OtlpLogsFormat(FormatOptions options) : ITelemetryFormat
{
    public string Name => FormatNames.OtlpLogs;

    public bool TryConvert(ReadOnlySpan<byte> payload, List<TelemetryRecord> output, out FormatError error)
    {
        if (!JsonPayload.TryParse(payload, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("resourceLogs", out var resourceLogs) || resourceLogs.ValueKind != JsonValueKind.Array)
            {
                error = FormatError.Invalid(Name, "resourceLogs: missing or not an array");
                return false;
            }

            int start = output.Count;
            int r = 0;
            foreach (var resourceEntry in resourceLogs.EnumerateArray())
            {
                var resourceAttributes = OtlpJson.ResourceAttributes(resourceEntry);
                var ci = OtlpJson.ResourceCi(resourceAttributes, options);
                int s = 0;
                foreach (var scope in OtlpJson.Array(resourceEntry, "scopeLogs"))
                {
                    int l = 0;
                    foreach (var log in OtlpJson.Array(scope, "logRecords"))
                    {
                        long ts = JsonFields.UnixNanoToMs(log, "timeUnixNano");
                        if (ts == 0)
                        {
                            // The spec allows an unknown event time; the collector's observed time is the next best.
                            ts = JsonFields.UnixNanoToMs(log, "observedTimeUnixNano");
                        }

                        if (ts == 0)
                        {
                            output.RemoveRange(start, output.Count - start);
                            error = FormatError.Invalid(Name, $"resourceLogs[{r}].scopeLogs[{s}].logRecords[{l}]: neither timeUnixNano nor observedTimeUnixNano is set");
                            return false;
                        }

                        var message = log.TryGetProperty("body", out var body) ? OtlpJson.AnyValueText(body) : null;
                        output.Add(new TelemetryRecord(ts, TelemetryKind.Log, ci, Message: message, Level: Level(log), Labels: OtlpJson.Labels(log)));
                        l++;
                    }

                    s++;
                }

                r++;
            }

            return true;
        }
    }

    /// <summary>OTLP SeverityNumber ranges: 1–4 TRACE, 5–8 DEBUG, 9–12 INFO, 13–16 WARN, 17–20 ERROR, 21–24 FATAL.</summary>
    internal static LogLevel Level(JsonElement log)
    {
        if (log.TryGetProperty("severityNumber", out var number))
        {
            int n = number.ValueKind == JsonValueKind.Number && number.TryGetInt32(out var v) ? v : SeverityNumberFromName(number);
            if (n is >= 1 and <= 24)
            {
                return (LogLevel)(1 + ((n - 1) / 4));
            }
        }

        JsonFields.TryParseLevel(JsonFields.OptionalString(log, "severityText"), out var level);
        return level;
    }

    // Some exporters write the enum name (SEVERITY_NUMBER_ERROR) instead of the number.
    private static int SeverityNumberFromName(JsonElement value)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (text is null || !text.StartsWith("SEVERITY_NUMBER_", StringComparison.Ordinal))
        {
            return 0;
        }

        var name = text["SEVERITY_NUMBER_".Length..];
        int digits = name.Length > 0 && char.IsDigit(name[^1]) ? name[^1] - '0' : 1;
        var basis = name.TrimEnd('2', '3', '4') switch
        {
            "TRACE" => 1,
            "DEBUG" => 5,
            "INFO" => 9,
            "WARN" => 13,
            "ERROR" => 17,
            "FATAL" => 21,
            _ => 0,
        };
        return basis == 0 ? 0 : basis + digits - 1;
    }
}
