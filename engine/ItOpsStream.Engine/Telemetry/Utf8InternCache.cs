using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace ItOpsStream.Engine.Telemetry;

/// <summary>
/// A bounded cache from UTF-8 bytes to the string they spell, so that the strings telemetry repeats
/// (CI ids, check names, label keys and values) are allocated once and then shared. It is a
/// two-way set-associative table: a miss evicts the least recently used of two entries, so memory
/// is fixed and a flood of unique strings costs nothing more than not caching at all.
/// </summary>
/// <remarks>Not thread-safe: one per decoder.</remarks>
internal sealed class Utf8InternCache
{
    /// <summary>Strings longer than this (in bytes) are not cached: they rarely repeat and would crowd out those that do.</summary>
    public const int MaxCachedBytes = 256;

    private readonly Entry[] _entries;
    private readonly int _setMask;

    /// <param name="capacity">Number of entries, rounded up to a power of two (at least 2).</param>
    public Utf8InternCache(int capacity = 8192)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, capacity));
        _entries = new Entry[size];
        _setMask = (size / 2) - 1;
    }

    /// <summary>Returns the string for <paramref name="utf8"/>, which must be valid UTF-8.</summary>
    public string GetOrAdd(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxCachedBytes)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        int hash = Hash(utf8);
        int set = (hash & _setMask) * 2;
        ref Entry first = ref _entries[set];
        if (first.Hash == hash && first.Key is not null && utf8.SequenceEqual(first.Key))
        {
            return first.Value!;
        }

        ref Entry second = ref _entries[set + 1];
        if (second.Hash == hash && second.Key is not null && utf8.SequenceEqual(second.Key))
        {
            // Most recently used goes first, so the next miss evicts the other one.
            (first, second) = (second, first);
            return first.Value!;
        }

        string value = Encoding.UTF8.GetString(utf8);
        second = first;
        first = new Entry(utf8.ToArray(), value, hash);
        return value;
    }

    // A fast non-cryptographic hash over 8-byte words. Flooding it cannot hurt: the table is bounded
    // and has no chains, so a collision only costs a miss.
    private static int Hash(ReadOnlySpan<byte> s)
    {
        const ulong K = 0x9E3779B97F4A7C15UL;
        ulong h = (ulong)s.Length * K;
        while (s.Length >= 8)
        {
            h = (BitOperations.RotateLeft(h, 23) ^ BinaryPrimitives.ReadUInt64LittleEndian(s)) * K;
            s = s[8..];
        }

        ulong tail = 0;
        for (int i = 0; i < s.Length; i++)
        {
            tail |= (ulong)s[i] << (8 * i);
        }

        h = (BitOperations.RotateLeft(h, 23) ^ tail) * K;
        return (int)(h ^ (h >> 32));
    }

    private readonly record struct Entry(byte[]? Key, string? Value, int Hash);
}
