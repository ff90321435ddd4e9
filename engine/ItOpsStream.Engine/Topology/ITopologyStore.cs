namespace ItOpsStream.Engine.Topology;

/// <summary>A whole topology as a store holds it, with the version of the last change it contains.</summary>
/// <param name="Document">Every CI and relation.</param>
/// <param name="Version">The store's version when the load started; changes after it are read with <see cref="ITopologyStore.ReadChangesAsync"/>.</param>
public sealed record TopologySnapshot(TopologyDocument Document, long Version);

/// <summary>The answer of <see cref="ITopologyStore.ReadChangesAsync"/>.</summary>
/// <param name="Changes">Changes after the requested version, in version order, each with its <see cref="TopologyChange.Version"/>; empty when none arrived in time.</param>
/// <param name="ReloadRequired">
/// True when the changes after the requested version cannot be replayed: the change feed was trimmed past
/// it, the store was reset to an older version, or a bulk import replaced the topology. The reader must
/// load the whole topology again.
/// </param>
public readonly record struct TopologyChangeBatch(IReadOnlyList<TopologyChange> Changes, bool ReloadRequired)
{
    public static TopologyChangeBatch None { get; } = new([], false);

    public static TopologyChangeBatch Reload { get; } = new([], true);
}

/// <summary>
/// Where the CMDB topology lives (Redis in production): a full load, versioned atomic changes, and a
/// change feed every engine process tails to keep its in-memory snapshot current.
/// </summary>
/// <remarks>
/// Implementations are safe to call from several threads. Every method throws when the store is not
/// reachable; callers that must survive an outage (the snapshot manager) retry.
/// </remarks>
public interface ITopologyStore : IAsyncDisposable
{
    /// <summary>Loads every CI and relation, and the version they reflect.</summary>
    ValueTask<TopologySnapshot> LoadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Returns the changes after <paramref name="afterVersion"/>, waiting up to <paramref name="wait"/>
    /// for the first one when there are none yet.
    /// </summary>
    ValueTask<TopologyChangeBatch> ReadChangesAsync(long afterVersion, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>
    /// Applies changes in order, each atomically with its version and its announcement on the change
    /// feed. Returns the version of the last one (the current version when the list is empty).
    /// </summary>
    ValueTask<long> ApplyAsync(IReadOnlyList<TopologyChange> changes, CancellationToken cancellationToken);
}
