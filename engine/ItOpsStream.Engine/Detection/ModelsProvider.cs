using System.Globalization;
using ItOpsStream.Models.Training;

namespace ItOpsStream.Engine.Detection;

/// <summary>The promoted models in force. <see cref="Current"/> is read by each shard between batches.</summary>
public interface IModelsProvider
{
    ModelSet Current { get; }
}

/// <summary>
/// Holds the models of a models directory (<c>models promote</c>) and swaps them atomically when the
/// manifest changes (a promotion; a directory recreated from scratch). A manifest whose models do not all load (a damaged file, a SHA-256 that
/// does not match) keeps the previous models running; <see cref="TryReload"/> says why.
/// </summary>
/// <remarks>
/// <see cref="Current"/> is a volatile reference: readers take no lock. <see cref="TryReload"/> is
/// serialized (one reload at a time, from the watcher's timer or the caller at start). Each manifest
/// is tried once: a refused one is not retried, the next change (a promotion) is. A directory that
/// lost its manifest keeps the models running until one appears.
/// </remarks>
public sealed class ModelsProvider : IModelsProvider
{
    private readonly Lock _reload = new();
    private readonly ModelDirectoryWatcher _manifest;
    private volatile ModelSet _current = ModelSet.Empty;

    public ModelsProvider(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        _manifest = new ModelDirectoryWatcher(Directory);
    }

    /// <summary>The models directory (absolute).</summary>
    public string Directory { get; }

    public ModelSet Current => _current;

    /// <summary>
    /// Reads the manifest; when it changed, loads its models and makes them <see cref="Current"/>
    /// (or, if any does not load, keeps the current ones). Cheap when nothing changed: one small file read.
    /// </summary>
    public ModelReloadResult TryReload()
    {
        lock (_reload)
        {
            ModelManifest manifest;
            try
            {
                if (!_manifest.TryRefresh(out manifest))
                {
                    return new ModelReloadResult(ModelReloadStatus.Unchanged, _current.Version, null, []);
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                return Refused(_current.Version, $"{Path.Combine(Directory, ModelManifest.FileName)}: {ex.Message}");
            }

            var warnings = new List<string>();
            try
            {
                _current = ModelSet.Load(Directory, manifest, _current, warnings);
                return new ModelReloadResult(ModelReloadStatus.Loaded, manifest.Version, null, warnings);
            }
            catch (InvalidDataException ex)
            {
                return Refused(manifest.Version, string.Create(CultureInfo.InvariantCulture, $"manifest version {manifest.Version}: {ex.Message}"));
            }
        }
    }

    private ModelReloadResult Refused(long version, string reason) =>
        new(ModelReloadStatus.Refused, version, string.Create(CultureInfo.InvariantCulture, $"{reason} (keeping the models of version {_current.Version})"), []);
}

/// <summary>What a reload attempt did.</summary>
public enum ModelReloadStatus
{
    /// <summary>The manifest did not change (or there is none).</summary>
    Unchanged = 0,

    /// <summary>A new manifest version is in force.</summary>
    Loaded = 1,

    /// <summary>The manifest or one of its models did not load; the previous models keep running.</summary>
    Refused = 2,
}

/// <summary>The outcome of <see cref="ModelsProvider.TryReload"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Version">The manifest version loaded or refused (the current one when unchanged).</param>
/// <param name="Error">Why it was refused: one line naming the file.</param>
/// <param name="Warnings">Entries of a loaded manifest that are not run, and why.</param>
public sealed record ModelReloadResult(ModelReloadStatus Status, long Version, string? Error, IReadOnlyList<string> Warnings);

/// <summary>
/// Polls a models directory on its own timer and reloads it into a <see cref="ModelsProvider"/> when
/// <c>models promote</c> published a higher manifest version (the long-running <c>run</c> command).
/// Polling rather than file-system events: one small file read per period, and it works on volumes
/// (NFS, container mounts) where change notifications do not.
/// </summary>
/// <remarks>
/// The report callback runs on a thread-pool thread after each attempt that loaded or refused
/// something (a refusal of a broken manifest file is reported once until its reason changes);
/// it must not throw. Attempts never overlap: the timer is re-armed after each one.
/// </remarks>
public sealed class ModelsWatcher : IDisposable
{
    private readonly ModelsProvider _provider;
    private readonly Action<ModelReloadResult> _report;
    private readonly TimeSpan _interval;
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private string? _lastError;
    private bool _disposed;

    /// <param name="provider">The provider to reload.</param>
    /// <param name="report">Called with each attempt that loaded or refused a version.</param>
    /// <param name="interval">Poll period (default 2 s).</param>
    public ModelsWatcher(ModelsProvider provider, Action<ModelReloadResult> report, TimeSpan? interval = null)
    {
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
        _report = report ?? throw new ArgumentNullException(nameof(report));
        _interval = interval ?? TimeSpan.FromSeconds(2);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_interval, TimeSpan.Zero, nameof(interval));
        _timer = new Timer(_ => Poll(), null, _interval, Timeout.InfiniteTimeSpan);
    }

    private void Poll()
    {
        ModelReloadResult result;
        try
        {
            result = _provider.TryReload();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // An exception on a timer thread would end the process; an unexpected failure is one more refusal.
            result = new ModelReloadResult(ModelReloadStatus.Refused, _provider.Current.Version, $"{_provider.Directory}: {ex.GetType().Name}: {ex.Message} (keeping the models of version {_provider.Current.Version})", []);
        }

        if (result.Status == ModelReloadStatus.Loaded || (result.Status == ModelReloadStatus.Refused && result.Error != _lastError))
        {
            _report(result);
        }

        _lastError = result.Status == ModelReloadStatus.Refused ? result.Error : null;
        lock (_gate)
        {
            if (!_disposed)
            {
                _timer.Change(_interval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer.Dispose();
        }
    }
}
