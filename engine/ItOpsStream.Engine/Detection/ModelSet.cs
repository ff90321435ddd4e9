using ItOpsStream.Models.Training;

namespace ItOpsStream.Engine.Detection;

/// <summary>
/// One promoted model, loaded and checked: what <see cref="ModelAlertProducer"/> scores with. Immutable
/// and shared by every shard; each shard creates its own scorer or session from it.
/// </summary>
public sealed class LoadedModel
{
    private LoadedModel(ModelEntry entry, IReadOnlyList<string> metrics, string? ci, PcaModel? pca, byte[]? onnx)
    {
        Entry = entry;
        Metrics = metrics;
        Ci = ci;
        Pca = pca;
        Onnx = onnx;
    }

    /// <summary>The manifest entry it was loaded from.</summary>
    public ModelEntry Entry { get; }

    /// <summary>The model's name: alerts carry the check <c>anomaly:model:NAME</c>.</summary>
    public string Name => Entry.Name;

    /// <summary><c>pca</c>: the metrics of the vector, in the model's order; <c>onnx</c>: the one metric it scores.</summary>
    public IReadOnlyList<string> Metrics { get; }

    /// <summary><c>pca</c> trained on one CI (<c>models train --ci</c>): only that CI is scored; null: every CI (fleet model).</summary>
    public string? Ci { get; }

    /// <summary>The PCA model (<c>pca</c> entries).</summary>
    public PcaModel? Pca { get; }

    /// <summary>The checked ONNX bytes (<c>onnx</c> entries); each shard opens its own session.</summary>
    internal byte[]? Onnx { get; }

    /// <summary>A PCA model already in memory (tests, tools).</summary>
    public static LoadedModel FromPca(ModelEntry entry, PcaModel model)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(model);
        return new LoadedModel(entry, model.Info.Metrics, model.Info.Ci, model, null);
    }

    /// <summary>An ONNX window model that scores <paramref name="metric"/> on every CI.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a model of the window contract.</exception>
    public static LoadedModel FromOnnx(ModelEntry entry, byte[] model, string metric)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        using (new OnnxWindowModel(model))
        {
            // Opened once to refuse what a shard could not open.
        }

        return new LoadedModel(entry, [metric], null, null, model);
    }

    /// <summary>Whether <paramref name="entry"/> is this model's entry unchanged (same file, same bytes).</summary>
    internal bool IsSame(ModelEntry entry) => Entry.File == entry.File && Entry.Sha256 == entry.Sha256 && Entry.Kind == entry.Kind && Entry.Metric == entry.Metric;
}

/// <summary>
/// The models in force: an immutable snapshot of one manifest version, swapped whole by
/// <see cref="ModelsProvider"/>. Shards read it between batches.
/// </summary>
public sealed class ModelSet
{
    public ModelSet(long version, IReadOnlyList<LoadedModel> models)
    {
        Version = version;
        Models = models ?? throw new ArgumentNullException(nameof(models));
    }

    /// <summary>No models (manifest version 0).</summary>
    public static ModelSet Empty { get; } = new(0, []);

    /// <summary>The manifest version this set was loaded from.</summary>
    public long Version { get; }

    public IReadOnlyList<LoadedModel> Models { get; }

    /// <summary>
    /// Loads every entry of <paramref name="manifest"/>: checks each file's SHA-256, loads it, and refuses
    /// the whole set if any file does not load. Entries unchanged since <paramref name="previous"/> are
    /// reused (the shards keep their per-CI state for them).
    /// </summary>
    /// <param name="directory">The models directory.</param>
    /// <param name="manifest">Its manifest.</param>
    /// <param name="previous">The set in force, or null.</param>
    /// <param name="warnings">Receives entries skipped without refusing the set (an ONNX model without a metric).</param>
    /// <exception cref="InvalidDataException">A file is missing, does not match its SHA-256 or does not load; the message names it.</exception>
    public static ModelSet Load(string directory, ModelManifest manifest, ModelSet? previous, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(warnings);
        var models = new List<LoadedModel>(manifest.Models.Count);
        foreach (var entry in manifest.Models.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            if (previous?.Models.FirstOrDefault(m => m.Name == entry.Name && m.IsSame(entry)) is { } same)
            {
                models.Add(same);
                continue;
            }

            if (entry.File.Length == 0 || Path.GetFileName(entry.File) != entry.File)
            {
                throw new InvalidDataException($"model '{entry.Name}': file '{entry.File}' is not a file name inside the models directory");
            }

            if (entry.Kind == "onnx" && string.IsNullOrWhiteSpace(entry.Metric))
            {
                warnings.Add($"model '{entry.Name}' ({entry.File}): an onnx model without 'metric' is not run (promote it with --metric NAME)");
                continue;
            }

            byte[] bytes;
            try
            {
                bytes = ModelManifest.ReadModel(directory, entry);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new InvalidDataException($"model '{entry.Name}': {entry.File}: {ex.Message}", ex);
            }

            models.Add(entry.Kind switch
            {
                "pca" => LoadPca(entry, bytes),
                "onnx" => LoadOnnx(entry, bytes),
                _ => throw new InvalidDataException($"model '{entry.Name}': kind '{entry.Kind}' is not pca or onnx"),
            });
        }

        return new ModelSet(manifest.Version, models);
    }

    private static LoadedModel LoadPca(ModelEntry entry, byte[] bytes)
    {
        PcaModel model;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            model = PcaModel.Load(stream);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // ML.NET reports a damaged zip with several exception types; all mean "this file does not load".
            throw new InvalidDataException($"model '{entry.Name}': {entry.File}: not a loadable pca model: {ex.Message}", ex);
        }

        if (model.Info.Metrics.Count < 2 || model.Info.Metrics.Distinct(StringComparer.Ordinal).Count() != model.Info.Metrics.Count)
        {
            throw new InvalidDataException($"model '{entry.Name}': {entry.File}: a pca model needs 2 or more distinct metrics");
        }

        return LoadedModel.FromPca(entry, model);
    }

    private static LoadedModel LoadOnnx(ModelEntry entry, byte[] bytes)
    {
        try
        {
            return LoadedModel.FromOnnx(entry, bytes, entry.Metric!);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // ONNX Runtime reports some damaged files with its own exception types; all mean "does not load".
            throw new InvalidDataException($"model '{entry.Name}': {entry.File}: {ex.Message}", ex);
        }
    }
}
