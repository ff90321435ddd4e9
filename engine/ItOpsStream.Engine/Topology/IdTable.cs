namespace ItOpsStream.Engine.Topology;

/// <summary>
/// Interns CI ids to dense node indices: an open-addressing hash table over plain int arrays.
/// </summary>
/// <remarks>
/// Chosen over <c>Dictionary&lt;string,int&gt;</c> because it costs ~16 bytes per id instead of ~28, can be
/// copied with two array copies when a change only appends ids, and can be rebuilt from the stored hashes
/// without hashing a single string again when ids are removed. Appending is single-writer (build time
/// only); once a <see cref="TopologyGraph"/> owns a table it is never written again, so lookups are safe
/// from any number of threads.
/// </remarks>
internal sealed class IdTable
{
    private const int MinSlots = 16;

    // slot value = node + 1; 0 = empty. Length is a power of two kept at most half full (linear probing).
    private int[] _slots;
    private string[] _ids;
    private int[] _hashes;

    public IdTable(int capacity)
    {
        _ids = new string[Math.Max(capacity, 4)];
        _hashes = new int[_ids.Length];
        _slots = new int[SlotCountFor(_ids.Length)];
    }

    private IdTable(int[] slots, string[] ids, int[] hashes, int count)
    {
        _slots = slots;
        _ids = ids;
        _hashes = hashes;
        Count = count;
    }

    public int Count { get; private set; }

    public string this[int node] => _ids[node];

    public static int Hash(ReadOnlySpan<char> id) => string.GetHashCode(id);

    /// <summary>A copy that can take <paramref name="extra"/> more ids without touching this table.</summary>
    public IdTable CloneForAppend(int extra)
    {
        var capacity = Count + Math.Max(extra, 0);
        var ids = new string[Math.Max(capacity, 4)];
        var hashes = new int[ids.Length];
        Array.Copy(_ids, ids, Count);
        Array.Copy(_hashes, hashes, Count);
        var slots = SlotCountFor(ids.Length) == _slots.Length ? (int[])_slots.Clone() : null;
        var copy = new IdTable(slots ?? new int[SlotCountFor(ids.Length)], ids, hashes, Count);
        if (slots is null)
        {
            copy.Rehash();
        }

        return copy;
    }

    /// <summary>A new table holding the ids of this one for which <paramref name="keep"/> is true, in order.</summary>
    public IdTable Compact(ReadOnlySpan<bool> keep, int kept, int extra)
    {
        var table = new IdTable(kept + Math.Max(extra, 0));
        for (var node = 0; node < Count; node++)
        {
            if (keep[node])
            {
                table._ids[table.Count] = _ids[node];
                table._hashes[table.Count] = _hashes[node];
                table.Count++;
            }
        }

        table.Rehash();
        return table;
    }

    public int Find(ReadOnlySpan<char> id) => Find(id, Hash(id));

    public int Find(ReadOnlySpan<char> id, int hash)
    {
        var mask = _slots.Length - 1;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            var slot = _slots[i];
            if (slot == 0)
            {
                return -1;
            }

            var node = slot - 1;
            if (_hashes[node] == hash && id.SequenceEqual(_ids[node]))
            {
                return node;
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
            var grown = _ids.Length * 2;
            Array.Resize(ref _ids, grown);
            Array.Resize(ref _hashes, grown);
        }

        if ((Count + 1) * 2 > _slots.Length)
        {
            _slots = new int[_slots.Length * 2];
            Rehash();
        }

        var node = Count++;
        _ids[node] = id;
        _hashes[node] = hash;
        Insert(node, hash);
        added = true;
        return node;
    }

    private static int SlotCountFor(int capacity)
    {
        var needed = Math.Max(MinSlots, capacity * 2);
        return (int)Math.Min(1u << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)needed));
    }

    private void Rehash()
    {
        Array.Clear(_slots);
        for (var node = 0; node < Count; node++)
        {
            Insert(node, _hashes[node]);
        }
    }

    private void Insert(int node, int hash)
    {
        var mask = _slots.Length - 1;
        var i = hash & mask;
        while (_slots[i] != 0)
        {
            i = (i + 1) & mask;
        }

        _slots[i] = node + 1;
    }
}
