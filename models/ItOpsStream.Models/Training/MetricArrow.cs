using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace ItOpsStream.Models.Training;

/// <summary>
/// Training data as an Apache Arrow IPC file (random-access format), readable by pandas/pyarrow,
/// Polars, DuckDB and Spark: columns <c>timestamp</c> (timestamp[ms, UTC]), <c>ci</c> (utf8),
/// <c>metric</c> (utf8), <c>value</c> (float64), in record batches of up to 65 536 rows.
/// </summary>
public static class MetricArrow
{
    private const int BatchRows = 65_536;

    public static Schema Schema { get; } = new Schema.Builder()
        .Field(f => f.Name("timestamp").DataType(new TimestampType(TimeUnit.Millisecond, "UTC")).Nullable(false))
        .Field(f => f.Name("ci").DataType(StringType.Default).Nullable(false))
        .Field(f => f.Name("metric").DataType(StringType.Default).Nullable(false))
        .Field(f => f.Name("value").DataType(DoubleType.Default).Nullable(false))
        .Build();

    /// <summary>Writes the samples; returns how many were written.</summary>
    public static long Write(Stream destination, IEnumerable<MetricSample> samples)
    {
        using var writer = new ArrowFileWriter(destination, Schema, leaveOpen: true);
        long total = 0;
        var batch = new List<MetricSample>(BatchRows);
        foreach (var sample in samples)
        {
            batch.Add(sample);
            if (batch.Count == BatchRows)
            {
                total += Flush(writer, batch);
            }
        }

        total += Flush(writer, batch);
        writer.WriteEnd();
        return total;
    }

    /// <summary>Reads a file written by <see cref="Write"/> (or any file with these four columns).</summary>
    /// <exception cref="InvalidDataException">A column is missing or of another type.</exception>
    public static IEnumerable<MetricSample> Read(Stream source)
    {
        using var reader = new ArrowFileReader(source, leaveOpen: true);
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            using (batch)
            {
                var ts = batch.Column("timestamp") as TimestampArray ?? throw new InvalidDataException("column 'timestamp' is missing or not a timestamp");
                var ci = batch.Column("ci") as StringArray ?? throw new InvalidDataException("column 'ci' is missing or not utf8");
                var metric = batch.Column("metric") as StringArray ?? throw new InvalidDataException("column 'metric' is missing or not utf8");
                var value = batch.Column("value") as DoubleArray ?? throw new InvalidDataException("column 'value' is missing or not float64");
                for (var i = 0; i < batch.Length; i++)
                {
                    var t = ts.GetTimestamp(i) ?? throw new InvalidDataException($"row {i}: null timestamp");
                    yield return new MetricSample(t.ToUnixTimeMilliseconds(), ci.GetString(i), metric.GetString(i), value.GetValue(i) ?? double.NaN);
                }
            }
        }
    }

    private static int Flush(ArrowFileWriter writer, List<MetricSample> batch)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        var ts = new TimestampArray.Builder(new TimestampType(TimeUnit.Millisecond, "UTC"));
        var ci = new StringArray.Builder();
        var metric = new StringArray.Builder();
        var value = new DoubleArray.Builder();
        foreach (var s in batch)
        {
            ts.Append(DateTimeOffset.FromUnixTimeMilliseconds(s.TimestampMs));
            ci.Append(s.Ci);
            metric.Append(s.Metric);
            value.Append(s.Value);
        }

        using var record = new RecordBatch(Schema, [ts.Build(), ci.Build(), metric.Build(), value.Build()], batch.Count);
        writer.WriteRecordBatch(record);
        var n = batch.Count;
        batch.Clear();
        return n;
    }
}
