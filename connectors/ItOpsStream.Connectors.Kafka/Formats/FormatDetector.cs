using System.Text.Json;

namespace ItOpsStream.Connectors.Kafka.Formats;

/// <summary>
/// Recognises a message's format from its top-level keys, reading only as far as the first key that
/// settles it (native records start with <c>ts</c> or <c>kind</c>, so they cost a few bytes).
/// </summary>
internal static class FormatDetector
{
    /// <summary>The format name, or null when no known format matches (then <paramref name="error"/> says why).</summary>
    public static string? Detect(ReadOnlySpan<byte> payload, out FormatError error)
    {
        var reader = new Utf8JsonReader(payload, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read())
            {
                error = new FormatError("json.syntax", "empty message");
                return null;
            }

            if (reader.TokenType == JsonTokenType.StartArray)
            {
                // Only CloudEvents defines a JSON batch of messages.
                error = default;
                return FormatNames.CloudEvents;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                error = new FormatError("format.unknown", $"expected a JSON object, found {reader.TokenType}");
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var format = FormatOfKey(ref reader);
                if (format is not null)
                {
                    error = default;
                    return format;
                }

                reader.Read();
                reader.TrySkip();
            }
        }
        catch (JsonException ex)
        {
            error = new FormatError("json.syntax", $"invalid JSON at byte {ex.BytePositionInLine ?? 0} of line {(ex.LineNumber ?? 0) + 1}");
            return null;
        }

        error = new FormatError("format.unknown", "no known format: expected native (ts, kind), Alertmanager (alerts), OTLP (resourceLogs, resourceMetrics) or CloudEvents (specversion)");
        return null;
    }

    private static string? FormatOfKey(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("ts"u8) || reader.ValueTextEquals("kind"u8))
        {
            return FormatNames.Native;
        }

        if (reader.ValueTextEquals("specversion"u8))
        {
            return FormatNames.CloudEvents;
        }

        if (reader.ValueTextEquals("resourceLogs"u8))
        {
            return FormatNames.OtlpLogs;
        }

        if (reader.ValueTextEquals("resourceMetrics"u8))
        {
            return FormatNames.OtlpMetrics;
        }

        if (reader.ValueTextEquals("alerts"u8) || reader.ValueTextEquals("groupKey"u8) || reader.ValueTextEquals("receiver"u8))
        {
            return FormatNames.Alertmanager;
        }

        return null;
    }
}
