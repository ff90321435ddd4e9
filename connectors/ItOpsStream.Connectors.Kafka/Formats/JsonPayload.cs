using System.Text.Json;

namespace ItOpsStream.Connectors.Kafka.Formats;

/// <summary>Parses a message as JSON, turning syntax errors into a dead-letter reason with the byte position.</summary>
internal static class JsonPayload
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    public static bool TryParse(ReadOnlySpan<byte> payload, out JsonDocument document, out FormatError error)
    {
        try
        {
            // JsonDocument needs memory it can keep; a copy of the span is the price of the non-native formats.
            document = JsonDocument.Parse(payload.ToArray(), Options);
            error = default;
            return true;
        }
        catch (JsonException ex)
        {
            document = null!;
            error = new FormatError("json.syntax", $"invalid JSON at byte {ex.BytePositionInLine ?? 0} of line {(ex.LineNumber ?? 0) + 1}: {FirstSentence(ex.Message)}");
            return false;
        }
    }

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut];
    }
}
