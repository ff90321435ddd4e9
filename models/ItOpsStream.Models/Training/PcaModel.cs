using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ItOpsStream.Models.Training;

/// <summary>Options of the multivariate PCA model (ML.NET RandomizedPca over a CI's metric vector).</summary>
public sealed record PcaModelOptions
{
    public static PcaModelOptions Default { get; } = new();

    /// <summary>Principal components kept (capped at the number of metrics − 1, at least 1).</summary>
    public int Rank { get; init; } = 3;

    /// <summary>Oversampling of the randomized SVD.</summary>
    public int Oversampling { get; init; } = 20;

    /// <summary>Seed of the randomized SVD: the same data and seed give the same model.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Rows needed to train.</summary>
    public int MinRows { get; init; } = 20;
}

/// <summary>What a model file says about itself (stored inside the zip as <c>itopsstream.json</c>).</summary>
public sealed record PcaModelInfo
{
    [JsonPropertyName("kind")]
    public string Kind { get; init; } = "pca";

    [JsonPropertyName("ci")]
    public string? Ci { get; init; }

    [JsonPropertyName("metrics")]
    public IReadOnlyList<string> Metrics { get; init; } = [];

    [JsonPropertyName("rank")]
    public int Rank { get; init; }

    [JsonPropertyName("training_rows")]
    public int TrainingRows { get; init; }

    /// <summary>Training scores' median and 99th percentile: where "normal" ends for this model.</summary>
    [JsonPropertyName("score_p50")]
    public double ScoreP50 { get; init; }

    [JsonPropertyName("score_p99")]
    public double ScoreP99 { get; init; }
}

/// <summary>
/// A trained multivariate model: mean-variance normalization then ML.NET's RandomizedPca anomaly
/// detector, whose score is the reconstruction error of the CI's metric vector outside the
/// principal subspace learnt from history.
/// </summary>
public sealed class PcaModel
{
    private const string InfoEntry = "itopsstream.json";
    private readonly MLContext _ml;
    private readonly ITransformer _transformer;
    private readonly SchemaDefinition _schema;

    private PcaModel(MLContext ml, ITransformer transformer, PcaModelInfo info)
    {
        _ml = ml;
        _transformer = transformer;
        Info = info;
        _schema = SchemaFor(info.Metrics.Count);
    }

    public PcaModelInfo Info { get; }

    /// <summary>Trains on the table's rows (all CIs in it).</summary>
    /// <exception cref="ArgumentException">Fewer rows than <see cref="PcaModelOptions.MinRows"/> or fewer than 2 metrics.</exception>
    public static PcaModel Train(MetricTable table, PcaModelOptions? options = null, string? ci = null)
    {
        options ??= PcaModelOptions.Default;
        if (table.Metrics.Count < 2)
        {
            throw new ArgumentException($"need at least 2 metrics per CI, found {table.Metrics.Count}", nameof(table));
        }

        if (table.Rows.Count < options.MinRows)
        {
            throw new ArgumentException($"need at least {options.MinRows} complete rows, found {table.Rows.Count}", nameof(table));
        }

        var ml = new MLContext(seed: options.Seed);
        var schema = SchemaFor(table.Metrics.Count);
        var data = ml.Data.LoadFromEnumerable(table.Rows.Select(r => new VectorRow { Features = r.Vector }), schema);
        var rank = Math.Clamp(options.Rank, 1, table.Metrics.Count - 1);
        var pipeline = ml.Transforms.NormalizeMeanVariance(nameof(VectorRow.Features))
            .Append(ml.AnomalyDetection.Trainers.RandomizedPca(nameof(VectorRow.Features), rank: rank, oversampling: options.Oversampling, ensureZeroMean: true, seed: options.Seed));
        var transformer = pipeline.Fit(data);

        var scores = ml.Data.CreateEnumerable<ScoreRow>(transformer.Transform(data), reuseRowObject: false).Select(s => (double)s.Score).Order().ToArray();
        var info = new PcaModelInfo
        {
            Ci = ci,
            Metrics = table.Metrics,
            Rank = rank,
            TrainingRows = table.Rows.Count,
            ScoreP50 = scores[scores.Length / 2],
            ScoreP99 = scores[Math.Min(scores.Length - 1, (int)(scores.Length * 0.99))],
        };
        return new PcaModel(ml, transformer, info);
    }

