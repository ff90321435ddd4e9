using System.Collections.Concurrent;

namespace ItOpsStream.Engine.Topology;

public sealed partial class TopologyGraph
{
    /// <summary>The relation type used when a relation names none.</summary>
    public const string DefaultRelationType = "depends_on";

    /// <summary>
    /// Builds the graph of a topology document in O(CIs + relations). A CI listed twice keeps its last
    /// record; a relation listed twice (same from and to) keeps its last type.
    /// </summary>
    /// <exception cref="ArgumentException">A CI or relation is null or has an empty id; the message names its position.</exception>
    public static TopologyGraph Build(TopologyDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var cis = document.Cis;
        var relations = document.Relations;
        var ids = new IdTable(cis.Count);
        var records = new List<CiRecord?>(cis.Count);
        for (var i = 0; i < cis.Count; i++)
        {
            var ci = cis[i] ?? throw new ArgumentException($"cis[{i}] is null", nameof(document));
            var node = ids.GetOrAdd(RequireId(ci.Id, "cis", i, "id"), out var added);
            if (added)
            {
                records.Add(ci);
            }
            else
            {
                records[node] = ci;
            }
        }

        // With every CI interned the table is read-only until the first placeholder, so the endpoint lookups
        // (the bulk of the build: a cache miss or two each) run in parallel; misses and bad records are left
        // to the sequential pass, which keeps placeholder numbering and error positions deterministic.
        var fromNodes = GC.AllocateUninitializedArray<int>(relations.Count);
        var toNodes = GC.AllocateUninitializedArray<int>(relations.Count);
        const int ParallelChunk = 1 << 15;
        if (relations.Count <= ParallelChunk)
        {
            ResolveKnown(0, relations.Count);
        }
        else
        {
            Parallel.ForEach(
                Partitioner.Create(0, relations.Count, Math.Max(ParallelChunk, relations.Count / 64)),
                range => ResolveKnown(range.Item1, range.Item2));
        }

        var types = new RelationTypeTable([]);
        var edgeTypes = GC.AllocateUninitializedArray<ushort>(relations.Count);
        var edgeCount = 0;
        string? lastType = null;
        ushort lastTypeId = 0;
        var haveType = false;
        for (var i = 0; i < relations.Count; i++)
        {
            var from = fromNodes[i];
            var to = toNodes[i];
            var relation = relations[i] ?? throw new ArgumentException($"relations[{i}] is null", nameof(document));
            if (from < 0 || to < 0)
            {
                var fromId = RequireId(relation.From, "relations", i, "from");
                var toId = RequireId(relation.To, "relations", i, "to");
                if (string.Equals(fromId, toId, StringComparison.Ordinal))
                {
                    continue;
                }

                from = from >= 0 ? from : Placeholder(fromId);
                to = to >= 0 ? to : Placeholder(toId);
            }

            if (from == to)
            {
                continue;
            }

            if (!haveType || !string.Equals(relation.Type, lastType, StringComparison.Ordinal))
            {
                haveType = true;
                lastType = relation.Type;
                lastTypeId = types.Intern(lastType);
            }

            fromNodes[edgeCount] = from;
            toNodes[edgeCount] = to;
            edgeTypes[edgeCount] = lastTypeId;
            edgeCount++;
        }

        var nodeRecords = new CiRecord[ids.Count];
        var flags = new byte[ids.Count];
        for (var node = 0; node < nodeRecords.Length; node++)
        {
            (nodeRecords[node], flags[node]) = Describe(records[node], ids[node]);
        }

        return Assemble(ids, nodeRecords, flags, new EdgeBuffer(fromNodes, toNodes, edgeTypes, edgeCount), types.ToArray(), version: 0);

        void ResolveKnown(int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                var relation = relations[i];
                fromNodes[i] = string.IsNullOrEmpty(relation?.From) ? -1 : ids.Find(relation.From);
                toNodes[i] = string.IsNullOrEmpty(relation?.To) ? -1 : ids.Find(relation.To);
            }
        }

