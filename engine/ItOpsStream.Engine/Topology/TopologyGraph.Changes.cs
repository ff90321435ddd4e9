namespace ItOpsStream.Engine.Topology;

public sealed partial class TopologyGraph
{
    /// <summary>
    /// A new graph with <paramref name="changes"/> applied in order; this graph is left as it was.
    /// </summary>
    /// <remarks>
    /// <para>Semantics, per change: upserting a CI adds it or replaces its record. Deleting a CI removes it and
    /// every relation naming it at that point of the batch (a later relation upsert in the same batch brings it
    /// back as a placeholder). Upserting a relation adds it or replaces the type of the relation between the
    /// same pair; a CI it names that the graph does not hold becomes a placeholder. Deleting a relation removes
    /// the relation between that pair whatever its type. Deleting what is absent does nothing. A placeholder
    /// whose last relation goes is dropped. The result equals <see cref="Build"/> of the resulting CMDB
    /// content (node indices aside).</para>
    /// <para>Cost: O(changes) to fold the batch; then, when only CI records change, a copy of the record
    /// references (adjacency and ids shared); otherwise one sequential O(CIs + relations) pass that block-copies
    /// the adjacency of untouched CIs and merges the touched ones, with no string hashing unless CIs were
    /// removed. See docs/TOPOLOGY.md for measured figures.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">A change is null, sets neither or both of Ci and Relation, or has an empty id; the message names its position.</exception>
    public TopologyGraph WithChanges(IReadOnlyList<TopologyChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var batch = new ChangeBatch(this);
        for (var i = 0; i < changes.Count; i++)
        {
            batch.Apply(changes[i], i);
        }

        return batch.Commit(Version + 1);
    }

    /// <summary>A batch folded into final states: per CI id (null = deleted) and per relation pair (null = deleted).</summary>
    private sealed class ChangeBatch(TopologyGraph graph)
    {
        private readonly Dictionary<string, CiRecord?> _cis = new(StringComparer.Ordinal);
        private readonly Dictionary<(string From, string To), string?> _relations = [];

        // Relations upserted in this batch, by each endpoint, so a CI delete can remove them too.
        private readonly Dictionary<string, List<(string From, string To)>> _batchRelationsByCi = new(StringComparer.Ordinal);

        public void Apply(TopologyChange change, int index)
        {
            if (change is null)
            {
                throw new ArgumentException($"changes[{index}] is null", "changes");
            }

            if (change.Op is not (TopologyChangeOp.Upsert or TopologyChangeOp.Delete))
            {
                throw new ArgumentException($"changes[{index}]: unknown op {change.Op}", "changes");
            }

            var upsert = change.Op == TopologyChangeOp.Upsert;
            if (change.Ci is not null && change.Relation is null)
            {
                var id = Require(change.Ci.Id, index, "ci.id");
                if (upsert)
                {
                    _cis[id] = change.Ci;
                }
                else
                {
                    _cis[id] = null;
                    DeleteRelationsOf(id);
                }
            }
            else if (change.Relation is not null && change.Ci is null)
            {
                var pair = (Require(change.Relation.From, index, "relation.from"), Require(change.Relation.To, index, "relation.to"));
                if (string.Equals(pair.Item1, pair.Item2, StringComparison.Ordinal))
                {
                    return;
                }

                _relations[pair] = upsert ? NormaliseType(change.Relation.Type) : null;
                if (upsert)
                {
                    Remember(pair.Item1, pair);
                    Remember(pair.Item2, pair);
                }
            }
            else
            {
                throw new ArgumentException($"changes[{index}]: exactly one of ci and relation must be set", "changes");
            }
        }

        public TopologyGraph Commit(long version)
        {
            if (TryCommitRecordsOnly(version) is { } sameShape)
            {
                return sameShape;
            }

            var baseCount = graph.Count;
            var table = new RelationTypeTable(graph._relationTypes);

            // Tentative node space: the base nodes, then the ids this batch introduces, in order of first mention.
            var added = new List<string>();
            var addedIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (id, ci) in _cis)
            {
                if (ci is not null)
                {
                    Resolve(id);
                }
            }

