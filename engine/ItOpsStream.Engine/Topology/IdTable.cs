namespace ItOpsStream.Engine.Topology;

/// <summary>
/// Interns CI ids to dense node indices: an open-addressing hash table over one <c>long</c> array.
/// </summary>
/// <remarks>
/// Each slot packs the id's hash (high 32 bits) and its node + 1 (low 32 bits; 0 = empty), so a probe
/// touches one slot and, only on a full hash match, one string: ~150 ns at 1M ids was mostly cache misses,
/// and the hash in the slot saves one of them. Chosen over <c>Dictionary&lt;string,int&gt;</c> because it
/// costs ~24 bytes per id instead of ~28 plus the per-entry hash array, can be copied with two array copies
/// when a change only appends ids, and can be rebuilt without hashing a single string again when ids are
/// removed. Appending is single-writer (build time only); once a <see cref="TopologyGraph"/> owns a table it
/// is never written again, so lookups are safe from any number of threads.
/// </remarks>
internal sealed class IdTable
{
    private const int MinSlots = 16;

    // Length is a power of two kept at most half full (linear probing).
    private long[] _slots;
    private string[] _ids;

    public IdTable(int capacity)
    {
        _ids = new string[Math.Max(capacity, 4)];
        _slots = new long[SlotCountFor(_ids.Length)];
    }

    private IdTable(long[] slots, string[] ids, int count)
    {
        _slots = slots;
        _ids = ids;
        Count = count;
    }

    public int Count { get; private set; }

    public string this[int node] => _ids[node];

    /// <summary>Bytes of the table's arrays (not of the id strings).</summary>
    public long StructureBytes => (8L * _slots.Length) + (8L * _ids.Length);

    public static int Hash(ReadOnlySpan<char> id) => string.GetHashCode(id);

    /// <summary>A copy that can take <paramref name="extra"/> more ids without touching this table.</summary>
    public IdTable CloneForAppend(int extra)
    {
        var ids = new string[Math.Max(Count + Math.Max(extra, 0), 4)];
        Array.Copy(_ids, ids, Count);
        var slotCount = SlotCountFor(ids.Length);
        if (slotCount == _slots.Length)
        {
            return new IdTable((long[])_slots.Clone(), ids, Count);
        }

        var copy = new IdTable(new long[slotCount], ids, Count);
        foreach (var slot in _slots)
        {
            if (slot != 0)
            {
                copy.Insert(slot);
            }
        }

        return copy;
    }

    /// <summary>
    /// A new table holding the ids whose <paramref name="remap"/> entry is not negative, each at that index
    /// (which must be ascending in the old index, as a compaction gives), with room for <paramref name="extra"/> more.
    /// </summary>
    public IdTable Compact(ReadOnlySpan<int> remap, int kept, int extra)
    {
        var table = new IdTable(kept + Math.Max(extra, 0));
        foreach (var slot in _slots)
        {
            if (slot != 0 && remap[(int)slot - 1] is var node and >= 0)
            {
                table._ids[node] = _ids[(int)slot - 1];
                table.Insert((slot & ~0xFFFF_FFFFL) | (uint)(node + 1));
            }
        }

        table.Count = kept;
        return table;
    }

    public int Find(ReadOnlySpan<char> id) => Find(id, Hash(id));

    public int Find(ReadOnlySpan<char> id, int hash)
    {
        var mask = _slots.Length - 1;
        var high = (long)hash << 32;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            var slot = _slots[i];
            if (slot == 0)
            {
                return -1;
            }

            if ((slot & ~0xFFFF_FFFFL) == high)
            {
                var node = (int)slot - 1;
                if (id.SequenceEqual(_ids[node]))
                {
                    return node;
                }
            }
        }
    }

    /// <summary>The node of <paramref name="id"/>, appending it when new.</summary>
    public int GetOrAdd(string id, out bool added)
    {
        var hash = Hash(id);
        var existing = Find(id, hash);
        if (existing >= 0)
        {
            added = false;
            return existing;
        }

        if (Count == _ids.Length)
        {
            Array.Resize(ref _ids, _ids.Length * 2);
        }

        if ((Count + 1) * 2 > _slots.Length)
        {
            var old = _slots;
            _slots = new long[_slots.Length * 2];
            foreach (var slot in old)
            {
                if (slot != 0)
                {
                    Insert(slot);
                }
            }
        }

        var node = Count++;
        _ids[node] = id;
        Insert(((long)hash << 32) | (uint)(node + 1));
        added = true;
        return node;
    }

    private static int SlotCountFor(int capacity)
    {
        var needed = Math.Max(MinSlots, capacity * 2);
        return (int)Math.Min(1u << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)needed));
    }

    private void Insert(long slot)
    {
        var mask = _slots.Length - 1;
        var i = (int)(slot >> 32) & mask;
        while (_slots[i] != 0)
        {
            i = (i + 1) & mask;
        }

        _slots[i] = slot;
    }
}