    /// <summary>Writes the ML.NET model zip with the model info as an extra entry.</summary>
    public void Save(Stream destination)
    {
        using var buffer = new MemoryStream();
        _ml.Model.Save(_transformer, null, buffer);
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = zip.CreateEntry(InfoEntry, CompressionLevel.Optimal);
            using var s = entry.Open();
            JsonSerializer.Serialize(s, Info, PcaJson.Default.PcaModelInfo);
        }

        buffer.Position = 0;
        buffer.CopyTo(destination);
    }

    /// <summary>Loads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">Not an itopsstream PCA model.</exception>
    public static PcaModel Load(Stream source)
    {
        using var buffer = new MemoryStream();
        source.CopyTo(buffer);
        buffer.Position = 0;
        PcaModelInfo info;
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Read, leaveOpen: true))
        {
            var entry = zip.GetEntry(InfoEntry) ?? throw new InvalidDataException($"not an itopsstream model: no {InfoEntry} entry");
            using var s = entry.Open();
            info = JsonSerializer.Deserialize(s, PcaJson.Default.PcaModelInfo) ?? throw new InvalidDataException($"empty {InfoEntry}");
        }

        buffer.Position = 0;
        var ml = new MLContext(seed: 1);
        var transformer = ml.Model.Load(buffer, out _);
        return new PcaModel(ml, transformer, info);
    }

    /// <summary>A scorer for one thread (ML.NET prediction engines are not thread-safe).</summary>
    public PcaScorer CreateScorer() =>
        new(_ml.Model.CreatePredictionEngine<VectorRow, ScoreRow>(_transformer, inputSchemaDefinition: _schema), Info.Metrics.Count);

    /// <summary>Raw scores of many vectors (batch evaluation).</summary>
    public float[] ScoreAll(IEnumerable<float[]> vectors)
    {
        var data = _ml.Data.LoadFromEnumerable(vectors.Select(v => new VectorRow { Features = v }), _schema);
        return _ml.Data.CreateEnumerable<ScoreRow>(_transformer.Transform(data), reuseRowObject: false).Select(s => s.Score).ToArray();
    }

    private static SchemaDefinition SchemaFor(int dimensions)
    {
        var schema = SchemaDefinition.Create(typeof(VectorRow));
        schema[nameof(VectorRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimensions);
        return schema;
    }

    internal sealed class VectorRow
    {
        public float[] Features { get; set; } = [];
    }

    internal sealed class ScoreRow
    {
        public float Score { get; set; }

        public bool PredictedLabel { get; set; }
    }
}

/// <summary>Scores metric vectors with one model; single-threaded.</summary>
public sealed class PcaScorer
{
    private readonly PredictionEngine<PcaModel.VectorRow, PcaModel.ScoreRow> _engine;
    private readonly PcaModel.VectorRow _row;

    internal PcaScorer(PredictionEngine<PcaModel.VectorRow, PcaModel.ScoreRow> engine, int dimensions)
    {
        _engine = engine;
        _row = new PcaModel.VectorRow { Features = new float[dimensions] };
    }

    /// <summary>The model's raw, non-negative score (reconstruction error) of one vector in the model's metric order.</summary>
    public float Score(ReadOnlySpan<float> vector)
    {
        vector.CopyTo(_row.Features);
        var result = new PcaModel.ScoreRow();
        _engine.Predict(_row, ref result);
        return result.Score;
    }
}

[JsonSerializable(typeof(PcaModelInfo))]
[JsonSerializable(typeof(ModelManifest))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class PcaJson : JsonSerializerContext;
