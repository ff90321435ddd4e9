using ItOpsStream.Connectors.Redis;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Topology;
using Microsoft.Extensions.Logging;

namespace ItOpsStream.Cli.Service;

/// <summary>
/// Where <c>run</c> gets its topology and where <c>itops.cmdb</c> changes go: a file loaded once and
/// changed in memory, or Redis (the store every engine process shares, and a snapshot of it that
/// follows the store's change feed). The pipeline reads <see cref="Provider"/>; the CMDB feed calls
/// <see cref="ApplyAsync"/>.
/// </summary>
internal sealed class TopologyWiring : IAsyncDisposable
{
    private readonly RedisTopologyStore? _store;
    private readonly InMemoryTopology? _memory;
    private TopologySnapshotManager? _snapshot;

    private TopologyWiring(RedisTopologyStore store)
    {
        _store = store;
        Description = store.ToString();
    }

    private TopologyWiring(TopologyGraph graph, string description)
    {
        _memory = new InMemoryTopology(graph);
        Description = description;
    }

    /// <summary>What the pipeline's correlator reads: one volatile read, never Redis. Available once <see cref="StartAsync"/> returned.</summary>
    public ITopologyProvider Provider =>
        (ITopologyProvider?)_memory ?? _snapshot ?? throw new InvalidOperationException("the Redis topology is not loaded yet: call StartAsync first");

    /// <summary>The Redis snapshot manager once started; null for a file topology.</summary>
    public TopologySnapshotManager? Snapshot => _snapshot;

    /// <summary>The file path, or the Redis URL with its password hidden.</summary>
    public string Description { get; }

    /// <summary>Whether changes go to a shared store (then one engine of the group applies each) or to this process's graph only.</summary>
    public bool IsShared => _store is not null;

    /// <summary>A topology loaded from a file; changes are applied to the in-memory graph of this process.</summary>
    public static TopologyWiring FromGraph(TopologyGraph graph, string description) => new(graph, description);

    /// <summary>
    /// Connects to Redis without loading anything yet (returns while Redis is down: the connection keeps
    /// retrying). <see cref="StartAsync"/> loads.
    /// </summary>
    /// <exception cref="CliInputException">The URL is invalid (one line, password hidden).</exception>
    public static async Task<TopologyWiring> ConnectRedisAsync(string url)
    {
        RedisTopologyStore store;
        try
        {
            store = await RedisTopologyStore.ConnectAsync(url).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw new CliInputException($"config: topology.redis: {ex.Message.Split(" (Parameter", 2)[0]}");
        }

        return new TopologyWiring(store);
    }

    /// <summary>
    /// For Redis: loads the whole topology (waiting while Redis is unreachable, until
    /// <paramref name="cancellationToken"/>) and starts tailing the change feed. Nothing for a file.
    /// </summary>
    public async Task StartAsync(ILogger logger, CancellationToken cancellationToken, TopologySnapshotOptions? options = null)
    {
        if (_store is null || _snapshot is not null)
        {
            return;
        }

        var snapshot = new TopologySnapshotManager(_store, options, logger);
        await snapshot.StartAsync(cancellationToken).ConfigureAwait(false);
        _snapshot = snapshot;
    }

    /// <summary>
    /// Applies CMDB changes in order: to Redis (atomic, versioned, announced on the change stream; the
    /// snapshot then picks them up, as every other engine's does), or to this process's graph.
    /// </summary>
    /// <exception cref="ArgumentException">A change is refused (e.g. an id holding U+001F, an empty id); nothing of the batch is applied.</exception>
    public async ValueTask ApplyAsync(IReadOnlyList<TopologyChange> changes, CancellationToken cancellationToken)
    {
        if (_store is not null)
        {
            await _store.ApplyAsync(changes, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _memory!.Apply(changes);
        }
    }

    /// <summary>Stops tailing the feed and closes the Redis connections; the last graph stays readable.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_snapshot is not null)
        {
            await _snapshot.DisposeAsync().ConfigureAwait(false);
        }

        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A file topology that follows the CMDB feed: each batch is folded in with <see cref="TopologyGraph.WithChanges"/> and published by a reference swap.</summary>
    private sealed class InMemoryTopology(TopologyGraph graph) : ITopologyProvider
    {
        private TopologyGraph _graph = graph;

        public TopologyGraph Current => Volatile.Read(ref _graph);

        // Only the CMDB feed's loop writes, so there is no race between read and swap.
        public void Apply(IReadOnlyList<TopologyChange> changes) => Volatile.Write(ref _graph, Current.WithChanges(changes));
    }
}
