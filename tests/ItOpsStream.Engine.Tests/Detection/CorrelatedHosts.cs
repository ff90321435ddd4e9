using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Models.Training;
using ItOpsStream.TestKit.Generators;
using static ItOpsStream.Engine.Tests.Support.TestRecords;

namespace ItOpsStream.Engine.Tests.Detection;

/// <summary>Records and a trained fleet model of <see cref="CorrelatedHostSeries"/> hosts, one sample of each metric every 60 s.</summary>
internal static class CorrelatedHosts
{
    /// <summary>Records of points [<paramref name="from"/>, <paramref name="to"/>); points in <paramref name="anomalous"/> break the relation.</summary>
    public static List<TelemetryRecord> Records(string ci, int from, int to, Func<int, bool> anomalous, int seed = 1)
    {
        var rng = new Random(seed);
        var records = new List<TelemetryRecord>((to - from) * 2);
        for (var i = from; i < to; i++)
        {
            var (cpu, requests) = CorrelatedHostSeries.Point(i, rng, anomalous(i));
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
                var (cpu, requests) = CorrelatedHostSeries.Point(i + (ci == "host:t2" ? 100 : 0), rng);
                samples.Add(new MetricSample(T(i * 60), ci, "requests", requests));
                samples.Add(new MetricSample(T(i * 60), ci, "cpu", cpu));
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
