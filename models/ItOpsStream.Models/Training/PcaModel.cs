using System.Collections.Immutable;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;

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
    private readonly PcaProjection _projection;

    private PcaModel(MLContext ml, ITransformer transformer, PcaModelInfo info)
    {
        _ml = ml;
        _transformer = transformer;
        Info = info;
        _schema = SchemaFor(info.Metrics.Count);
        _projection = PcaProjection.From(transformer, info.Metrics.Count);
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

        var projection = PcaProjection.From(transformer, table.Metrics.Count);
        var scores = table.Rows.Select(r => projection.Distance(r.Vector)).Order().ToArray();
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

    /// <summary>A scorer of the model's raw statistic; cheap, immutable and safe to share between threads.</summary>
    public PcaScorer CreateScorer() => new(_projection);

    /// <summary>Raw scores of many vectors (batch evaluation), as <see cref="PcaScorer.Score"/>.</summary>
    public float[] ScoreAll(IEnumerable<float[]> vectors) => vectors.Select(v => _projection.Distance(v)).ToArray();

    /// <summary>The plain-array form of the model's parameters (tests check it against ML.NET).</summary>
    internal PcaProjection Projection => _projection;

    /// <summary>ML.NET's own score of each vector (its normalized error ‖residual‖ / ‖x − mean‖), to check the projection against.</summary>
    internal float[] MlNetScores(IEnumerable<float[]> vectors)
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

/// <summary>
/// Scores metric vectors with one model: the distance of the standardized vector from the principal
/// subspace learnt in training (ML.NET's normalizer and PCA parameters, evaluated here). Immutable;
/// may be shared between threads.
/// </summary>
public sealed class PcaScorer
{
    private readonly PcaProjection _projection;

    internal PcaScorer(PcaProjection projection) => _projection = projection;

    /// <summary>Length of the vectors this scorer takes (the model's metric count).</summary>
    public int Dimensions => _projection.Dimensions;

    /// <summary>
    /// The model's raw, non-negative statistic for one vector in the model's metric order: its
    /// reconstruction error outside the principal subspace, in standardized units (0 on the
    /// subspace; about the noise level for normal vectors; large when the metrics stop moving together).
    /// </summary>
    public float Score(ReadOnlySpan<float> vector) => _projection.Distance(vector);
}

/// <summary>
/// The parameters of a trained pipeline (mean-variance normalizer, then PCA) as plain arrays: the
/// normalizer's offset and scale, the PCA mean and its top eigenvectors.
/// </summary>
/// <remarks>
/// ML.NET's PCA anomaly score is ‖residual‖ / ‖x − mean‖: bounded by 1 and large for any vector close
/// to the mean, so an ordinary point near the average load scores like a broken correlation. The
/// absolute residual is the statistic the calibration needs; the parameters give it directly, and
/// without a prediction engine per thread.
/// </remarks>
internal sealed class PcaProjection
{
    private readonly float[] _offset;
    private readonly float[] _scale;
    private readonly float[] _mean;
    private readonly float[][] _eigen;

    private PcaProjection(float[] offset, float[] scale, float[] mean, float[][] eigen)
    {
        _offset = offset;
        _scale = scale;
        _mean = mean;
        _eigen = eigen;
    }

    public int Dimensions => _scale.Length;

    /// <exception cref="InvalidDataException">The transformer is not a normalizer followed by a PCA model over <paramref name="dimensions"/> features.</exception>
    public static PcaProjection From(ITransformer transformer, int dimensions)
    {
        var parts = transformer as IEnumerable<ITransformer> ?? throw new InvalidDataException("the model is not a transformer chain");
        float[]? offset = null, scale = null;
        PcaModelParameters? pca = null;
        foreach (var part in parts)
        {
            if (part is NormalizingTransformer normalizer
                && normalizer.GetNormalizerModelParameters(0) is NormalizingTransformer.AffineNormalizerModelParameters<ImmutableArray<float>> affine)
            {
                scale = affine.Scale.ToArray();
                offset = affine.Offset.IsDefaultOrEmpty ? new float[scale.Length] : affine.Offset.ToArray();
            }
            else if (part is ISingleFeaturePredictionTransformer<object> { Model: PcaModelParameters p })
            {
                pca = p;
            }
        }

        if (scale is null || offset is null || pca is null)
        {
            throw new InvalidDataException("the model is not a mean-variance normalizer followed by a PCA model");
        }

        VBuffer<float> mean = default;
        pca.GetMean(ref mean);
        VBuffer<float>[] vectors = [];
        pca.GetEigenVectors(ref vectors, out var rank);
        var eigen = vectors.Take(rank).Select(v => v.DenseValues().ToArray()).ToArray();
        var meanValues = mean.Length == 0 ? new float[dimensions] : mean.DenseValues().ToArray();
        if (scale.Length != dimensions || offset.Length != dimensions || meanValues.Length != dimensions || eigen.Any(e => e.Length != dimensions))
        {
            throw new InvalidDataException($"the model's parameters are not of {dimensions} metrics");
        }

        return new PcaProjection(offset, scale, meanValues, eigen);
    }

    /// <summary>‖d − Σ (eᵢ·d) eᵢ‖ with d the standardized vector minus the PCA mean (orthonormal eᵢ).</summary>
    public float Distance(ReadOnlySpan<float> vector) => Measure(vector).Distance;

    /// <summary>The distance from the subspace and ‖d‖ (ML.NET's score is their ratio).</summary>
    internal (float Distance, float Norm) Measure(ReadOnlySpan<float> vector)
    {
        if (vector.Length != _scale.Length)
        {
            throw new ArgumentException($"expected {_scale.Length} metrics, got {vector.Length}", nameof(vector));
        }

        Span<double> d = vector.Length <= 64 ? stackalloc double[vector.Length] : new double[vector.Length];
        double norm2 = 0;
        for (var i = 0; i < d.Length; i++)
        {
            d[i] = ((vector[i] - (double)_offset[i]) * _scale[i]) - _mean[i];
            norm2 += d[i] * d[i];
        }

        double projected = 0;
        foreach (var e in _eigen)
        {
            double dot = 0;
            for (var i = 0; i < d.Length; i++)
            {
                dot += e[i] * d[i];
            }

            projected += dot * dot;
        }

        return ((float)Math.Sqrt(Math.Max(0, norm2 - projected)), (float)Math.Sqrt(norm2));
    }
}

[JsonSerializable(typeof(PcaModelInfo))]
[JsonSerializable(typeof(ModelManifest))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class PcaJson : JsonSerializerContext;
