using ItOpsStream.Engine.Pipeline;

namespace ItOpsStream.Engine.Rules;

/// <summary>The rules in force. <see cref="Current"/> is read per evaluation, so a swap applies from the next alert on.</summary>
public interface IRulesProvider
{
    RuleSet Current { get; }
}

/// <summary>
/// Holds the current <see cref="RuleSet"/> and swaps it atomically on reload. A file that does not
/// load keeps the previous rules running; <see cref="TryReload"/> says why.
/// </summary>
/// <remarks>
/// Hot reload applies to the rule sections (suppress, inhibit, grouping, remediation). The
/// <c>alerts</c>, <c>correlation</c> and <c>priority</c> settings size the pipeline's stages and are
/// read once at start: a reload that changes them is reported in <see cref="ReloadResult.Warning"/>.
/// </remarks>
public sealed class RulesProvider : IRulesProvider
{
    private volatile RuleSet _current;

    public RulesProvider(RuleSet initial) => _current = initial;

    public RuleSet Current => _current;

    /// <summary>Loads <paramref name="path"/>; on success it becomes <see cref="Current"/>, on failure nothing changes.</summary>
    public ReloadResult TryReload(string path)
    {
        var before = _current;
        if (!RuleSetLoader.TryLoad(path, out var rules, out string error))
        {
            return new ReloadResult(false, $"{error} (keeping the previous rules)", null);
        }

        _current = rules;
        string? warning = SameSettings(before.Options, rules.Options) ? null : "alerts/correlation/priority settings changed: they apply after a restart";
        return new ReloadResult(true, null, warning);
    }

    private static bool SameSettings(PipelineOptions a, PipelineOptions b) =>
        a.Alerts == b.Alerts && a.Correlation with { PriorityMatrix = null } == b.Correlation with { PriorityMatrix = null }
        && (a.Correlation.PriorityMatrix ?? []).SequenceEqual(b.Correlation.PriorityMatrix ?? []);
}

/// <summary>The outcome of a reload: <see cref="Error"/> when the file was refused, <see cref="Warning"/> for what only a restart applies.</summary>
public sealed record ReloadResult(bool Loaded, string? Error, string? Warning);

/// <summary>
/// Watches a rules file and reloads it into a <see cref="RulesProvider"/> when it changes (for the
/// long-running <c>run</c> command). Editors write files in several steps, so changes are debounced.
/// </summary>
/// <remarks>The report callback runs on a thread-pool thread after each reload attempt; it must not throw.</remarks>
public sealed class RulesWatcher : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _debounce;
    private readonly RulesProvider _provider;
    private readonly string _path;
    private readonly Action<ReloadResult> _report;
    private readonly TimeSpan _delay;

    public RulesWatcher(string path, RulesProvider provider, Action<ReloadResult> report, TimeSpan? debounce = null)
    {
        _path = Path.GetFullPath(path);
        _provider = provider;
        _report = report;
        _delay = debounce ?? TimeSpan.FromMilliseconds(300);
        _debounce = new Timer(_ => _report(_provider.TryReload(_path)));
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!, Path.GetFileName(_path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => Schedule();
        _watcher.Created += (_, _) => Schedule();
        _watcher.Renamed += (_, _) => Schedule();
        _watcher.EnableRaisingEvents = true;
    }

    private void Schedule() => _debounce.Change(_delay, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _watcher.Dispose();
        _debounce.Dispose();
    }
}
