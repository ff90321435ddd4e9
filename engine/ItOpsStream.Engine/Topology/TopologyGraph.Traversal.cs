namespace ItOpsStream.Engine.Topology;

public sealed partial class TopologyGraph
{
    /// <summary>
    /// Breadth-first walk downstream: the CIs <paramref name="node"/> needs, directly or through others, within
    /// <paramref name="maxHops"/> relations. Each CI appears once, at its minimum hop count, in nondecreasing
    /// hop order; <paramref name="node"/> itself is excluded. <paramref name="result"/> is cleared first.
    /// </summary>
    /// <remarks>Allocates nothing beyond growing <paramref name="result"/>; cost is O(CIs and relations visited).</remarks>
    public void Dependencies(int node, int maxHops, List<(int Node, int Hops)> result) =>
        Walk(node, maxHops, result, _outOffsets, _outTargets);

    /// <summary>
    /// Breadth-first walk upstream: the CIs that need <paramref name="node"/>, directly or through others (who
    /// sees symptoms when it fails), within <paramref name="maxHops"/>. Same contract as <see cref="Dependencies"/>.
    /// </summary>
    public void Dependents(int node, int maxHops, List<(int Node, int Hops)> result) =>
        Walk(node, maxHops, result, _inOffsets, _inSources);

    /// <summary>
    /// The number of relations on the shortest chain by which <paramref name="from"/> depends on
    /// <paramref name="to"/>, if at most <paramref name="maxHops"/>; 0 when they are the same node, -1 otherwise.
    /// </summary>
    public int DependencyDistance(int from, int to, int maxHops)
    {
        CheckNode(from);
        CheckNode(to);
        CheckHops(maxHops);
        if (from == to)
        {
            return 0;
        }

        var scratch = TraversalScratch.Rent(Count);
        try
        {
            return Meet(from, to, maxHops, directed: true, scratch, out _, out _);
        }
        finally
        {
            TraversalScratch.Return(scratch);
        }
    }

    /// <summary>
    /// A shortest chain of dependencies from <paramref name="from"/> to <paramref name="to"/> (each node depends
    /// on the next), both ends included, of at most <paramref name="maxHops"/> relations; null when there is none.
    /// </summary>
    public int[]? ShortestDependencyPath(int from, int to, int maxHops) => Path(from, to, maxHops, directed: true);

    /// <summary>
    /// A shortest chain of relations between <paramref name="a"/> and <paramref name="b"/> in either direction,
    /// both ends included, of at most <paramref name="maxHops"/> relations; null when there is none.
    /// </summary>
    public int[]? ShortestPath(int a, int b, int maxHops) => Path(a, b, maxHops, directed: false);

    private static void CheckHops(int maxHops) => ArgumentOutOfRangeException.ThrowIfNegative(maxHops);

    private void Walk(int node, int maxHops, List<(int Node, int Hops)> result, int[] offsets, int[] adjacent)
    {
        CheckNode(node);
        CheckHops(maxHops);
        ArgumentNullException.ThrowIfNull(result);
        result.Clear();
        if (maxHops == 0)
        {
            return;
        }

        var scratch = TraversalScratch.Rent(Count);
        try
        {
            var stamps = scratch.Stamps;
            var generation = scratch.NextGenerations(1);
            stamps[node] = generation;
            Visit(node, 1);

            // The result list doubles as the queue: it already holds the nodes in breadth-first order.
            for (var head = 0; head < result.Count; head++)
            {
                var (current, hops) = result[head];
                if (hops < maxHops)
                {
                    Visit(current, hops + 1);
                }
            }

            void Visit(int from, int hops)
            {
                for (var e = offsets[from]; e < offsets[from + 1]; e++)
                {
                    var next = adjacent[e];
                    if (stamps[next] != generation)
                    {
                        stamps[next] = generation;
                        result.Add((next, hops));
                    }
                }
            }
        }
        finally
        {
            TraversalScratch.Return(scratch);
        }
    }

    private int[]? Path(int from, int to, int maxHops, bool directed)
    {
        CheckNode(from);
        CheckNode(to);
        CheckHops(maxHops);
        if (from == to)
        {
            return [from];
        }

        var scratch = TraversalScratch.Rent(Count);
        try
        {
            var hops = Meet(from, to, maxHops, directed, scratch, out var lastFromSide, out var firstToSide);
            if (hops < 0)
            {
                return null;
            }

            // Parents lead from each side of the meeting edge back to the end it started from.
            var parents = scratch.Parents;
            var path = new int[hops + 1];
            var at = 0;
            for (var node = lastFromSide; node >= 0; node = parents[node])
            {
                path[at++] = node;
            }

            Array.Reverse(path, 0, at);
            for (var node = firstToSide; node >= 0; node = parents[node])
            {
                path[at++] = node;
            }

            return path;
        }
        finally
        {
            TraversalScratch.Return(scratch);
        }
    }

