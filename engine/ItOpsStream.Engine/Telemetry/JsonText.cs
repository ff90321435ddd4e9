using System.Text.Json;
using System.Text.Unicode;

namespace ItOpsStream.Engine.Telemetry;

/// <summary>Wording shared by the decoders' error reasons, so every reader says the same thing the same way.</summary>
internal static class JsonText
{
    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    /// <summary>The reader's message without its "LineNumber: … | BytePositionInLine: …" tail.</summary>
    public static string SyntaxMessage(JsonException ex)
    {
        string message = ex.Message;
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    /// <summary>A one-line reason for a syntax error in a one-record payload, with a 1-based position.</summary>
    public static string SyntaxReason(JsonException ex) => ex.LineNumber is > 0
        ? $"{SyntaxMessage(ex)} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})"
        : $"{SyntaxMessage(ex)} (byte {ex.BytePositionInLine + 1})";

    /// <summary>Offset of the first byte that is not valid UTF-8 (error path only: it allocates).</summary>
    public static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        var chars = new char[utf8.Length];
        Utf8.ToUtf16(utf8, chars, out int read, out _, replaceInvalidSequences: false);
        return read;
    }
}
