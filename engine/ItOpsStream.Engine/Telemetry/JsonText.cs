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

    /// <summary>
    /// The reader's message made one short line: without its "LineNumber: … | BytePositionInLine: …"
    /// tail, with the text it quotes (for an invalid literal, the whole rest of the input) clipped, and
    /// control characters escaped.
    /// </summary>
    public static string SyntaxMessage(JsonException ex)
    {
        string message = ex.Message;
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        const int MaxQuoted = 32;
        int quoteEnd = message.StartsWith('\'') ? message.IndexOf("' is ", 1, StringComparison.Ordinal) : -1;
        if (quoteEnd > MaxQuoted + 1)
        {
            message = string.Concat(message.AsSpan(0, MaxQuoted + 1), "…", message.AsSpan(quoteEnd));
        }

        return Printable(message, int.MaxValue);
    }

    /// <summary>A one-line reason for a syntax error in a one-record payload, with a 1-based position.</summary>
    public static string SyntaxReason(JsonException ex) => ex.LineNumber is > 0
        ? $"{SyntaxMessage(ex)} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})"
        : $"{SyntaxMessage(ex)} (byte {ex.BytePositionInLine + 1})";

    /// <summary>
    /// A value quoted in a one-line reason: control characters and line separators are written as
    /// <c>\uXXXX</c> (an escaped newline in a field must not break the line), and text past 64
    /// characters is cut with an ellipsis.
    /// </summary>
    public static string Printable(ReadOnlySpan<char> text, int max = 64)
    {
        bool cut = text.Length > max;
        if (cut)
        {
            text = text[..(char.IsHighSurrogate(text[max - 1]) ? max - 1 : max)];
        }

        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            if (c < 0x20 || c == 0x7F || c == '\u2028' || c == '\u2029')
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return cut ? sb.Append('…').ToString() : sb.ToString();
    }

    /// <inheritdoc cref="Printable(ReadOnlySpan{char}, int)"/>
    public static string Printable(ReadOnlySpan<byte> utf8) =>
        Printable(System.Text.Encoding.UTF8.GetString(utf8[..Math.Min(utf8.Length, 256)]).AsSpan());

    /// <summary>Offset of the first byte that is not valid UTF-8 (error path only: it allocates).</summary>
    public static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        var chars = new char[utf8.Length];
        Utf8.ToUtf16(utf8, chars, out int read, out _, replaceInvalidSequences: false);
        return read;
    }
}
