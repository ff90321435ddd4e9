using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ItOpsStream.Models.Training;

/// <summary>One promoted model in a models directory.</summary>
public sealed record ModelEntry
{
    /// <summary>Logical name (e.g. <c>host-fleet</c>); a new promotion of the same name replaces the entry.</summary>
    [JsonPropertyName("name")]
    public string Name { get; init; } = string.Empty;

    /// <summary><c>pca</c> (ML.NET zip from <c>models train</c>) or <c>onnx</c>.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; init; } = string.Empty;

    /// <summary>File name inside the models directory; never overwritten, so a reader never sees half a file.</summary>
    [JsonPropertyName("file")]
    public string File { get; init; } = string.Empty;

    /// <summary>Manifest version at which this entry was promoted.</summary>
    [JsonPropertyName("version")]
    public long Version { get; init; }

    /// <summary>SHA-256 of the file, hex; a loader refuses a file that does not match.</summary>
    [JsonPropertyName("sha256")]
    public string Sha256 { get; init; } = string.Empty;

    /// <summary>
    /// <c>onnx</c> only: the metric name whose series the model scores, on every CI that reports it
    /// (<c>models promote --metric</c>). Absent in manifests written before it existed; an engine does
    /// not run an ONNX entry without it. A <c>pca</c> model names its metrics (and CI) inside its file.
    /// </summary>
    [JsonPropertyName("metric")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Metric { get; init; }
}

/// <summary>
/// <c>manifest.json</c> of a models directory: a version that grows by one per promotion, and the
/// current model of each name. A running engine polls the version and reloads when it grows.
/// </summary>
public sealed record ModelManifest
{
    public const string FileName = "manifest.json";

    [JsonPropertyName("version")]
    public long Version { get; init; }

    [JsonPropertyName("models")]
    public IReadOnlyList<ModelEntry> Models { get; init; } = [];

    /// <summary>Reads a directory's manifest; an empty manifest (version 0) when there is none yet.</summary>
    /// <exception cref="InvalidDataException">The manifest is not valid JSON of this shape.</exception>
    public static ModelManifest Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!System.IO.File.Exists(path))
        {
            return new ModelManifest();
        }

        try
        {
            using var stream = System.IO.File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, PcaJson.Default.ModelManifest) ?? new ModelManifest();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Copies <paramref name="modelFile"/> into <paramref name="directory"/> under a versioned name and
    /// publishes a manifest one version higher. The manifest is replaced atomically (written aside, then
    /// moved), after the model file is complete, so a poller sees either the old or the new state.
    /// </summary>
    /// <remarks>Single writer: concurrent promotions into one directory are not supported.</remarks>
    /// <param name="directory">The models directory (created if missing).</param>
    /// <param name="modelFile">The model to copy in.</param>
    /// <param name="name">Logical name; replaces the entry of the same name.</param>
    /// <param name="kind"><c>pca</c> or <c>onnx</c>.</param>
    /// <param name="metric">For <c>onnx</c>: the metric the model scores (<see cref="ModelEntry.Metric"/>); must be null for <c>pca</c>.</param>
    /// <exception cref="ArgumentException">A bad name, kind or metric.</exception>
    public static ModelManifest Promote(string directory, string modelFile, string name, string kind, string? metric = null)
    {
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new ArgumentException($"model name '{name}' must be non-empty ASCII letters, digits, '-', '_' or '.'", nameof(name));
        }

        if (kind is not ("pca" or "onnx"))
        {
            throw new ArgumentException($"model kind '{kind}' is not pca or onnx", nameof(kind));
        }

        if (metric is not null && (kind != "onnx" || string.IsNullOrWhiteSpace(metric)))
        {
            throw new ArgumentException(kind == "onnx" ? "the metric name must not be empty" : "a pca model names its metrics itself: no metric for kind pca", nameof(metric));
        }

        Directory.CreateDirectory(directory);
        var current = Read(directory);
        var version = current.Version + 1;
        var fileName = $"{name}.v{version}{Path.GetExtension(modelFile)}";
        var target = Path.Combine(directory, fileName);
        System.IO.File.Copy(modelFile, target, overwrite: false);
        string sha;
        using (var stream = System.IO.File.OpenRead(target))
        {
            sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        var entry = new ModelEntry { Name = name, Kind = kind, File = fileName, Version = version, Sha256 = sha, Metric = metric?.Trim() };
        var manifest = new ModelManifest
        {
            Version = version,
            Models = [.. current.Models.Where(m => m.Name != name), entry],
        };
        var temp = Path.Combine(directory, FileName + ".tmp");
        using (var stream = System.IO.File.Create(temp))
        {
            JsonSerializer.Serialize(stream, manifest, PcaJson.Default.ModelManifest);
        }

        System.IO.File.Move(temp, Path.Combine(directory, FileName), overwrite: true);
        return manifest;
    }

    /// <summary>Opens an entry's file after checking its SHA-256.</summary>
    /// <exception cref="InvalidDataException">The file does not match the manifest.</exception>
    public static byte[] ReadModel(string directory, ModelEntry entry)
    {
        var bytes = System.IO.File.ReadAllBytes(Path.Combine(directory, entry.File));
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (sha != entry.Sha256)
        {
            throw new InvalidDataException($"{entry.File}: SHA-256 {sha} does not match the manifest's {entry.Sha256}");
        }

        return bytes;
    }
}

/// <summary>
/// Polls a models directory for a changed manifest: the hot-reload hook of a running engine. Cheap to
/// call often (one small file read); the caller reloads its models when <see cref="TryRefresh"/> says so.
/// </summary>
/// <remarks>
/// Any change counts, not only a higher version: a directory recreated from scratch starts again at
/// version 1, and its models are not the ones running. A directory without a manifest (deleted, or being
/// recreated) is no change: the models running keep running until a manifest appears.
/// </remarks>
public sealed class ModelDirectoryWatcher(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>The manifest last returned by <see cref="TryRefresh"/> (version 0 before).</summary>
    public ModelManifest Current { get; private set; } = new();

    /// <summary>True and the new manifest when it changed (its version or its entries) since the last call.</summary>
    public bool TryRefresh(out ModelManifest manifest)
    {
        manifest = Current;
        var read = ModelManifest.Read(Directory);

        // No manifest reads as version 0 without models: no change, so a directory deleted or being recreated
        // leaves the running models alone (one read, so a deletion between two reads cannot look like a change).
        var absent = read.Version == 0 && read.Models.Count == 0;
        if (absent || (read.Version == Current.Version && read.Models.SequenceEqual(Current.Models)))
        {
            return false;
        }

        manifest = read;
        Current = read;
        return true;
    }
}