            // Relation changes per endpoint node; type -1 marks a delete. Each pair occurs once, in its final state.
            var outChanges = new Dictionary<int, List<(int Other, int Type)>>();
            var inChanges = new Dictionary<int, List<(int Other, int Type)>>();
            foreach (var ((fromId, toId), type) in _relations)
            {
                int from, to, typeId;
                if (type is null)
                {
                    from = graph._ids.Find(fromId);
                    to = graph._ids.Find(toId);
                    if (from < 0 || to < 0)
                    {
                        continue;
                    }

                    typeId = -1;
                }
                else
                {
                    from = Resolve(fromId);
                    to = Resolve(toId);
                    typeId = table.Intern(type);
                }

                ListFor(outChanges, from).Add((to, typeId));
                ListFor(inChanges, to).Add((from, typeId));
            }

            var total = baseCount + added.Count;
            var outTouched = Merge(outChanges, graph._outOffsets, graph._outTargets, graph._outTypes, baseCount);
            var inTouched = Merge(inChanges, graph._inOffsets, graph._inSources, null, baseCount);

            // CI changes by node: a small map for upserts, a state byte per node so the pass below stays on arrays.
            var upserted = new Dictionary<int, CiRecord>();
            var deleted = new bool[total];
            var anyDeleted = false;
            foreach (var (id, ci) in _cis)
            {
                if (ci is not null)
                {
                    upserted[Resolve(id)] = ci;
                }
                else if (graph._ids.Find(id) is var node and >= 0)
                {
                    deleted[node] = true;
                    anyDeleted = true;
                }
            }

            var outMarks = Marks(outTouched, total);
            var inMarks = Marks(inTouched, total);

            // A node lives while the CMDB holds its CI or some relation names it.
            var remap = new int[total];
            var kept = 0;
            for (var node = 0; node < total; node++)
            {
                var live = (node < baseCount && (graph._flags[node] & FlagPlaceholder) == 0 && !deleted[node])
                    || upserted.ContainsKey(node)
                    || (outMarks[node] ? outTouched[node].Adjacent.Length : BaseDegree(node, graph._outOffsets, baseCount)) > 0
                    || (inMarks[node] ? inTouched[node].Adjacent.Length : BaseDegree(node, graph._inOffsets, baseCount)) > 0;
                remap[node] = live ? kept++ : -1;
            }

            var compacted = kept < total;
            var ids = !compacted
                ? (added.Count == 0 ? graph._ids : graph._ids.CloneForAppend(added.Count))
                : graph._ids.Compact(remap.AsSpan(0, baseCount), kept - added.Count, added.Count);

            // Every id this batch introduces has a CI or a relation, so all of them are kept, after the base ones.
            foreach (var id in added)
            {
                ids.GetOrAdd(id, out _);
            }

            var map = compacted ? remap : null;
            var (outOffsets, outTargets, outTypes) = Splice(graph._outOffsets, graph._outTargets, graph._outTypes, outTouched, outMarks, baseCount, map, kept);
            var (inOffsets, inSources, _) = Splice(graph._inOffsets, graph._inSources, null, inTouched, inMarks, baseCount, map, kept);
            if (kept == baseCount && !compacted && upserted.Count == 0 && !anyDeleted)
            {
                // Relations changed between CIs that all stay as they were: the records are shared too.
                return new TopologyGraph(
                    ids, graph._cis, graph._flags, outOffsets, outTargets, outTypes!, inOffsets, inSources, table.ToArray(), version);
            }

            var cis = new CiRecord[kept];
            var flags = new byte[kept];
            for (var node = 0; node < total; node++)
            {
                var target = remap[node];
                if (target < 0)
                {
                    continue;
                }

                if (node < baseCount && !deleted[node])
                {
                    // Unchanged CIs and placeholders keep their record; an upsert below overrides.
                    cis[target] = graph._cis[node];
                    flags[target] = graph._flags[node];
                }
                else
                {
                    (cis[target], flags[target]) = Describe(null, ids[target]);
                }
            }

