using ItOpsStream.Engine.Detection;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Models.Tests.Training;
using ItOpsStream.Models.Training;
using static ItOpsStream.Engine.Tests.Support.TestRecords;

namespace ItOpsStream.Engine.Tests.Detection;

public sealed class ModelAlertProducerTests
{
    private static readonly Lazy<PcaModel> Fleet = new(() => CorrelatedHosts.Train());

    /// <summary>A provider whose set the test swaps by hand (the file-backed one is tested with real files elsewhere).</summary>
    private sealed class FixedModels(ModelSet set) : IModelsProvider
    {
        public ModelSet Current { get; set; } = set;
    }

    private static ModelSet PcaSet(long version, string name = "fleet", PcaModel? model = null) =>
        new(version, [LoadedModel.FromPca(new ModelEntry { Name = name, Kind = "pca", File = $"{name}.v{version}.zip", Version = version }, model ?? Fleet.Value)]);

    private static List<TelemetryRecord> Run(ModelAlertProducer producer, IEnumerable<TelemetryRecord> records, int batch = 50)
    {
        var emitted = new List<TelemetryRecord>();
        var n = 0;
        foreach (var r in records)
        {
            producer.OnRecord(r, emitted);
            if (++n % batch == 0)
            {
                producer.OnWatermark(r.Timestamp, emitted);
            }
        }

        return emitted;
    }

    [Fact]
    public void Pca_BrokenCorrelation_OpensOneAlertAtTheVectorsTimeThenResolves()
    {
        using var producer = new ModelAlertProducer(new FixedModels(PcaSet(3)));
        var emitted = Run(producer, CorrelatedHosts.Records("host:a", 0, 600, i => i is >= 400 and < 406));

        Assert.Equal(2, emitted.Count);
        var (open, resolve) = (emitted[0], emitted[1]);
        Assert.Equal(AlertStatus.Firing, open.Status);
        Assert.Equal("anomaly:model:fleet", open.Check);
        Assert.Equal("host:a", open.Ci);
        Assert.Equal(T(400 * 60), open.Timestamp);
        Assert.Equal("anomaly|host:a|model:fleet|{}", open.DedupKey);
        Assert.Equal("itopsstream.anomaly", open.Source);
        Assert.Contains("cpu, requests", open.Message, StringComparison.Ordinal);
        Assert.Equal(AlertStatus.Resolved, resolve.Status);
        Assert.Equal(open.DedupKey, resolve.DedupKey);
        Assert.True(resolve.Timestamp >= T(415 * 60));
        Assert.Equal(3, producer.ModelVersion);
    }

    [Fact]
    public void Pca_NormalFleet_RaisesNothing()
    {
        using var producer = new ModelAlertProducer(new FixedModels(PcaSet(1)));
        var records = CorrelatedHosts.Records("host:a", 0, 1500, _ => false, seed: 2)
            .Concat(CorrelatedHosts.Records("host:b", 0, 1500, _ => false, seed: 3))
            .OrderBy(r => r.Timestamp);
        Assert.Empty(Run(producer, records));
        Assert.Equal(2, producer.StateCount);
    }

    [Fact]
    public void Pca_CiThatNeverReportsEveryMetric_IsNeverScored()
    {
        using var producer = new ModelAlertProducer(new FixedModels(PcaSet(1)));
        var onlyCpu = CorrelatedHosts.Records("host:a", 0, 600, i => i >= 400).Where(r => r.Name == "cpu");
        Assert.Empty(Run(producer, onlyCpu));
    }

    [Fact]
    public void Pca_ModelTrainedOnOneCi_ScoresOnlyThatCi()
    {
        var samples = CorrelatedHosts.Records("host:only", 0, 600, _ => false, seed: 9)
            .Select(r => new MetricSample(r.Timestamp, r.Ci!, r.Name!, r.Value));
        var model = PcaModel.Train(MetricTable.Pivot(samples, "host:only"), PcaModelOptions.Default with { Rank = 1 }, "host:only");
        using var producer = new ModelAlertProducer(new FixedModels(PcaSet(1, "only", model)));
        var other = Run(producer, CorrelatedHosts.Records("host:a", 0, 600, i => i is >= 400 and < 406));
        var own = Run(producer, CorrelatedHosts.Records("host:only", 0, 600, i => i is >= 400 and < 406));
        Assert.Empty(other);
        Assert.Equal("host:only", Assert.Single(own, a => a.Status == AlertStatus.Firing).Ci);
    }

