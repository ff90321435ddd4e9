using System.Collections.ObjectModel;

namespace ItOpsStream.Engine.Topology;

/// <summary>
/// The CMDB topology held in memory: CI ids interned to dense <c>int</c> node indices, relations in
/// compressed sparse row arrays in both directions. Immutable, safe for any number of concurrent readers;
/// <see cref="WithChanges"/> returns a new graph and leaves this one as it was.
/// </summary>
/// <remarks>
/// <para>Direction (CONTRACTS §1): a relation <c>from → to</c> means <c>from</c> depends on <c>to</c>, whatever
/// its type. <see cref="DirectDependencies"/> follows relations forward (what a CI needs),
/// <see cref="DirectDependents"/> backward (who needs it, i.e. who sees symptoms when it fails). The type
/// (<c>depends_on</c>, <c>runs_on</c>, <c>hosted_on</c>…) is kept per relation so callers can tell the
/// infrastructure layer apart (<see cref="GetRelationType"/>).</para>
/// <para>There is at most one relation per ordered pair of CIs: a later relation between the same pair
/// replaces the type of the earlier one, and a delete removes the pair whatever its type. Relations from a
/// CI to itself carry no dependency and are ignored.</para>
/// <para>A relation may name a CI that is not in the CMDB (yet): the graph then holds a placeholder node
/// (<see cref="IsPlaceholder"/>, class <see cref="PlaceholderClass"/>) so alerts on it still correlate along
/// the relation. A placeholder lives exactly as long as some relation names it; upserting the CI turns it
/// into a real one.</para>
/// <para>Node indices are only meaningful in the graph that produced them: after <see cref="WithChanges"/>,
/// resolve ids again with <see cref="TryGetNode(string, out int)"/>. In a graph built from a document, CIs come first in
/// document order, then placeholders in order of first mention.</para>
/// <para>Every traversal keeps a visited set, so cycles (which real CMDBs have) never loop; breadth-first
/// order gives every reached CI its minimum hop count.</para>
/// </remarks>
public sealed partial class TopologyGraph
{
    /// <summary>The class of a placeholder CI (named by a relation, absent from the CMDB).</summary>
    public const string PlaceholderClass = "unknown";

    private const byte FlagBusinessService = 1;
    private const byte FlagPlaceholder = 2;

    private static readonly ReadOnlyCollection<int> NoServices = new([]);

    private readonly IdTable _ids;
    private readonly CiRecord[] _cis;
    private readonly byte[] _flags;

    // Forward CSR: the dependencies of node n are _outTargets[_outOffsets[n] .. _outOffsets[n + 1]), sorted
    // ascending, with the interned relation type of each in _outTypes at the same position.
    private readonly int[] _outOffsets;
    private readonly int[] _outTargets;
    private readonly ushort[] _outTypes;

    // Backward CSR: the dependents of node n, sorted ascending.
    private readonly int[] _inOffsets;
    private readonly int[] _inSources;

    private readonly string[] _relationTypes;

    // Lazily filled per node (ImpactedBusinessServices); allocated on first use.
    private ReadOnlyCollection<int>?[]? _impact;

    private TopologyGraph(
        IdTable ids,
        CiRecord[] cis,
        byte[] flags,
        int[] outOffsets,
        int[] outTargets,
        ushort[] outTypes,
        int[] inOffsets,
        int[] inSources,
        string[] relationTypes,
        long version)
    {
        _ids = ids;
        _cis = cis;
        _flags = flags;
        _outOffsets = outOffsets;
        _outTargets = outTargets;
        _outTypes = outTypes;
        _inOffsets = inOffsets;
        _inSources = inSources;
        _relationTypes = relationTypes;
        Version = version;
    }

    /// <summary>A graph with no CIs and no relations, version 0.</summary>
    public static TopologyGraph Empty { get; } = Build(TopologyDocument.Empty);

    /// <summary>Number of CIs (nodes), placeholders included.</summary>
    public int Count => _cis.Length;

    /// <summary>Number of distinct relations (ordered CI pairs).</summary>
    public int RelationCount => _outTargets.Length;

    /// <summary>0 for a built graph; one more than its source for each <see cref="WithChanges"/>.</summary>
    public long Version { get; }

    /// <summary>The node index of <paramref name="ciId"/>; false (and -1) when the graph does not hold it.</summary>
    public bool TryGetNode(string ciId, out int node)
    {
        if (ciId is null)
        {
            node = -1;
            return false;
        }

        return TryGetNode(ciId.AsSpan(), out node);
    }

    /// <summary>The node index of a CI id given as characters, so decoders need not allocate a string.</summary>
    public bool TryGetNode(ReadOnlySpan<char> ciId, out int node)
    {
        node = _ids.Find(ciId);
        return node >= 0;
    }

    public string GetId(int node) => _ids[CheckNode(node)];

    public CiRecord GetCi(int node) => _cis[CheckNode(node)];

    public bool IsBusinessService(int node) => (_flags[CheckNode(node)] & FlagBusinessService) != 0;

    /// <summary>True when the node exists only because a relation names it; its CI is absent from the CMDB.</summary>
    public bool IsPlaceholder(int node) => (_flags[CheckNode(node)] & FlagPlaceholder) != 0;

    /// <summary>The nodes <paramref name="node"/> depends on (relations where it is <c>from</c>), ascending.</summary>
    public ReadOnlySpan<int> DirectDependencies(int node)
    {
        var start = _outOffsets[CheckNode(node)];
        return new ReadOnlySpan<int>(_outTargets, start, _outOffsets[node + 1] - start);
    }