            foreach (var (node, ci) in upserted)
            {
                (cis[remap[node]], flags[remap[node]]) = Describe(ci, ci.Id);
            }

            return new TopologyGraph(ids, cis, flags, outOffsets, outTargets, outTypes!, inOffsets, inSources, table.ToArray(), version);

            int Resolve(string id)
            {
                var node = graph._ids.Find(id);
                if (node >= 0)
                {
                    return node;
                }

                if (!addedIndex.TryGetValue(id, out node))
                {
                    node = baseCount + added.Count;
                    addedIndex.Add(id, node);
                    added.Add(id);
                }

                return node;
            }
        }

        private static List<(int Other, int Type)> ListFor(Dictionary<int, List<(int Other, int Type)>> changes, int node)
        {
            if (!changes.TryGetValue(node, out var list))
            {
                list = [];
                changes.Add(node, list);
            }

            return list;
        }

        private static int BaseDegree(int node, int[] baseOffsets, int baseCount) =>
            node < baseCount ? baseOffsets[node + 1] - baseOffsets[node] : 0;

        private static bool[] Marks(Dictionary<int, (int[] Adjacent, ushort[] Types)> touched, int total)
        {
            var marks = new bool[total];
            foreach (var node in touched.Keys)
            {
                marks[node] = true;
            }

            return marks;
        }

        /// <summary>
        /// The new adjacency of every node with relation changes: its sorted base range merged with its sorted
        /// changes (a change replaces or deletes the base entry with the same neighbour).
        /// </summary>
        private static Dictionary<int, (int[] Adjacent, ushort[] Types)> Merge(
            Dictionary<int, List<(int Other, int Type)>> changes, int[] offsets, int[] adjacent, ushort[]? types, int baseCount)
        {
            var merged = new Dictionary<int, (int[] Adjacent, ushort[] Types)>(changes.Count);
            var others = new List<int>();
            var otherTypes = new List<ushort>();
            foreach (var (node, list) in changes)
            {
                list.Sort((x, y) => x.Other.CompareTo(y.Other));
                others.Clear();
                otherTypes.Clear();
                var e = node < baseCount ? offsets[node] : 0;
                var end = node < baseCount ? offsets[node + 1] : 0;
                var c = 0;
                while (e < end || c < list.Count)
                {
                    var fromBase = c == list.Count || (e < end && adjacent[e] < list[c].Other);
                    if (fromBase)
                    {
                        others.Add(adjacent[e]);
                        otherTypes.Add(types?[e] ?? 0);
                        e++;
                        continue;
                    }

                    if (e < end && adjacent[e] == list[c].Other)
                    {
                        e++;
                    }

                    if (list[c].Type >= 0)
                    {
                        others.Add(list[c].Other);
                        otherTypes.Add((ushort)list[c].Type);
                    }

                    c++;
                }

                merged.Add(node, ([.. others], [.. otherTypes]));
            }

            return merged;
        }

