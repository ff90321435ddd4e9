using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Rules;
using Microsoft.Extensions.Logging;

namespace ItOpsStream.Cli.Service;

/// <summary>
/// The rules file of <c>run</c> (config key <c>rules</c>, docs/RULES.md): loaded and validated before
/// anything starts, then watched. A file that no longer loads keeps the previous rules running and
/// is logged in one line; a good one swaps in from the next alert on (rule sections only: changed
/// <c>alerts</c>/<c>correlation</c>/<c>priority</c> settings are logged as needing a restart).
/// </summary>
internal sealed partial class RulesWiring : IDisposable
{
    private RulesWatcher? _watcher;

    private RulesWiring(string path, RulesProvider provider)
    {
        Path = path;
        Provider = provider;
    }

    /// <summary>The rules file.</summary>
    public string Path { get; }

    /// <summary>The rules in force; the pipeline's rule and remediation engines read it per evaluation.</summary>
    public RulesProvider Provider { get; }

    /// <summary>Loads the configured rules file; null when none is configured.</summary>
    /// <exception cref="CliInputException">The file is invalid: one line, <c>file:line:column: what</c>.</exception>
    public static RulesWiring? Load(EngineConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.RulesFile is not { } path)
        {
            return null;
        }

        try
        {
            // The configuration's pipeline settings are the base the file's alerts/correlation sections override.
            return new RulesWiring(path, new RulesProvider(RuleSetLoader.Load(path, config.Pipeline)));
        }
        catch (SettingsFormatException ex)
        {
            throw new CliInputException(ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"config: rules: {path}: cannot read: {ex.Message}");
        }
    }

    /// <summary>Starts watching the file; every reload attempt is logged through <paramref name="logger"/>.</summary>
    public void Watch(ILogger logger, TimeSpan? debounce = null)
    {
        _watcher?.Dispose();
        _watcher = new RulesWatcher(Path, Provider, result => Report(logger, result), debounce);
    }

    /// <summary>Logs one reload attempt (the watcher's callback must not throw, and logging does not).</summary>
    internal void Report(ILogger logger, ReloadResult result)
    {
        if (!result.Loaded)
        {
            LogRefused(logger, result.Error ?? Path);
            return;
        }

        LogReloaded(logger, Path, Provider.Current.Count);
        if (result.Warning is { } warning)
        {
            LogNeedsRestart(logger, Path, warning);
        }
    }

    public void Dispose() => _watcher?.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "rules: reload refused: {Error}")]
    private static partial void LogRefused(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "rules: reloaded {Path}: {Rules} rules in force")]
    private static partial void LogReloaded(ILogger logger, string path, int rules);

    [LoggerMessage(Level = LogLevel.Warning, Message = "rules: {Path}: {Warning}")]
    private static partial void LogNeedsRestart(ILogger logger, string path, string warning);
}
