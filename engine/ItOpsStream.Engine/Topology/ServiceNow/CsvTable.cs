using System.Text;

namespace ItOpsStream.Engine.Topology.ServiceNow;

/// <summary>
/// An RFC 4180 CSV file with a header row, as ServiceNow list exports write it (quoted fields, doubled
/// quotes, line breaks inside quotes, optional UTF-8 BOM). Header names are matched case-insensitively.
/// </summary>
internal sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;

    private CsvTable(string source, string[] header, List<(int Line, string[] Fields)> rows)
    {
        Source = source;
        Header = header;
        Rows = rows;
        _columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < header.Length; i++)
        {
            _columns.TryAdd(header[i].Trim(), i);
        }
    }

    public string Source { get; }

    public string[] Header { get; }

    /// <summary>Data rows with the 1-based line where each starts.</summary>
    public List<(int Line, string[] Fields)> Rows { get; }

    /// <summary>Index of the first of <paramref name="names"/> present, or -1.</summary>
    public int Column(params string[] names)
    {
        foreach (string name in names)
        {
            if (_columns.TryGetValue(name, out int index))
            {
                return index;
            }
        }

        return -1;
    }

    /// <exception cref="FormatException">Unterminated quote, a row wider than the header, or no header (message names the file and line).</exception>
    public static CsvTable Read(TextReader reader, string source)
    {
        var rows = new List<(int, string[])>();
        string[]? header = null;
        var field = new StringBuilder();
        var fields = new List<string>();
        int line = 1;
        int rowLine = 1;
        bool quoted = false;
        bool fieldStarted = false;
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
                case '"' when field.Length == 0 && !fieldStarted:
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
                    EndRow();
                    line++;
                    rowLine = line;
                    break;
                default:
                    field.Append(ch);
                    fieldStarted = true;
                    break;
            }
        }

        if (quoted)
        {
            throw new FormatException($"{source} line {rowLine}: unterminated quoted field");
        }

        EndRow();
        return header is null
            ? throw new FormatException($"{source}: empty file, expected a header row")
            : new CsvTable(source, header, rows);

        void EndRow()
        {
            fields.Add(field.ToString());
            field.Clear();
            fieldStarted = false;
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                fields.Clear();
                return;
            }

            if (header is null)
            {
                fields[0] = fields[0].TrimStart('\uFEFF');
                header = [.. fields];
            }
            else if (fields.Count > header.Length)
            {
                throw new FormatException($"{source} line {rowLine}: {fields.Count} fields but the header has {header.Length}");
            }
            else
            {
                rows.Add((rowLine, [.. fields]));
            }

            fields.Clear();
        }
    }
}