        /// <summary>
        /// One direction of the new CSR: runs of untouched base nodes are block-copied (their ranges are
        /// contiguous), renumbered only when CIs were dropped; touched nodes take their merged lists.
        /// </summary>
        private static (int[] Offsets, int[] Adjacent, ushort[]? Types) Splice(
            int[] baseOffsets,
            int[] baseAdjacent,
            ushort[]? baseTypes,
            Dictionary<int, (int[] Adjacent, ushort[] Types)> touched,
            bool[] isTouched,
            int baseCount,
            int[]? remap,
            int kept)
        {
            var total = isTouched.Length;
            var offsets = new int[kept + 1];
            for (var node = 0; node < total; node++)
            {
                var target = remap is null ? node : remap[node];
                if (target >= 0)
                {
                    offsets[target + 1] = isTouched[node] ? touched[node].Adjacent.Length
                        : node < baseCount ? baseOffsets[node + 1] - baseOffsets[node] : 0;
                }
            }

            for (var node = 0; node < kept; node++)
            {
                offsets[node + 1] += offsets[node];
            }

            // Every element is written below, so the arrays need no zeroing.
            var adjacent = GC.AllocateUninitializedArray<int>(offsets[kept]);
            var types = baseTypes is null ? null : GC.AllocateUninitializedArray<ushort>(adjacent.Length);
            var write = 0;
            var runStart = -1;
            for (var node = 0; node <= total; node++)
            {
                if (node < baseCount && !isTouched[node])
                {
                    runStart = runStart < 0 ? node : runStart;
                    continue;
                }

                if (runStart >= 0)
                {
                    // Untouched nodes that are dropped have no relations, so the run's ranges are exactly what survives.
                    var from = baseOffsets[runStart];
                    var length = baseOffsets[node < baseCount ? node : baseCount] - from;
                    CopyMapped(baseAdjacent.AsSpan(from, length), adjacent.AsSpan(write, length), remap);
                    if (types is not null)
                    {
                        Array.Copy(baseTypes!, from, types, write, length);
                    }

                    write += length;
                    runStart = -1;
                }

                if (node < total && isTouched[node] && (remap is null || remap[node] >= 0))
                {
                    var (list, listTypes) = touched[node];
                    CopyMapped(list, adjacent.AsSpan(write, list.Length), remap);
                    if (types is not null)
                    {
                        listTypes.CopyTo(types, write);
                    }

                    write += list.Length;
                }
            }

            return (offsets, adjacent, types);
        }

        private static void CopyMapped(ReadOnlySpan<int> source, Span<int> destination, int[]? remap)
        {
            if (remap is null)
            {
                source.CopyTo(destination);
                return;
            }

            for (var i = 0; i < source.Length; i++)
            {
                destination[i] = remap[source[i]];
            }
        }

        /// <summary>
        /// The common change-feed case, CI records updated with no CI added or removed and no relation changed:
        /// the id table and both adjacency arrays are shared with the base graph, only records and flags are copied.
        /// </summary>
        private TopologyGraph? TryCommitRecordsOnly(long version)
        {
            if (_relations.Count > 0)
            {
                return null;
            }

            foreach (var (id, ci) in _cis)
            {
                // An upsert of a new CI adds a node; a delete of a held CI removes one.
                if ((graph._ids.Find(id) >= 0) != (ci is not null))
                {
                    return null;
                }
            }

            var cis = (CiRecord[])graph._cis.Clone();
            var flags = (byte[])graph._flags.Clone();
            foreach (var (id, ci) in _cis)
            {
                if (ci is not null)
                {
                    var node = graph._ids.Find(id);
                    (cis[node], flags[node]) = Describe(ci, id);
                }
            }

            return new TopologyGraph(
                graph._ids, cis, flags, graph._outOffsets, graph._outTargets, graph._outTypes,
                graph._inOffsets, graph._inSources, graph._relationTypes, version);
        }

        private static string Require(string? id, int index, string field) =>
            string.IsNullOrEmpty(id) ? throw new ArgumentException($"changes[{index}]: {field} is empty", "changes") : id;

        private static string NormaliseType(string? type) => string.IsNullOrEmpty(type) ? DefaultRelationType : type;

        private void Remember(string id, (string From, string To) pair)
        {
            if (!_batchRelationsByCi.TryGetValue(id, out var list))
            {
                list = [];
                _batchRelationsByCi.Add(id, list);
            }

            list.Add(pair);
        }

        private void DeleteRelationsOf(string id)
        {
            if (graph._ids.Find(id) is var node and >= 0)
            {
                for (var e = graph._outOffsets[node]; e < graph._outOffsets[node + 1]; e++)
                {
                    _relations[(id, graph._ids[graph._outTargets[e]])] = null;
                }

                for (var e = graph._inOffsets[node]; e < graph._inOffsets[node + 1]; e++)
                {
                    _relations[(graph._ids[graph._inSources[e]], id)] = null;
                }
            }

            if (_batchRelationsByCi.Remove(id, out var pairs))
            {
                foreach (var pair in pairs)
                {
                    _relations[pair] = null;
                }
            }
        }
    }
}
