using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Correlation;

/// <summary>
/// The topology the correlator reads: a fixed graph in replay, a snapshot refreshed from the CMDB
/// change feed when live. The correlator reads <see cref="Current"/> once per batch, on its own
/// thread; an implementation swaps whole immutable graphs, never mutates one in place.
/// </summary>
public interface ITopologyProvider
{
    TopologyGraph Current { get; }
}

/// <summary>A topology that never changes (replay, tests).</summary>
public sealed class StaticTopology(TopologyGraph graph) : ITopologyProvider
{
    public TopologyGraph Current { get; } = graph;
}
