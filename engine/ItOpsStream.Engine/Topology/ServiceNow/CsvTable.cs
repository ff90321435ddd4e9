using ItOpsStream.Models.Csv;

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
        try
        {
            foreach (var record in CsvFields.ReadRecords(reader))
            {
                if (header is null)
                {
                    header = [.. record.Fields];
                }
                else if (record.Fields.Count > header.Length)
                {
                    throw new FormatException($"{source} line {record.Line}: {record.Fields.Count} fields but the header has {header.Length}");
                }
                else
                {
                    rows.Add((record.Line, [.. record.Fields]));
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new FormatException($"{source} {ex.Message}", ex);
        }

        return header is null
            ? throw new FormatException($"{source}: empty file, expected a header row")
            : new CsvTable(source, header, rows);
    }
}
