using ItOpsStream.Engine.Detection;
using Microsoft.Extensions.Logging;

namespace ItOpsStream.Cli.Service;

/// <summary>
/// The models directory of <c>run</c> (config key <c>models.dir</c>, docs/MODELS.md): its manifest is
/// loaded at start, then polled every <c>models.poll_interval_ms</c>. A promotion (a higher manifest
/// version) swaps the models in between batches; one whose models do not load (a damaged file, a
/// SHA-256 mismatch) is logged in one line and the previous models keep running. A directory that
/// does not load at start is logged the same way and the engine starts without models: a bad
/// promotion must not keep the service from (re)starting.
/// </summary>
internal sealed partial class ModelsWiring : IDisposable
{
    private readonly TimeSpan _interval;
    private ModelsWatcher? _watcher;

    private ModelsWiring(ModelsProvider provider, ModelReloadResult initial, TimeSpan interval)
    {
        Provider = provider;
        Initial = initial;
        _interval = interval;
    }

    /// <summary>The models in force; each alert shard reads it between batches.</summary>
    public ModelsProvider Provider { get; }

    /// <summary>What loading the directory at start did.</summary>
    public ModelReloadResult Initial { get; }

    /// <summary>Loads the configured models directory; null when none is configured.</summary>
    public static ModelsWiring? Load(EngineConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.ModelsDirectory is not { } directory)
        {
            return null;
        }

        var provider = new ModelsProvider(directory);
        return new ModelsWiring(provider, provider.TryReload(), config.ModelsPollInterval);
    }

    /// <summary>Logs the load at start and starts polling; every later load or refusal is logged through <paramref name="logger"/>.</summary>
    public void Watch(ILogger logger)
    {
        if (Initial.Status == ModelReloadStatus.Unchanged)
        {
            LogEmpty(logger, Provider.Directory);
        }
        else
        {
            Report(logger, Initial);
        }

        _watcher?.Dispose();
        _watcher = new ModelsWatcher(Provider, result => Report(logger, result), _interval);
    }

    /// <summary>Logs one reload attempt (the watcher's callback must not throw, and logging does not).</summary>
    internal void Report(ILogger logger, ModelReloadResult result)
    {
        if (result.Status == ModelReloadStatus.Refused)
        {
            LogRefused(logger, result.Error ?? Provider.Directory);
            return;
        }

        var current = Provider.Current;
        LogLoaded(logger, Provider.Directory, current.Version, current.Models.Count == 0 ? "none" : string.Join(", ", current.Models.Select(m => $"{m.Name} ({m.Entry.Kind})")));
        foreach (var warning in result.Warnings)
        {
            LogSkipped(logger, warning);
        }
    }

    public void Dispose() => _watcher?.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "models: reload refused: {Error}")]
    private static partial void LogRefused(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "models: {Directory} version {Version} in force: {Models}")]
    private static partial void LogLoaded(ILogger logger, string directory, long version, string models);

    [LoggerMessage(Level = LogLevel.Warning, Message = "models: {Warning}")]
    private static partial void LogSkipped(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Information, Message = "models: {Directory} has no promoted model yet; watching it")]
    private static partial void LogEmpty(ILogger logger, string directory);
}
