using System.Globalization;
using System.Text;

namespace ItOpsStream.Models.Anomaly.Evaluation;

/// <summary>
/// Reading and writing the series CSVs of <c>itopsstream detect</c> and <c>models evaluate</c>:
/// a header, then <c>timestamp,value</c> or <c>timestamp,value,label</c> rows.
/// </summary>
/// <remarks>
/// Timestamps are NAB-style <c>YYYY-MM-DD HH:MM:SS</c> (UTC), RFC 3339, or Unix epoch milliseconds.
/// Any bad row is a <see cref="FormatException"/> whose message starts with its 1-based line number.
/// </remarks>
public static class SeriesCsv
{
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm",
    ];

    /// <summary>Parses a timestamp to Unix epoch milliseconds.</summary>
    public static bool TryParseTimestamp(ReadOnlySpan<char> text, out long epochMs)
    {
        text = text.Trim();
        if (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] == '-') && !text.Contains(':') && !text[1..].Contains('-'))
        {
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out epochMs);
        }

        if (DateTime.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var local))
        {
            epochMs = new DateTimeOffset(local, TimeSpan.Zero).ToUnixTimeMilliseconds();
            return true;
        }

        // RFC 3339: a 'T' or space separator and a mandatory offset or Z.
        if (text.Length >= 20 && (text[10] == 'T' || text[10] == 't' || text[10] == ' ')
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var offset))
        {
            epochMs = offset.ToUnixTimeMilliseconds();
            return true;
        }

        epochMs = 0;
        return false;
    }

    /// <summary>Splits and checks one data row; the timestamp and value texts are returned as they were.</summary>
    /// <exception cref="FormatException">The row is malformed; the message starts with the line number.</exception>
    public static (string TimestampText, long Timestamp, string ValueText, double Value, byte Label) ParseRow(string line, int lineNumber, bool withLabel)
    {
        var columns = line.Split(',');
        var expected = withLabel ? 3 : 2;
        if (columns.Length < expected)
        {
            throw new FormatException($"{lineNumber}: expected {expected} columns ({(withLabel ? "timestamp,value,label" : "timestamp,value")}), found {columns.Length}");
        }

        var timestampText = columns[0].Trim();
        if (!TryParseTimestamp(timestampText, out var ts))
        {
            throw new FormatException($"{lineNumber}: timestamp '{Truncate(timestampText)}' is not YYYY-MM-DD HH:MM:SS, RFC 3339 or epoch milliseconds");
        }

        var valueText = columns[1].Trim();
        if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new FormatException($"{lineNumber}: value '{Truncate(valueText)}' is not a finite number");
        }

        byte label = 0;
        if (withLabel)
        {
            var labelText = columns[2].Trim();
            if (labelText is not ("0" or "1"))
            {
                throw new FormatException($"{lineNumber}: label '{Truncate(labelText)}' is not 0 or 1");
            }

            label = labelText == "1" ? (byte)1 : (byte)0;
        }

        return (timestampText, ts, valueText, value, label);
    }

    /// <summary>Checks the header line: it must name timestamp and value (and label when required) in that order.</summary>
    /// <exception cref="FormatException">The header is missing or different.</exception>
    public static void CheckHeader(string? header, bool withLabel)
    {
        var expected = withLabel ? "timestamp,value,label" : "timestamp,value";
        if (header is null)
        {
            throw new FormatException($"1: empty file, expected the header '{expected}'");
        }

        var names = header.Split(',').Select(c => c.Trim().Trim('"').ToLowerInvariant()).ToArray();
        var ok = names.Length >= 2 && names[0] == "timestamp" && names[1] == "value" && (!withLabel || (names.Length >= 3 && names[2] == "label"));
        if (!ok)
        {
            throw new FormatException($"1: header '{Truncate(header)}' is not '{expected}'");
        }
    }

    /// <summary>Reads a labelled series (<c>timestamp,value,label</c>).</summary>
    public static LabeledSeries ReadLabeled(TextReader reader, string name)
    {
        CheckHeader(reader.ReadLine(), withLabel: true);
        var ts = new List<long>();
        var values = new List<double>();
        var labels = new List<byte>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var row = ParseRow(line, lineNumber, withLabel: true);
            ts.Add(row.Timestamp);
            values.Add(row.Value);
            labels.Add(row.Label);
        }

        return new LabeledSeries(name, [.. ts], [.. values], [.. labels]);
    }

    /// <summary>Writes a labelled series with NAB-style timestamps.</summary>
    public static void WriteLabeled(TextWriter writer, LabeledSeries series)
    {
        writer.Write("timestamp,value,label\n");
        var sb = new StringBuilder(64);
        for (var i = 0; i < series.Length; i++)
        {
            sb.Clear();
            sb.Append(DateTimeOffset.FromUnixTimeMilliseconds(series.Timestamps[i]).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))
                .Append(',')
                .Append(series.Values[i].ToString("0.#####", CultureInfo.InvariantCulture))
                .Append(',')
                .Append(series.Labels is not null && series.Labels[i] != 0 ? '1' : '0')
                .Append('\n');
            writer.Write(sb);
        }
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
