using System.Diagnostics;
using ItOpsStream.Engine.Correlation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ItOpsStream.Engine.Topology;

/// <summary>Options of <see cref="TopologySnapshotManager"/>. Immutable; <see cref="Default"/> suits production.</summary>
public sealed record TopologySnapshotOptions
{
    public static TopologySnapshotOptions Default { get; } = new();

    /// <summary>How long one read of the change feed waits for a change (default 1 s). Bounds how late an outage is noticed when nothing changes.</summary>
    public TimeSpan FeedWait { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>First delay before retrying an unreachable store (default 250 ms); doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan MinRetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest delay between retries (default 5 s).</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid property.</summary>
    public TopologySnapshotOptions Validate()
    {
        if (FeedWait <= TimeSpan.Zero)
        {
            throw new ArgumentException($"FeedWait must be positive, got {FeedWait}", nameof(FeedWait));
        }

        if (MinRetryDelay <= TimeSpan.Zero || MaxRetryDelay < MinRetryDelay)
        {
            throw new ArgumentException($"retry delays must satisfy 0 < MinRetryDelay <= MaxRetryDelay, got {MinRetryDelay} and {MaxRetryDelay}", nameof(MinRetryDelay));
        }

        return this;
    }
}

/// <summary>Whether the snapshot manager currently reaches its store.</summary>
public enum TopologyFeedState
{
    /// <summary>Not loaded yet.</summary>
    Starting,

    /// <summary>The store answers; changes arrive.</summary>
    Connected,

    /// <summary>The store is unreachable; the last snapshot keeps serving.</summary>
    Lost,
}

/// <summary>
/// The engine's in-memory topology: loads the whole CMDB at start, then tails the store's change feed
/// and applies each batch with <see cref="TopologyGraph.WithChanges"/>, publishing the new graph by a
/// reference swap. The hot path reads <see cref="Graph"/> (one volatile read) and never the store.
/// </summary>
/// <remarks>
/// One background task owns all updates. When the store is unreachable the last graph keeps serving;
/// the manager logs once when the store is lost and once when it is back, retries with backoff, and
/// resyncs: it replays the feed from its version, or reloads everything when the feed no longer holds
/// that version (trimmed, reset, or replaced by an import).
/// </remarks>
public sealed partial class TopologySnapshotManager : ITopologyProvider, IAsyncDisposable
{
    private readonly ITopologyStore _store;
    private readonly TopologySnapshotOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Published _current = new(TopologyGraph.Empty, -1);
    private Task? _loop;
    private int _state = (int)TopologyFeedState.Starting;
    private long _reloads;

    public TopologySnapshotManager(ITopologyStore store, TopologySnapshotOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = (options ?? TopologySnapshotOptions.Default).Validate();
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The current topology. Safe from any thread; a graph never changes once published.</summary>
    public TopologyGraph Graph => Volatile.Read(ref _current).Graph;

    /// <summary>The correlator's view: the same as <see cref="Graph"/>, so the manager plugs into <c>PipelinePorts.Topology</c> as is.</summary>
    TopologyGraph ITopologyProvider.Current => Graph;

    /// <summary>The store version <see cref="Graph"/> reflects; -1 before the first load.</summary>
    public long Version => Volatile.Read(ref _current).Version;

    /// <summary>Whether the store is reachable, as of the last attempt.</summary>
    public TopologyFeedState State => (TopologyFeedState)Volatile.Read(ref _state);

    /// <summary>Full loads done so far (the first one included).</summary>
    public long Reloads => Interlocked.Read(ref _reloads);

    /// <summary>
    /// Loads the whole topology, retrying while the store is unreachable, then starts tailing the
    /// change feed in the background. Returns once the first snapshot is published.
    /// </summary>
    /// <param name="cancellationToken">Gives up waiting for the first load: throws <see cref="OperationCanceledException"/>.</param>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("the snapshot manager is already started");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var delay = _options.MinRetryDelay;
        while (true)
        {
            try
            {
                await ReloadAsync(linked.Token).ConfigureAwait(false);
                MarkConnected();
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                MarkLost(ex);
                await Task.Delay(delay, _time, linked.Token).ConfigureAwait(false);
                delay = NextDelay(delay);
            }
        }

        _loop = Task.Run(() => TailAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>Stops tailing. The last graph stays readable.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    /// <summary>One step of the tail loop: read the feed once and apply what it says. Internal for tests.</summary>
    internal async Task SyncOnceAsync(CancellationToken cancellationToken)
    {
        var batch = await _store.ReadChangesAsync(Version, _options.FeedWait, cancellationToken).ConfigureAwait(false);
        MarkConnected();
        if (batch.ReloadRequired)
        {
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (batch.Changes.Count == 0)
        {
            return;
        }

        var current = Volatile.Read(ref _current);
        TopologyGraph next;
        try
        {
            next = current.Graph.WithChanges(batch.Changes);
        }
        catch (ArgumentException ex)
        {
            // A change the graph refuses cannot be skipped without diverging from the store: reload.
            LogChangeRefused(ex.Message);
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        long version = batch.Changes[^1].Version ?? current.Version + batch.Changes.Count;
        Volatile.Write(ref _current, new Published(next, version));
    }

    private async Task TailAsync(CancellationToken cancellationToken)
    {
        var delay = _options.MinRetryDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await SyncOnceAsync(cancellationToken).ConfigureAwait(false);
                delay = _options.MinRetryDelay;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                MarkLost(ex);
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = NextDelay(delay);
            }
        }
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        var snapshot = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        var graph = TopologyGraph.Build(snapshot.Document);
        Volatile.Write(ref _current, new Published(graph, snapshot.Version));
        Interlocked.Increment(ref _reloads);
        LogLoaded(snapshot.Document.Cis.Count, snapshot.Document.Relations.Count, snapshot.Version, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private void MarkConnected()
    {
        if (Interlocked.Exchange(ref _state, (int)TopologyFeedState.Connected) == (int)TopologyFeedState.Lost)
        {
            LogReconnected(_store.ToString() ?? "store", Version);
        }
    }

    private void MarkLost(Exception ex)
    {
        if (Interlocked.Exchange(ref _state, (int)TopologyFeedState.Lost) != (int)TopologyFeedState.Lost)
        {
            LogLost(_store.ToString() ?? "store", FirstLine(ex.Message), Version, Graph.Count);
        }
    }

    private TimeSpan NextDelay(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));

    private static string FirstLine(string text)
    {
        int nl = text.IndexOfAny(['\r', '\n']);
        string line = nl < 0 ? text : text[..nl];
        return line.Length <= 200 ? line : line[..200] + "…";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "topology loaded: {Cis} CIs, {Relations} relations at CMDB version {Version} in {Seconds:0.00} s")]
    private partial void LogLoaded(int cis, int relations, long version, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CMDB {Store} lost: {Reason}; processing continues on topology version {Version} ({Cis} CIs), retrying")]
    private partial void LogLost(string store, string reason, long version, int cis);

    [LoggerMessage(Level = LogLevel.Information, Message = "CMDB {Store} reconnected; resyncing from version {Version}")]
    private partial void LogReconnected(string store, long version);

    [LoggerMessage(Level = LogLevel.Error, Message = "topology change refused by the graph ({Reason}); reloading the whole topology")]
    private partial void LogChangeRefused(string reason);

    /// <summary>The graph and the version it reflects, swapped together.</summary>
    private sealed record Published(TopologyGraph Graph, long Version);
}