    /// <summary>
    /// Bidirectional breadth-first search from <paramref name="from"/> (forward) and <paramref name="to"/>
    /// (backward when <paramref name="directed"/>), a whole level at a time on the smaller frontier. Returns the
    /// hop count of a shortest path within <paramref name="maxHops"/>, or -1; the meeting relation is
    /// <paramref name="lastFromSide"/> → <paramref name="firstToSide"/>.
    /// </summary>
    /// <remarks>
    /// The first meeting found is a shortest one: when the forward side expands level <c>a</c> and reaches a node
    /// stamped by the backward side, that node is on the backward frontier (level <c>b</c>); a backward node at a
    /// smaller level was expanded earlier and would already have met, so every meeting during this expansion
    /// has length a + 1 + b. Visiting only the smaller frontier keeps a query between two hubs cheap. Each node
    /// is stamped by one side only, so both queues fit in one array: forward from the front, backward from the
    /// back.
    /// </remarks>
    private int Meet(int from, int to, int maxHops, bool directed, TraversalScratch scratch, out int lastFromSide, out int firstToSide)
    {
        lastFromSide = -1;
        firstToSide = -1;
        var stamps = scratch.Stamps;
        var parents = scratch.Parents;
        var queue = scratch.Queue;
        var forward = scratch.NextGenerations(2);
        var backward = forward + 1;
        stamps[from] = forward;
        stamps[to] = backward;
        parents[from] = -1;
        parents[to] = -1;

        // Forward frontier is queue[fStart, fEnd); backward frontier is queue(bEnd, bStart], growing down.
        var fStart = 0;
        var fEnd = 1;
        queue[0] = from;
        var bStart = Count - 1;
        var bEnd = Count - 2;
        queue[bStart] = to;
        var forwardLevel = 0;
        var backwardLevel = 0;
        while (forwardLevel + backwardLevel < maxHops)
        {
            var forwardSize = fEnd - fStart;
            var backwardSize = bStart - bEnd;
            if (forwardSize == 0 || backwardSize == 0)
            {
                return -1;
            }

            if (forwardSize <= backwardSize)
            {
                var next = fEnd;
                for (var i = fStart; i < fEnd; i++)
                {
                    var node = queue[i];
                    if (ExpandForward(node, _outOffsets, _outTargets, ref next, out firstToSide)
                        || (!directed && ExpandForward(node, _inOffsets, _inSources, ref next, out firstToSide)))
                    {
                        lastFromSide = node;
                        return forwardLevel + 1 + backwardLevel;
                    }
                }

                fStart = fEnd;
                fEnd = next;
                forwardLevel++;
            }
            else
            {
                var next = bEnd;
                for (var i = bStart; i > bEnd; i--)
                {
                    var node = queue[i];
                    if (ExpandBackward(node, _inOffsets, _inSources, ref next, out lastFromSide)
                        || (!directed && ExpandBackward(node, _outOffsets, _outTargets, ref next, out lastFromSide)))
                    {
                        firstToSide = node;
                        return forwardLevel + 1 + backwardLevel;
                    }
                }

                bStart = bEnd;
                bEnd = next;
                backwardLevel++;
            }
        }

        return -1;

        bool ExpandForward(int node, int[] offsets, int[] adjacent, ref int next, out int met)
        {
            for (var e = offsets[node]; e < offsets[node + 1]; e++)
            {
                var neighbour = adjacent[e];
                var stamp = stamps[neighbour];
                if (stamp == backward)
                {
                    met = neighbour;
                    return true;
                }

                if (stamp != forward)
                {
                    stamps[neighbour] = forward;
                    parents[neighbour] = node;
                    queue[next++] = neighbour;
                }
            }

            met = -1;
            return false;
        }

        bool ExpandBackward(int node, int[] offsets, int[] adjacent, ref int next, out int met)
        {
            for (var e = offsets[node]; e < offsets[node + 1]; e++)
            {
                var neighbour = adjacent[e];
                var stamp = stamps[neighbour];
                if (stamp == forward)
                {
                    met = neighbour;
                    return true;
                }

                if (stamp != backward)
                {
                    stamps[neighbour] = backward;
                    parents[neighbour] = node;
                    queue[next--] = neighbour;
                }
            }

            met = -1;
            return false;
        }
    }
}