        int Placeholder(string id)
        {
            var node = ids.GetOrAdd(id, out var added);
            if (added)
            {
                records.Add(null);
            }

            return node;
        }
    }

    private static string RequireId(string? id, string list, int index, string field) =>
        string.IsNullOrEmpty(id) ? throw new ArgumentException($"{list}[{index}]: {field} is empty", "document") : id;

    /// <summary>The stored record and flags of a node: its CI, or a placeholder when the CMDB has none.</summary>
    private static (CiRecord Record, byte Flags) Describe(CiRecord? ci, string id)
    {
        if (ci is null)
        {
            return (new CiRecord(id, PlaceholderClass), FlagPlaceholder);
        }

        return (ci, ci.IsBusinessService ? FlagBusinessService : (byte)0);
    }

    /// <summary>
    /// Lays edges out as forward and backward CSR arrays: a counting sort by <c>from</c> (stable, so later
    /// edges stay later), then each node's targets sorted with ties kept in order and deduplicated keeping the
    /// last (a later relation between the same pair replaces the earlier one). O(V + E) plus the sort of
    /// each node's range, which is skipped when already ascending (the common case on rebuilds).
    /// </summary>
    private static TopologyGraph Assemble(
        IdTable ids, CiRecord[] cis, byte[] flags, EdgeBuffer edges, string[] relationTypes, long version)
    {
        var n = cis.Length;
        var m = edges.Count;
        var outOffsets = new int[n + 1];
        for (var i = 0; i < m; i++)
        {
            outOffsets[edges.From[i] + 1]++;
        }

        for (var node = 0; node < n; node++)
        {
            outOffsets[node + 1] += outOffsets[node];
        }

        var targets = new int[m];
        var types = new ushort[m];
        var cursor = outOffsets.AsSpan(0, n).ToArray();
        for (var i = 0; i < m; i++)
        {
            var at = cursor[edges.From[i]]++;
            targets[at] = edges.To[i];
            types[at] = edges.Type[i];
        }

        // Sort and deduplicate each range in place; the write position never passes the read position.
        long[] keys = [];
        ushort[] keyTypes = [];
        var write = 0;
        for (var node = 0; node < n; node++)
        {
            var start = outOffsets[node];
            var length = outOffsets[node + 1] - start;
            outOffsets[node] = write;
            if (length == 0)
            {
                continue;
            }

            if (!IsStrictlyAscending(targets.AsSpan(start, length)))
            {
                if (keys.Length < length)
                {
                    keys = new long[Math.Max(length, keys.Length * 2)];
                    keyTypes = new ushort[keys.Length];
                }

                for (var k = 0; k < length; k++)
                {
                    keys[k] = ((long)targets[start + k] << 32) | (uint)k;
                    keyTypes[k] = types[start + k];
                }

                Array.Sort(keys, keyTypes, 0, length);
                var last = 0;
                for (var k = 0; k < length; k++)
                {
                    var target = (int)(keys[k] >> 32);
                    if (k + 1 < length && (int)(keys[k + 1] >> 32) == target)
                    {
                        continue;
                    }

                    targets[start + last] = target;
                    types[start + last] = keyTypes[k];
                    last++;
                }

                length = last;
            }

            Array.Copy(targets, start, targets, write, length);
            Array.Copy(types, start, types, write, length);
            write += length;
        }

        outOffsets[n] = write;
        if (write < m)
        {
            Array.Resize(ref targets, write);
            Array.Resize(ref types, write);
        }

        var inOffsets = new int[n + 1];
        for (var e = 0; e < write; e++)
        {
            inOffsets[targets[e] + 1]++;
        }

        for (var node = 0; node < n; node++)
        {
            inOffsets[node + 1] += inOffsets[node];
        }

        // Filling by ascending source leaves every backward range sorted without a sort.
        var sources = new int[write];
        var inCursor = inOffsets.AsSpan(0, n).ToArray();
        for (var from = 0; from < n; from++)
        {
            for (var e = outOffsets[from]; e < outOffsets[from + 1]; e++)
            {
                sources[inCursor[targets[e]]++] = from;
            }
        }

        return new TopologyGraph(ids, cis, flags, outOffsets, targets, types, inOffsets, sources, relationTypes, version);
    }

    private static bool IsStrictlyAscending(ReadOnlySpan<int> values)
    {
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] <= values[i - 1])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Edges in arrival order, before layout: the first <see cref="Count"/> entries of the arrays.</summary>
    private readonly record struct EdgeBuffer(int[] From, int[] To, ushort[] Type, int Count);

    /// <summary>Relation types interned to small numbers: a graph holds few distinct types, stored 2 bytes per relation.</summary>
    private sealed class RelationTypeTable
    {
        private readonly Dictionary<string, ushort> _index = new(StringComparer.Ordinal);
        private readonly List<string> _types = [];

        public RelationTypeTable(string[] existing)
        {
            foreach (var type in existing)
            {
                _index[type] = (ushort)_types.Count;
                _types.Add(type);
            }
        }

        public ushort Intern(string? type)
        {
            if (string.IsNullOrEmpty(type))
            {
                type = DefaultRelationType;
            }

            if (_index.TryGetValue(type, out var id))
            {
                return id;
            }

            if (_types.Count > ushort.MaxValue)
            {
                throw new ArgumentException($"more than {ushort.MaxValue + 1} distinct relation types (at \"{type}\")");
            }

            id = (ushort)_types.Count;
            _index.Add(type, id);
            _types.Add(type);
            return id;
        }

        public string[] ToArray() => [.. _types];
    }
}
