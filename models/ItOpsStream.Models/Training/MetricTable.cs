using System.Globalization;

namespace ItOpsStream.Models.Training;

/// <summary>One metric sample in long format: a CI's metric value at an event time.</summary>
public readonly record struct MetricSample(long TimestampMs, string Ci, string Metric, double Value);

/// <summary>
/// Training data of the multivariate models: long-format samples pivoted into one vector per CI and
/// timestamp, over a fixed, sorted list of metric names.
/// </summary>
/// <remarks>
/// File layout (<c>models train --data DIR</c>): CSVs with the header <c>timestamp,ci,metric,value</c>
/// (timestamps as in <c>detect</c>). Within a CI, a metric missing at a timestamp takes its last
/// known value (metrics are often scraped at slightly different instants); rows before every metric
/// of the CI has been seen once are dropped.
/// </remarks>
public sealed class MetricTable
{
    private MetricTable(IReadOnlyList<string> metrics, IReadOnlyList<(string Ci, long TimestampMs, float[] Vector)> rows)
    {
        Metrics = metrics;
        Rows = rows;
    }

    /// <summary>Metric names, sorted ordinally: the order of every vector.</summary>
    public IReadOnlyList<string> Metrics { get; }

    /// <summary>Pivoted rows in CI, then time order.</summary>
    public IReadOnlyList<(string Ci, long TimestampMs, float[] Vector)> Rows { get; }

    /// <summary>Pivots samples; only <paramref name="ci"/>'s when given.</summary>
    public static MetricTable Pivot(IEnumerable<MetricSample> samples, string? ci = null, IReadOnlyList<string>? metrics = null)
    {
        var selected = samples.Where(s => ci is null || s.Ci == ci).ToList();
        var names = metrics ?? selected.Select(s => s.Metric).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        var rows = new List<(string, long, float[])>();
        foreach (var group in selected.GroupBy(s => s.Ci).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var last = new float[names.Count];
            var seen = new bool[names.Count];
            var seenCount = 0;
            foreach (var at in group.GroupBy(s => s.TimestampMs).OrderBy(g => g.Key))
            {
                foreach (var s in at)
                {
                    if (!index.TryGetValue(s.Metric, out var i))
                    {
                        continue;
                    }

                    last[i] = (float)s.Value;
                    if (!seen[i])
                    {
                        seen[i] = true;
                        seenCount++;
                    }
                }

                if (seenCount == names.Count)
                {
                    rows.Add((group.Key, at.Key, (float[])last.Clone()));
                }
            }
        }

        return new MetricTable(names, rows);
    }

    /// <summary>Reads <c>timestamp,ci,metric,value</c> rows.</summary>
    /// <exception cref="FormatException">A malformed row; the message starts with its line number.</exception>
    public static IEnumerable<MetricSample> ReadCsv(TextReader reader)
    {
        var header = reader.ReadLine();
        if (header is null || !header.Replace(" ", string.Empty, StringComparison.Ordinal).StartsWith("timestamp,ci,metric,value", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException("1: header is not 'timestamp,ci,metric,value'");
        }

        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var c = line.Split(',');
            if (c.Length < 4)
            {
                throw new FormatException($"{lineNumber}: expected 4 columns (timestamp,ci,metric,value), found {c.Length}");
            }

            if (!Anomaly.Evaluation.SeriesCsv.TryParseTimestamp(c[0], out var ts))
            {
                throw new FormatException($"{lineNumber}: timestamp '{c[0]}' is not YYYY-MM-DD HH:MM:SS, RFC 3339 or epoch milliseconds");
            }

            if (c[1].Trim().Length == 0 || c[2].Trim().Length == 0)
            {
                throw new FormatException($"{lineNumber}: ci and metric must not be empty");
            }

            if (!double.TryParse(c[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw new FormatException($"{lineNumber}: value '{c[3]}' is not a finite number");
            }

            yield return new MetricSample(ts, c[1].Trim(), c[2].Trim(), value);
        }
    }
}
