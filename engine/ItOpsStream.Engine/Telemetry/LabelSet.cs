using System.Collections;

namespace ItOpsStream.Engine.Telemetry;

/// <summary>
/// An immutable set of string labels, kept sorted by key (ordinal) so that equal sets compare, hash
/// and serialize identically whatever order the producer wrote them in.
/// </summary>
public readonly struct LabelSet : IEquatable<LabelSet>, IReadOnlyList<KeyValuePair<string, string>>
{
    private readonly KeyValuePair<string, string>[]? _items;

    /// <summary>The empty label set.</summary>
    public static LabelSet Empty => default;

    private LabelSet(KeyValuePair<string, string>[] sortedItems) => _items = sortedItems;

    /// <summary>Builds a set from pairs in any order; on a repeated key the last value wins.</summary>
    public static LabelSet From(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var list = new List<KeyValuePair<string, string>>(pairs);
        if (list.Count == 0)
        {
            return Empty;
        }

        // Stable sort keeps input order among equal keys, so "last wins" below is well defined.
        var sorted = list.Select((p, i) => (p, i)).OrderBy(x => x.p.Key, StringComparer.Ordinal).ThenBy(x => x.i).Select(x => x.p).ToList();
        var result = new List<KeyValuePair<string, string>>(sorted.Count);
        foreach (var pair in sorted)
        {
            if (result.Count > 0 && string.Equals(result[^1].Key, pair.Key, StringComparison.Ordinal))
            {
                result[^1] = pair;
            }
            else
            {
                result.Add(pair);
            }
        }

        return new LabelSet(result.ToArray());
    }

    /// <summary>Builds a set from an array the caller already sorted by key with no duplicates; the array is owned by the set afterwards.</summary>
    internal static LabelSet FromSortedUnique(KeyValuePair<string, string>[] sortedItems) => new(sortedItems);

    public int Count => _items?.Length ?? 0;

    public KeyValuePair<string, string> this[int index] => (_items ?? [])[index];

    /// <summary>Looks a label up by key (binary search).</summary>
    public bool TryGetValue(string key, out string value)
    {
        var items = _items;
        if (items is not null)
        {
            int lo = 0, hi = items.Length - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                int c = string.CompareOrdinal(items[mid].Key, key);
                if (c == 0)
                {
                    value = items[mid].Value;
                    return true;
                }

                if (c < 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }
        }

        value = string.Empty;
        return false;
    }

    public ReadOnlySpan<KeyValuePair<string, string>> AsSpan() => _items;

    public bool Equals(LabelSet other)
    {
        var a = AsSpan();
        var b = other.AsSpan();
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (!string.Equals(a[i].Key, b[i].Key, StringComparison.Ordinal) || !string.Equals(a[i].Value, b[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is LabelSet other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var pair in AsSpan())
        {
            hash.Add(pair.Key, StringComparer.Ordinal);
            hash.Add(pair.Value, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(LabelSet left, LabelSet right) => left.Equals(right);

    public static bool operator !=(LabelSet left, LabelSet right) => !left.Equals(right);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)(_items ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => "{" + string.Join(", ", AsSpan().ToArray().Select(p => $"{p.Key}=\"{p.Value}\"")) + "}";
}
