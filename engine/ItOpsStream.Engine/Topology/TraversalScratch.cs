namespace ItOpsStream.Engine.Topology;

/// <summary>
/// Per-traversal working arrays (visited stamps, parents, queue), rented from a small lock-free pool so a
/// query allocates nothing and costs O(nodes visited), not O(graph size).
/// </summary>
/// <remarks>
/// A node counts as visited when <c>Stamps[node]</c> equals the generation of the current traversal, so
/// nothing is cleared between traversals. A pool (rather than a [ThreadStatic]) bounds the memory: at most
/// <see cref="PoolSize"/> scratches are kept, each 12 bytes per node of the largest graph queried.
/// </remarks>
internal sealed class TraversalScratch
{
    private static readonly int PoolSize = Math.Max(2, Environment.ProcessorCount);
    private static readonly TraversalScratch?[] Pool = new TraversalScratch?[PoolSize];

    private int _generation;

    private TraversalScratch(int size)
    {
        Stamps = new int[size];
        Parents = new int[size];
        Queue = new int[size];
    }

    public int[] Stamps { get; private set; }

    /// <summary>Predecessor of a node on the way back to the traversal start; valid only where stamped.</summary>
    public int[] Parents { get; private set; }

    public int[] Queue { get; private set; }

    public static TraversalScratch Rent(int nodeCount)
    {
        for (var i = 0; i < Pool.Length; i++)
        {
            var scratch = Interlocked.Exchange(ref Pool[i], null);
            if (scratch is not null)
            {
                scratch.EnsureSize(nodeCount);
                return scratch;
            }
        }

        return new TraversalScratch(nodeCount);
    }

    public static void Return(TraversalScratch scratch)
    {
        for (var i = 0; i < Pool.Length; i++)
        {
            if (Interlocked.CompareExchange(ref Pool[i], scratch, null) is null)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Reserves <paramref name="count"/> consecutive fresh generations and returns the first; stamps of
    /// earlier traversals never equal them.
    /// </summary>
    public int NextGenerations(int count)
    {
        if (_generation > int.MaxValue - count - 1)
        {
            Array.Clear(Stamps);
            _generation = 0;
        }

        var first = _generation + 1;
        _generation += count;
        return first;
    }

    private void EnsureSize(int nodeCount)
    {
        if (Stamps.Length >= nodeCount)
        {
            return;
        }

        // Growth keeps the generation counter: the new stamp array is all zero, and 0 is never a generation.
        var size = Math.Max(nodeCount, Stamps.Length + (Stamps.Length / 4));
        Stamps = new int[size];
        Parents = new int[size];
        Queue = new int[size];
    }
}