    [Fact]
    public void States_AtCapacity_EvictLeastRecentCiAndResolveItsOpenAlert()
    {
        using var producer = new ModelAlertProducer(new FixedModels(PcaSet(1)), AnomalyAlertOptions.Default with { MaxSeries = 2 });
        var emitted = Run(producer, CorrelatedHosts.Records("host:a", 0, 402, i => i >= 400));
        Assert.Single(emitted);
        emitted.AddRange(Run(producer, CorrelatedHosts.Records("host:b", 402, 404, _ => false)));
        emitted.AddRange(Run(producer, CorrelatedHosts.Records("host:c", 404, 405, _ => false)));
        Assert.Equal(2, producer.StateCount);
        Assert.Equal(2, emitted.Count);
        Assert.Equal((AlertStatus.Resolved, "host:a"), (emitted[1].Status, emitted[1].Ci));
    }

    [Fact]
    public void Swap_ReplacedModel_ResolvesItsOpenAlertsBetweenBatches_UnchangedModelKeepsState()
    {
        var models = new FixedModels(PcaSet(1));
        using var producer = new ModelAlertProducer(models);
        var emitted = Run(producer, CorrelatedHosts.Records("host:a", 0, 402, i => i >= 400));
        Assert.Equal(AlertStatus.Firing, Assert.Single(emitted).Status);

        // The same loaded model under a new manifest version: nothing to resolve, the state stays.
        models.Current = new ModelSet(2, models.Current.Models);
        producer.OnWatermark(T(402 * 60), emitted);
        Assert.Single(emitted);
        Assert.Equal(2, producer.ModelVersion);

        models.Current = PcaSet(3);
        producer.OnRecord(CorrelatedHosts.Records("host:a", 402, 403, _ => false)[0], emitted);
        Assert.Single(emitted);
        producer.OnWatermark(T(402 * 60), emitted);
        Assert.Equal(2, emitted.Count);
        Assert.Equal(AlertStatus.Resolved, emitted[1].Status);
        Assert.Contains("replaced", emitted[1].Message, StringComparison.Ordinal);
        Assert.Equal(0, producer.StateCount);
        Assert.Equal(3, producer.ModelVersion);
    }

    [Fact]
    public void Onnx_SpikeOnTheEntrysMetric_OpensAnAlertPerSeries_OtherMetricsIgnored()
    {
        var entry = new ModelEntry { Name = "spikes", Kind = "onnx", File = "spikes.v1.onnx", Version = 1, Metric = "latency" };
        using var producer = new ModelAlertProducer(new FixedModels(new ModelSet(1, [LoadedModel.FromOnnx(entry, TinyOnnx.MaxAbs(8), "latency")])));
        var rng = new Random(4);
        var records = new List<TelemetryRecord>();
        for (var i = 0; i < 600; i++)
        {
            var v = i == 500 ? 40 : 10 + rng.NextDouble();
            records.Add(Metric(i * 60, "svc:checkout", "latency", v));
            records.Add(Metric(i * 60, "svc:checkout", "other", i == 500 ? 1000 : v));
        }

        var open = Assert.Single(Run(producer, records), a => a.Status == AlertStatus.Firing);
        Assert.Equal("anomaly:model:spikes", open.Check);
        Assert.Equal(T(500 * 60), open.Timestamp);
        Assert.Equal(1, producer.StateCount);
    }

    [Fact]
    public void WithoutModels_MetricsPassUntouched()
    {
        using var producer = new ModelAlertProducer(new FixedModels(ModelSet.Empty));
        Assert.Empty(Run(producer, CorrelatedHosts.Records("host:a", 0, 500, i => i >= 400)));
        Assert.Equal(0, producer.StateCount);
    }
}
