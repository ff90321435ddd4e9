using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Models.Training;
using static ItOpsStream.Engine.Tests.Support.TestRecords;

namespace ItOpsStream.Engine.Tests.Detection;

/// <summary>
/// Hosts whose cpu follows their request rate (cpu = 5 + 0.04·requests + noise), one sample of each
/// every 60 s. An anomalous point moves cpu by 20 (the load of 500 requests more or less) while the
/// requests stay as they are: cpu stays inside its normal range, only the relation breaks.
/// </summary>
internal static class CorrelatedHosts
{
    public static double Requests(int i, Random rng) => 1000 + (350 * Math.Sin(i / 45.0)) + (40 * (rng.NextDouble() - 0.5));

    public static double Cpu(double requests, Random rng) => 5 + (0.04 * requests) + (rng.NextDouble() - 0.5);

    /// <summary>Records of points [<paramref name="from"/>, <paramref name="to"/>); points in <paramref name="anomalous"/> break the relation.</summary>
    public static List<TelemetryRecord> Records(string ci, int from, int to, Func<int, bool> anomalous, int seed = 1)
    {
        var rng = new Random(seed);
        var records = new List<TelemetryRecord>((to - from) * 2);
        for (var i = from; i < to; i++)
        {
            var requests = Requests(i, rng);
            var cpu = Cpu(requests, rng);
            if (anomalous(i))
            {
                cpu += requests > 1000 ? -20 : 20;
            }

            records.Add(Metric(i * 60, ci, "cpu", cpu));
            records.Add(Metric(i * 60, ci, "requests", requests));
        }

        return records;
    }

    /// <summary>A fleet PCA model trained on normal history of two hosts.</summary>
    public static PcaModel Train(int seed = 7)
    {
        var rng = new Random(seed);
        var samples = new List<MetricSample>();
        foreach (var ci in new[] { "host:t1", "host:t2" })
        {
            for (var i = 0; i < 800; i++)
            {
                var requests = Requests(i + (ci == "host:t2" ? 100 : 0), rng);
                samples.Add(new MetricSample(T(i * 60), ci, "requests", requests));
                samples.Add(new MetricSample(T(i * 60), ci, "cpu", Cpu(requests, rng)));
            }
        }

        return PcaModel.Train(MetricTable.Pivot(samples), PcaModelOptions.Default with { Rank = 1 });
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/>.</summary>
    public static string Save(PcaModel model, string path)
    {
        using var stream = File.Create(path);
        model.Save(stream);
        return path;
    }
}
