using System.Text;

namespace ItOpsStream.Models.Csv;

/// <summary>One CSV record and the 1-based line where it starts (a quoted field may span lines).</summary>
public readonly record struct CsvRecord(int Line, IReadOnlyList<string> Fields);

/// <summary>
/// RFC 4180 CSV reading and quoting, shared by every CSV input of the project (ServiceNow CMDB exports, LogHub-style
/// labelled logs): quoted fields may hold commas, doubled quotes and line breaks; a quote opens a quoted field only at
/// the start of a field (elsewhere it is text); CRLF or LF line ends; a UTF-8 byte order mark before the first field is
/// dropped; blank lines are skipped.
/// </summary>
public static class CsvFields
{
    /// <summary>Reads all records of a CSV text, each with the line where it starts.</summary>
    /// <exception cref="InvalidDataException">A quoted field is not closed ("line N: unterminated quoted field", N where its record starts).</exception>
    public static IEnumerable<CsvRecord> ReadRecords(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Read(reader);
    }

    private static IEnumerable<CsvRecord> Read(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1;
        int recordLine = 1;
        bool quoted = false;
        bool fieldStarted = false;
        if (reader.Peek() == '\uFEFF')
        {
            reader.Read();
        }

        int c;
        while ((c = reader.Read()) >= 0)
        {
            char ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (ch == '\n')
                    {
                        line++;
                    }

                    field.Append(ch);
                }

                continue;
            }

            switch (ch)
            {
                case '"' when !fieldStarted:
                    quoted = true;
                    fieldStarted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    if (EndRecord() is { } record)
                    {
                        yield return record;
                    }

                    line++;
                    recordLine = line;
                    break;
                default:
                    field.Append(ch);
                    fieldStarted = true;
                    break;
            }
        }

        if (quoted)
        {
            throw new InvalidDataException($"line {recordLine}: unterminated quoted field");
        }

        if (EndRecord() is { } last)
        {
            yield return last;
        }

        CsvRecord? EndRecord()
        {
            if (fields.Count == 0 && !fieldStarted)
            {
                // A blank line.
                return null;
            }

            fields.Add(field.ToString());
            field.Clear();
            fieldStarted = false;
            var record = new CsvRecord(recordLine, fields);
            fields = [];
            return record;
        }
    }

    /// <summary>Appends <paramref name="value"/> as one CSV field, quoted when it needs to be.</summary>
    public static void Append(StringBuilder builder, string value)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0 && (value.Length == 0 || (value[0] != ' ' && value[^1] != ' ')))
        {
            builder.Append(value);
            return;
        }

        builder.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
