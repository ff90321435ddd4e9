using ItOpsStream.Models.Training;

namespace ItOpsStream.Models.Tests.Training;

public sealed class PcaModelTests
{
    private static List<MetricSample> CorrelatedSamples(int rows, int seed)
    {
        var rng = new Random(seed);
        var samples = new List<MetricSample>();
        for (var i = 0; i < rows; i++)
        {
            var load = 50 + (20 * Math.Sin(i / 30.0)) + (2 * rng.NextDouble());
            var ts = 1_767_571_200_000L + (i * 60_000L);
            samples.Add(new MetricSample(ts, "host:a", "cpu", load));
            samples.Add(new MetricSample(ts, "host:a", "mem", (0.5 * load) + 10 + rng.NextDouble()));
            samples.Add(new MetricSample(ts, "host:a", "net", (3 * load) + (3 * rng.NextDouble())));
        }

        return samples;
    }

    [Fact]
    public void Pivot_ForwardFillsMissingMetricsAndDropsIncompleteLeadingRows()
    {
        var table = MetricTable.Pivot(
        [
            new(1, "c", "b", 1), new(2, "c", "a", 2), new(3, "c", "b", 3), new(3, "d", "a", 9),
        ]);
        Assert.Equal(["a", "b"], table.Metrics);
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal([2f, 1f], table.Rows[0].Vector);
        Assert.Equal([2f, 3f], table.Rows[1].Vector);
    }

    [Fact]
    public void Score_VectorBreakingTheLearntCorrelation_ScoresFarAboveNormal()
    {
        var model = PcaModel.Train(MetricTable.Pivot(CorrelatedSamples(600, 1)));
        var scorer = model.CreateScorer();
        var normal = scorer.Score([50f, 35f, 150f]);
        var broken = scorer.Score([50f, 35f, 20f]);
        Assert.True(broken > 5 * Math.Max(normal, 1e-3), $"broken {broken} vs normal {normal}");
    }

    [Fact]
    public void SaveThenLoad_GivesTheSameScoresAndInfo()
    {
        var model = PcaModel.Train(MetricTable.Pivot(CorrelatedSamples(300, 2)), ci: "host:a");
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = PcaModel.Load(stream);
        Assert.Equal(model.Info.Metrics, loaded.Info.Metrics);
        Assert.Equal("host:a", loaded.Info.Ci);
        float[] v = [60f, 30f, 100f];
        Assert.Equal(model.CreateScorer().Score(v), loaded.CreateScorer().Score(v), 5);
    }

