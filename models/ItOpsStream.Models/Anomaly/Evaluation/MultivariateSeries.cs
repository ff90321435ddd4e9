using System.Globalization;
using System.Text;

namespace ItOpsStream.Models.Anomaly.Evaluation;

/// <summary>
/// One CI's metrics over time with NAB-style point labels: the labelled data of multivariate models.
/// Every metric shares the timestamps and the labels; a missing value is <see cref="double.NaN"/>.
/// </summary>
public sealed class MultivariateSeries
{
    public MultivariateSeries(string name, IReadOnlyList<string> metrics, long[] timestamps, double[][] columns, byte[]? labels)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(timestamps);
        ArgumentNullException.ThrowIfNull(columns);
        if (metrics.Count == 0 || metrics.Count != columns.Length || columns.Any(c => c.Length != timestamps.Length) || (labels is not null && labels.Length != timestamps.Length))
        {
            throw new ArgumentException("need one column per metric, each as long as the timestamps (and the labels)");
        }

        Name = name;
        Metrics = metrics;
        Timestamps = timestamps;
        Columns = columns;
        Labels = labels;
    }

    /// <summary>Series name (file name without extension; the CI it was recorded on).</summary>
    public string Name { get; }

    /// <summary>Metric names, in column order.</summary>
    public IReadOnlyList<string> Metrics { get; }

    /// <summary>Event times, Unix epoch milliseconds.</summary>
    public long[] Timestamps { get; }

    /// <summary>One array of values per metric (<see cref="double.NaN"/> where missing).</summary>
    public double[][] Columns { get; }

    /// <summary>Point labels, or null when unlabelled.</summary>
    public byte[]? Labels { get; }

    public int Length => Timestamps.Length;

    /// <summary>One metric with the file's timestamps and labels, named after the file.</summary>
    public LabeledSeries Metric(int index) => new(Name, Timestamps, Columns[index], Labels);

    /// <summary>The index of a metric, or -1.</summary>
    public int IndexOf(string metric)
    {
        for (var i = 0; i < Metrics.Count; i++)
        {
            if (string.Equals(Metrics[i], metric, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>
/// Reading and writing labelled multivariate CSVs: a header <c>timestamp,&lt;metric&gt;,…,label</c>, then
/// one row per timestamp with a value per metric (an empty cell is a missing value) and the label.
/// </summary>
/// <remarks>Timestamps as in <see cref="SeriesCsv"/>. Any bad row is a <see cref="FormatException"/> whose message starts with its 1-based line number.</remarks>
public static class MultivariateCsv
{
    /// <summary>Reads one file: one CI's metrics and labels.</summary>
    public static MultivariateSeries ReadLabeled(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = reader.ReadLine() ?? throw new FormatException("1: empty file, expected the header 'timestamp,<metric>,...,label'");
        var names = header.Split(',').Select(c => c.Trim().Trim('"')).ToArray();
        if (names.Length < 3 || !names[0].Equals("timestamp", StringComparison.OrdinalIgnoreCase) || !names[^1].Equals("label", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"1: header '{Truncate(header)}' is not 'timestamp,<metric>,...,label' (at least one metric)");
        }

        var metrics = names[1..^1];
        if (metrics.Any(m => m.Length == 0) || metrics.Distinct(StringComparer.Ordinal).Count() != metrics.Length)
        {
            throw new FormatException("1: metric names must be non-empty and distinct");
        }

        var ts = new List<long>();
        var columns = metrics.Select(_ => new List<double>()).ToArray();
        var labels = new List<byte>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var cells = line.Split(',');
            if (cells.Length != names.Length)
            {
                throw new FormatException($"{lineNumber}: expected {names.Length} columns (timestamp, {metrics.Length} metrics, label), found {cells.Length}");
            }

            if (!SeriesCsv.TryParseTimestamp(cells[0], out var t))
            {
                throw new FormatException($"{lineNumber}: timestamp '{Truncate(cells[0].Trim())}' is not YYYY-MM-DD HH:MM:SS, RFC 3339 or epoch milliseconds");
            }

            for (var m = 0; m < metrics.Length; m++)
            {
                var text = cells[m + 1].Trim();
                if (text.Length == 0)
                {
                    columns[m].Add(double.NaN);
                }
                else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
                {
                    columns[m].Add(v);
                }
                else
                {
                    throw new FormatException($"{lineNumber}: {metrics[m]} '{Truncate(text)}' is not a finite number (leave the cell empty for a missing value)");
                }
            }

            var label = cells[^1].Trim();
            if (label is not ("0" or "1"))
            {
                throw new FormatException($"{lineNumber}: label '{Truncate(label)}' is not 0 or 1");
            }

            ts.Add(t);
            labels.Add(label == "1" ? (byte)1 : (byte)0);
        }

        return new MultivariateSeries(name, metrics, [.. ts], columns.Select(c => c.ToArray()).ToArray(), [.. labels]);
    }

    /// <summary>Writes a labelled file with NAB-style timestamps.</summary>
    public static void WriteLabeled(TextWriter writer, MultivariateSeries series)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(series);
        writer.Write("timestamp," + string.Join(',', series.Metrics) + ",label\n");
        var sb = new StringBuilder(128);
        for (var i = 0; i < series.Length; i++)
        {
            sb.Clear();
            sb.Append(DateTimeOffset.FromUnixTimeMilliseconds(series.Timestamps[i]).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            foreach (var column in series.Columns)
            {
                sb.Append(',');
                if (double.IsFinite(column[i]))
                {
                    sb.Append(column[i].ToString("0.#####", CultureInfo.InvariantCulture));
                }
            }

            sb.Append(',').Append(series.Labels is not null && series.Labels[i] != 0 ? '1' : '0').Append('\n');
            writer.Write(sb);
        }
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
