using System.Text;

namespace ItOpsStream.Models.Logs.Evaluation;

/// <summary>Minimal RFC 4180 CSV reading and quoting (quoted fields may hold commas, quotes and line breaks).</summary>
public static class CsvFields
{
    /// <summary>Reads all records of a CSV text.</summary>
    /// <exception cref="InvalidDataException">A quoted field is not closed.</exception>
    public static IEnumerable<IReadOnlyList<string>> ReadRecords(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        bool any = false;
        int record = 1;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            any = true;
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
                    field.Append(ch);
                }

                continue;
            }

            switch (ch)
            {
                case '"':
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    yield return fields;
                    fields = [];
                    any = false;
                    record++;
                    break;
                default:
                    field.Append(ch);
                    break;
            }
        }

        if (quoted)
        {
            throw new InvalidDataException($"CSV record {record}: a quoted field is not closed");
        }

        if (any)
        {
            fields.Add(field.ToString());
            yield return fields;
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
