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
    /// <para>Cost: O(changes) to fold the batch, then one O(CIs + relations) pass that copies the arrays
    /// (sequential, no string hashing when no CI is added or removed); see docs/TOPOLOGY.md for figures.</para>
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

            // Tentative node space: the base nodes, then ids this batch introduces, in order of first mention.
            var added = new List<string>();
            var addedIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (id, ci) in _cis)
            {
                if (ci is not null)
                {
                    Resolve(id);
                }
            }

            var touchedFrom = new HashSet<int>();
            foreach (var ((from, to), type) in _relations)
            {
                if (type is not null)
                {
                    Resolve(from);
                    Resolve(to);
                }

                if (graph._ids.Find(from) is var baseFrom and >= 0)
                {
                    touchedFrom.Add(baseFrom);
                }
            }

            var total = baseCount + added.Count;
            var edges = new EdgeBuffer(graph.RelationCount + _relations.Count);
            for (var from = 0; from < baseCount; from++)
            {
                var touched = touchedFrom.Contains(from);
                for (var e = graph._outOffsets[from]; e < graph._outOffsets[from + 1]; e++)
                {
                    var to = graph._outTargets[e];
                    if (!touched || !_relations.ContainsKey((graph._ids[from], graph._ids[to])))
                    {
                        edges.Add(from, to, graph._outTypes[e]);
                    }
                }
            }

            foreach (var ((from, to), type) in _relations)
            {
                if (type is not null)
                {
                    edges.Add(Resolve(from), Resolve(to), table.Intern(type));
                }
            }

            // A node lives while the CMDB holds its CI or some relation names it.
            var records = new CiRecord?[total];
            var keep = new bool[total];
            for (var node = 0; node < total; node++)
            {
                var id = node < baseCount ? graph._ids[node] : added[node - baseCount];
                records[node] = _cis.TryGetValue(id, out var changed)
                    ? changed
                    : node < baseCount && (graph._flags[node] & FlagPlaceholder) == 0 ? graph._cis[node] : null;
                keep[node] = records[node] is not null;
            }

            for (var i = 0; i < edges.Count; i++)
            {
                keep[edges.From[i]] = true;
                keep[edges.To[i]] = true;
            }

            var kept = 0;
            var keptBase = 0;
            var remap = new int[total];
            for (var node = 0; node < total; node++)
            {
                remap[node] = keep[node] ? kept++ : -1;
                keptBase = node < baseCount ? kept : keptBase;
            }

            IdTable ids;
            if (kept == total)
            {
                ids = added.Count == 0 ? graph._ids : graph._ids.CloneForAppend(added.Count);
            }
            else
            {
                ids = graph._ids.Compact(keep.AsSpan(0, baseCount), keptBase, added.Count);
                for (var i = 0; i < edges.Count; i++)
                {
                    edges.From[i] = remap[edges.From[i]];
                    edges.To[i] = remap[edges.To[i]];
                }
            }

            // Every id this batch introduces has a CI or a relation, so all of them are kept, after the base ones.
            foreach (var id in added)
            {
                ids.GetOrAdd(id, out _);
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

                if (records[node] is { } record)
                {
                    (cis[target], flags[target]) = Describe(record, ids[target]);
                }
                else
                {
                    var basePlaceholder = node < baseCount && (graph._flags[node] & FlagPlaceholder) != 0;
                    cis[target] = basePlaceholder ? graph._cis[node] : new CiRecord(ids[target], PlaceholderClass);
                    flags[target] = FlagPlaceholder;
                }
            }

            return Assemble(ids, cis, flags, edges, table.ToArray(), version);

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
