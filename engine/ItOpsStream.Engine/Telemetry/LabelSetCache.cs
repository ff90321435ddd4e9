using System.Runtime.CompilerServices;

namespace ItOpsStream.Engine.Telemetry;

/// <summary>
/// A bounded cache of label sets keyed by the identity of their (interned) strings, so a producer
/// that sends the same labels on every record gets one shared array instead of one per record.
/// Two-way set-associative like <see cref="Utf8InternCache"/>: fixed memory, a miss costs only
/// the allocation that would have happened anyway.
/// </summary>
/// <remarks>Not thread-safe: one per decoder.</remarks>
internal sealed class LabelSetCache
{
    private readonly Entry[] _entries;
    private readonly int _setMask;

    public LabelSetCache(int capacity = 2048)
    {
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, capacity));
        _entries = new Entry[size];
        _setMask = (size / 2) - 1;
    }

    /// <summary>Returns a set equal to <paramref name="sorted"/> (sorted by key, unique keys), shared when seen recently.</summary>
    public LabelSet GetOrAdd(ReadOnlySpan<KeyValuePair<string, string>> sorted)
    {
        if (sorted.IsEmpty)
        {
            return LabelSet.Empty;
        }

        var hash = default(HashCode);
        foreach (var pair in sorted)
        {
            hash.Add(RuntimeHelpers.GetHashCode(pair.Key));
            hash.Add(RuntimeHelpers.GetHashCode(pair.Value));
        }

        int h = hash.ToHashCode();
        int set = (h & _setMask) * 2;
        ref Entry first = ref _entries[set];
        if (first.Hash == h && SameStrings(first.Items, sorted))
        {
            return first.Set;
        }

        ref Entry second = ref _entries[set + 1];
        if (second.Hash == h && SameStrings(second.Items, sorted))
        {
            (first, second) = (second, first);
            return first.Set;
        }

        var items = sorted.ToArray();
        var created = LabelSet.FromSortedUnique(items);
        second = first;
        first = new Entry(items, created, h);
        return created;
    }

    private static bool SameStrings(KeyValuePair<string, string>[]? cached, ReadOnlySpan<KeyValuePair<string, string>> sorted)
    {
        if (cached is null || cached.Length != sorted.Length)
        {
            return false;
        }

        for (int i = 0; i < sorted.Length; i++)
        {
            if (!ReferenceEquals(cached[i].Key, sorted[i].Key) || !ReferenceEquals(cached[i].Value, sorted[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    private readonly record struct Entry(KeyValuePair<string, string>[]? Items, LabelSet Set, int Hash);
}
