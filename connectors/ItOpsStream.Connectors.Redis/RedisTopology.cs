using ItOpsStream.Engine.Topology;
using Microsoft.Extensions.Logging;

namespace ItOpsStream.Connectors.Redis;

/// <summary>
/// What <c>run --topology redis://…</c> needs in one object: the store (to apply <c>itops.cmdb</c>
/// changes) and the snapshot manager (the graph the hot path reads), started from a URL.
/// </summary>
public sealed class RedisTopology : IAsyncDisposable
{
    private RedisTopology(RedisTopologyStore store, TopologySnapshotManager snapshot)
    {
        Store = store;
        Snapshot = snapshot;
    }

    /// <summary>Apply CMDB changes here (<see cref="RedisTopologyStore.ApplyAsync"/>); every engine process sees them.</summary>
    public RedisTopologyStore Store { get; }

    /// <summary>Read <see cref="TopologySnapshotManager.Graph"/> on the hot path.</summary>
    public TopologySnapshotManager Snapshot { get; }

    /// <summary>
    /// Connects to <paramref name="url"/>, loads the whole topology (retrying while Redis is
    /// unreachable, until <paramref name="cancellationToken"/>), and starts tailing the change feed.
    /// </summary>
    /// <exception cref="ArgumentException">The URL or the options are invalid (one-line message).</exception>
    public static async Task<RedisTopology> StartAsync(
        string url,
        RedisCmdbOptions? options = null,
        TopologySnapshotOptions? snapshotOptions = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        var store = await RedisTopologyStore.ConnectAsync(url, options).ConfigureAwait(false);
        var snapshot = new TopologySnapshotManager(store, snapshotOptions, logger);
        try
        {
            await snapshot.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await snapshot.DisposeAsync().ConfigureAwait(false);
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new RedisTopology(store, snapshot);
    }

    /// <summary>Stops tailing, then closes the connections. The last graph stays readable.</summary>
    public async ValueTask DisposeAsync()
    {
        await Snapshot.DisposeAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
    }
}
