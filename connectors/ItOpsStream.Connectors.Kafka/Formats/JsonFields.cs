using System.Globalization;
using System.Text.Json;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Connectors.Kafka.Formats;

/// <summary>Shared field readers: timestamps, severities, levels, labels.</summary>
internal static class JsonFields
{
    /// <summary>RFC 3339 string or Unix epoch milliseconds (number or numeric string) to epoch ms.</summary>
    public static bool TryParseTimestamp(JsonElement value, out long epochMs)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when value.TryGetInt64(out epochMs):
                return true;
            case JsonValueKind.Number when value.TryGetDouble(out double ms):
                epochMs = (long)ms;
                return true;
            case JsonValueKind.String:
                return TryParseTimestamp(value.GetString()!, out epochMs);
            default:
                epochMs = 0;
                return false;
        }
    }

    public static bool TryParseTimestamp(string text, out long epochMs)
    {
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out epochMs))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            epochMs = parsed.ToUnixTimeMilliseconds();
            return true;
        }

        epochMs = 0;
        return false;
    }

    /// <summary>OTLP <c>fixed64</c> nanoseconds, written as a decimal string (or a number by lenient producers), to epoch ms; 0 when absent.</summary>
    public static long UnixNanoToMs(JsonElement parent, string property)
    {
        if (!parent.TryGetProperty(property, out var value))
        {
            return 0;
        }

        ulong nanos = value.ValueKind switch
        {
            JsonValueKind.String when ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
            JsonValueKind.Number when value.TryGetUInt64(out var n) => n,
            _ => 0,
        };
        return (long)(nanos / 1_000_000);
    }

    public static bool TryParseKind(string? text, out TelemetryKind kind)
    {
        switch (text)
        {
            case "event": kind = TelemetryKind.Event; return true;
            case "metric": kind = TelemetryKind.Metric; return true;
            case "log": kind = TelemetryKind.Log; return true;
            case "change": kind = TelemetryKind.Change; return true;
            default: kind = TelemetryKind.Event; return false;
        }
    }

    /// <summary>The five native severities plus the usual synonyms of monitoring tools.</summary>
    public static bool TryParseSeverity(string? text, out Severity severity)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "critical" or "crit" or "fatal" or "emergency" or "alert" or "disaster" or "page" or "p1":
                severity = Severity.Critical;
                return true;
            case "major" or "error" or "err" or "high" or "p2":
                severity = Severity.Major;
                return true;
            case "minor" or "average" or "medium" or "p3":
                severity = Severity.Minor;
                return true;
            case "warning" or "warn" or "low" or "p4":
                severity = Severity.Warning;
                return true;
            case "info" or "informational" or "information" or "notice" or "none" or "ok" or "debug" or "p5":
                severity = Severity.Info;
                return true;
            default:
                severity = Severity.Warning;
                return false;
        }
    }

    public static bool TryParseLevel(string? text, out LogLevel level)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "trace": level = LogLevel.Trace; return true;
            case "debug": level = LogLevel.Debug; return true;
            case "info" or "information" or "informational" or "notice": level = LogLevel.Info; return true;
            case "warn" or "warning": level = LogLevel.Warn; return true;
            case "error" or "err": level = LogLevel.Error; return true;
            case "fatal" or "critical" or "crit" or "emergency" or "alert": level = LogLevel.Fatal; return true;
            default: level = LogLevel.Unknown; return false;
        }
    }

    /// <summary>Reads an object of string (or scalar) values as labels; nested values are kept as JSON text.</summary>
    public static LabelSet ReadLabels(JsonElement obj)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return LabelSet.Empty;
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var property in obj.EnumerateObject())
        {
            pairs.Add(new(property.Name, ScalarText(property.Value)));
        }

        return LabelSet.From(pairs);
    }

    /// <summary>A JSON value as label text: strings unquoted, other values as their JSON.</summary>
    public static string ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => string.Empty,
        _ => value.GetRawText(),
    };

    public static string? OptionalString(JsonElement obj, string property) =>
        obj.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
