using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ItOpsStream.Engine.Topology;

/// <summary>
/// CI attributes as a small array sorted by key: a million CIs with a few attributes each cost a
/// fraction of what a <see cref="Dictionary{TKey, TValue}"/> per CI would.
/// </summary>
internal sealed class AttributeMap : IReadOnlyDictionary<string, string>
{
    private readonly KeyValuePair<string, string>[] _items;

    /// <param name="sortedUnique">Pairs sorted by key (ordinal) with no repeated key; owned by the map afterwards.</param>
    public AttributeMap(KeyValuePair<string, string>[] sortedUnique) => _items = sortedUnique;

    public int Count => _items.Length;

    public IEnumerable<string> Keys => _items.Select(p => p.Key);

    public IEnumerable<string> Values => _items.Select(p => p.Value);

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no attribute '{key}'");

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        int i = IndexOf(key);
        value = i >= 0 ? _items[i].Value : null;
        return i >= 0;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        int lo = 0, hi = _items.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = string.CompareOrdinal(_items[mid].Key, key);
            if (c == 0)
            {
                return mid;
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

        return -1;
    }
}