    /// <summary>The nodes that depend on <paramref name="node"/> (relations where it is <c>to</c>), ascending.</summary>
    public ReadOnlySpan<int> DirectDependents(int node)
    {
        var start = _inOffsets[CheckNode(node)];
        return new ReadOnlySpan<int>(_inSources, start, _inOffsets[node + 1] - start);
    }

    /// <summary>
    /// The type of the relation <paramref name="from"/> → <paramref name="to"/> (<c>depends_on</c>,
    /// <c>runs_on</c>…), or null when there is none. The reverse relation is not looked at.
    /// </summary>
    public string? GetRelationType(int from, int to)
    {
        CheckNode(to);
        var start = _outOffsets[CheckNode(from)];
        var index = new ReadOnlySpan<int>(_outTargets, start, _outOffsets[from + 1] - start).BinarySearch(to);
        return index >= 0 ? _relationTypes[_outTypes[start + index]] : null;
    }

    /// <summary>
    /// The business services that transitively depend on <paramref name="node"/> (itself included when it is
    /// one), sorted by node index. Computed on first request per node, then served from a cache.
    /// </summary>
    /// <remarks>
    /// The first request walks the dependents upstream, stopping at any node whose answer is already cached
    /// (its answer covers everything above it), so cost falls as the cache fills. Concurrent first requests
    /// may both compute; one result wins and both return it.
    /// </remarks>
    public IReadOnlyList<int> ImpactedBusinessServices(int node)
    {
        CheckNode(node);
        var cache = Volatile.Read(ref _impact) ?? InitImpactCache();
        return Volatile.Read(ref cache[node]) ?? ComputeImpact(node, cache);
    }

    /// <summary>
    /// The CMDB content of this graph: every CI that is not a placeholder, in node order, and every relation,
    /// grouped by <c>from</c> in node order. Building a graph from it gives an equivalent graph.
    /// </summary>
    public TopologyDocument ToDocument()
    {
        var cis = new List<CiRecord>(Count);
        for (var node = 0; node < Count; node++)
        {
            if ((_flags[node] & FlagPlaceholder) == 0)
            {
                cis.Add(_cis[node]);
            }
        }

        var relations = new RelationRecord[RelationCount];
        for (var from = 0; from < Count; from++)
        {
            for (var e = _outOffsets[from]; e < _outOffsets[from + 1]; e++)
            {
                relations[e] = new RelationRecord(_ids[from], _ids[_outTargets[e]], _relationTypes[_outTypes[e]]);
            }
        }

        return new TopologyDocument(cis, relations);
    }

    /// <summary>
    /// Bytes held by the graph's own arrays (id table, record references, flags, adjacency, impact cache),
    /// excluding the CI records and id strings it shares with its source; for the scale benchmark.
    /// </summary>
    internal long StructureBytes =>
        _ids.StructureBytes
        + (8L * _cis.Length) + _flags.Length
        + (4L * (_outOffsets.Length + _outTargets.Length + _inOffsets.Length + _inSources.Length))
        + (2L * _outTypes.Length)
        + (8L * (_impact?.Length ?? 0));

    private int CheckNode(int node)
    {
        if ((uint)node >= (uint)_cis.Length)
        {
            ThrowNodeOutOfRange(node);
        }

        return node;
    }

    private void ThrowNodeOutOfRange(int node) =>
        throw new ArgumentOutOfRangeException(nameof(node), node, $"node must be in [0, {Count}) for this graph");

    private ReadOnlyCollection<int>?[] InitImpactCache()
    {
        Interlocked.CompareExchange(ref _impact, new ReadOnlyCollection<int>?[Count], null);
        return _impact!;
    }

    private ReadOnlyCollection<int> ComputeImpact(int node, ReadOnlyCollection<int>?[] cache)
    {
        var found = new List<int>();
        var scratch = TraversalScratch.Rent(Count);
        try
        {
            var stamps = scratch.Stamps;
            var queue = scratch.Queue;
            var generation = scratch.NextGenerations(1);
            stamps[node] = generation;
            queue[0] = node;
            var head = 0;
            var tail = 1;
            while (head < tail)
            {
                var current = queue[head++];
                var known = current == node ? null : Volatile.Read(ref cache[current]);
                if (known is not null)
                {
                    found.AddRange(known);
                    continue;
                }

                if ((_flags[current] & FlagBusinessService) != 0)
                {
                    found.Add(current);
                }

                for (var e = _inOffsets[current]; e < _inOffsets[current + 1]; e++)
                {
                    var dependent = _inSources[e];
                    if (stamps[dependent] != generation)
                    {
                        stamps[dependent] = generation;
                        queue[tail++] = dependent;
                    }
                }
            }
        }
        finally
        {
            TraversalScratch.Return(scratch);
        }

        var result = NoServices;
        if (found.Count > 0)
        {
            found.Sort();
            var distinct = 1;
            for (var i = 1; i < found.Count; i++)
            {
                if (found[i] != found[distinct - 1])
                {
                    found[distinct++] = found[i];
                }
            }

            found.RemoveRange(distinct, found.Count - distinct);
            result = new ReadOnlyCollection<int>(found.ToArray());
        }

        return Interlocked.CompareExchange(ref cache[node], result, null) ?? result;
    }
}