    [Fact]
    public void Train_WithTooFewRows_ThrowsWithTheCount()
    {
        var ex = Assert.Throws<ArgumentException>(() => PcaModel.Train(MetricTable.Pivot(CorrelatedSamples(5, 3))));
        Assert.Contains("found 5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scorer_IsTheAbsoluteResidualWhoseRatioToTheCentredNormIsMlNetsOwnScore()
    {
        var table = MetricTable.Pivot(CorrelatedSamples(400, 5));
        var model = PcaModel.Train(table, PcaModelOptions.Default with { Rank = 1 });
        float[][] vectors = [.. table.Rows.Take(50).Select(r => r.Vector), [50f, 35f, 20f], [80f, 10f, 300f]];
        var mlnet = model.MlNetScores(vectors);
        for (var i = 0; i < vectors.Length; i++)
        {
            var (distance, norm) = model.Projection.Measure(vectors[i]);
            // ML.NET sums in floats as ‖x‖² − 2μ·x + ‖μ‖², which loses a few digits: agree within 2 %.
            Assert.InRange(distance / norm, (mlnet[i] * 0.98) - 1e-3, (mlnet[i] * 1.02) + 1e-3);
            Assert.Equal(distance, model.CreateScorer().Score(vectors[i]));
        }
    }

    [Fact]
    public void Score_OrdinaryVectorNearTheMean_ScoresLowNotLikeAnAnomaly()
    {
        // ML.NET's ratio is large for any vector close to the mean; the absolute residual is not.
        var model = PcaModel.Train(MetricTable.Pivot(CorrelatedSamples(600, 1)), PcaModelOptions.Default with { Rank = 1 });
        var scorer = model.CreateScorer();
        var nearMean = scorer.Score([50.5f, 35.5f, 151.5f]);
        var broken = scorer.Score([50f, 35f, 20f]);
        Assert.True(broken > 20 * nearMean, $"broken {broken} vs near the mean {nearMean}");
        Assert.InRange(model.Info.ScoreP99, model.Info.ScoreP50, broken / 10);
    }

    [Fact]
    public void PcaDetector_ScoresInUnitIntervalAndFlagsBrokenCorrelation()
    {
        var samples = CorrelatedSamples(800, 4);
        var table = MetricTable.Pivot(samples);
        var detector = new PcaDetector(PcaModel.Train(table));
        var scores = table.Rows.Select(r => detector.Score(r.TimestampMs, r.Vector)).ToList();
        Assert.All(scores, s => Assert.InRange(s, 0, 1));
        var anomaly = detector.Score(0, [50f, 35f, 20f]);
        Assert.True(anomaly > scores.Skip(100).Max(), $"anomaly {anomaly} vs normal max {scores.Skip(100).Max()}");
    }
}

public sealed class MetricArrowTests
{
    [Fact]
    public void WriteThenRead_RoundTripsEverySample()
    {
        var samples = Enumerable.Range(0, 70_000)
            .Select(i => new MetricSample(1_767_571_200_000L + i, $"host:{i % 7}", i % 2 == 0 ? "cpu" : "mem", i * 0.5))
            .ToList();
        using var stream = new MemoryStream();
        Assert.Equal(samples.Count, MetricArrow.Write(stream, samples));
        stream.Position = 0;
        Assert.Equal(samples, MetricArrow.Read(stream).ToList());
    }
}

public sealed class ModelManifestTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("itops-models-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Promote_TwiceUnderOneName_BumpsVersionKeepsOneEntryAndWatcherSeesEachOnce()
    {
        var models = Path.Combine(_dir.FullName, "models");
        var file = Path.Combine(_dir.FullName, "m.onnx");
        File.WriteAllBytes(file, TinyOnnx.MaxAbs(8));
        var watcher = new ModelDirectoryWatcher(models);
        Assert.False(watcher.TryRefresh(out _));

        ModelManifest.Promote(models, file, "spikes", "onnx");
        Assert.True(watcher.TryRefresh(out var first));
        Assert.False(watcher.TryRefresh(out _));

        ModelManifest.Promote(models, file, "spikes", "onnx");
        Assert.True(watcher.TryRefresh(out var second));
        Assert.Equal(1, first.Version);
        Assert.Equal(2, second.Version);
        var entry = Assert.Single(second.Models);
        Assert.Equal("spikes.v2.onnx", entry.File);
        Assert.Equal(File.ReadAllBytes(file), ModelManifest.ReadModel(models, entry));
    }

    [Fact]
    public void Promote_OnnxWithMetric_RecordsItAndPcaRefusesOne()
    {
        var models = Path.Combine(_dir.FullName, "models");
        var file = Path.Combine(_dir.FullName, "m.onnx");
        File.WriteAllBytes(file, TinyOnnx.MaxAbs(8));
        var entry = ModelManifest.Promote(models, file, "spikes", "onnx", metric: "latency").Models.Single();
        Assert.Equal("latency", entry.Metric);
        Assert.Equal("latency", ModelManifest.Read(models).Models.Single().Metric);
        Assert.Throws<ArgumentException>(() => ModelManifest.Promote(models, file, "fleet", "pca", metric: "cpu"));
    }

    [Fact]
    public void Read_ManifestWithoutMetric_HasNone()
    {
        var models = Directory.CreateDirectory(Path.Combine(_dir.FullName, "models")).FullName;
        File.WriteAllText(Path.Combine(models, "manifest.json"), """{ "version": 1, "models": [ { "name": "a", "kind": "onnx", "file": "a.v1.onnx", "version": 1, "sha256": "00" } ] }""");
        Assert.Null(ModelManifest.Read(models).Models.Single().Metric);
    }

    [Fact]
    public void ReadModel_TamperedFile_IsRefused()
    {
        var models = Path.Combine(_dir.FullName, "models");
        var file = Path.Combine(_dir.FullName, "m.onnx");
        File.WriteAllBytes(file, TinyOnnx.MaxAbs(8));
        var entry = ModelManifest.Promote(models, file, "spikes", "onnx").Models[0];
        File.WriteAllBytes(Path.Combine(models, entry.File), [1, 2, 3]);
        Assert.Throws<InvalidDataException>(() => ModelManifest.ReadModel(models, entry));
    }
}

public sealed class OnnxWindowDetectorTests
{
    [Fact]
    public void Score_HandWrittenMaxAbsModel_FlagsSpikeAndStaysInUnitInterval()
    {
        using var detector = new OnnxWindowDetector(TinyOnnx.MaxAbs(16));
        Assert.Equal(16, detector.Window);
        var rng = new Random(5);
        var scores = new List<double>();
        for (var i = 0; i < 1500; i++)
        {
            var v = i == 1200 ? 50 : rng.NextDouble() - 0.5;
            scores.Add(detector.Score(i * 1000L, v));
        }

        Assert.All(scores, s => Assert.InRange(s, 0, 1));
        Assert.True(scores[1200] >= 0.5, $"spike scored {scores[1200]}");
        Assert.True(scores.Take(1199).Skip(200).Max() < scores[1200]);
    }

    [Fact]
    public void SharedSession_GivesEachSeriesItsOwnWindowAndCalibration()
    {
        using var model = new OnnxWindowModel(TinyOnnx.MaxAbs(16));
        using var own = new OnnxWindowDetector(TinyOnnx.MaxAbs(16));
        using var shared = new OnnxWindowDetector(model);
        using var other = new OnnxWindowDetector(model);
        var rng = new Random(5);
        for (var i = 0; i < 1300; i++)
        {
            var v = i == 1200 ? 50 : rng.NextDouble() - 0.5;
            Assert.Equal(own.Score(i * 1000L, v), shared.Score(i * 1000L, v));
            other.Score(i * 1000L, 0.25);
        }

        shared.Dispose();
        Assert.Equal(16, model.Window);
        Assert.InRange(other.Score(0, 0.25), 0, 1);
    }

    [Fact]
    public void Constructor_NotAnOnnxModel_ThrowsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => new OnnxWindowDetector([1, 2, 3, 4]));
    }
}
