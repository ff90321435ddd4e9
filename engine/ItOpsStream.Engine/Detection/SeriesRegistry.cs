using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Detection;

/// <summary>Identity of a metric series: CI, metric name and labels.</summary>
public readonly record struct SeriesKey(string? Ci, string Name, LabelSet Labels);

/// <summary>
/// The live per-series (or per-CI) state of one shard, bounded: at capacity the least recently
/// updated entry is evicted (LRU, O(1)). Single-writer, like the shard that owns it.
/// </summary>
/// <typeparam name="TKey">What the state belongs to (a series, a model and CI…).</typeparam>
/// <typeparam name="TState">The state (a detector with its alert state).</typeparam>
internal sealed class SeriesRegistry<TKey, TState>
    where TKey : notnull
{
    private readonly Dictionary<TKey, LinkedListNode<Entry>> _index;
    private readonly LinkedList<Entry> _lru = new();
    private readonly int _capacity;

    public SeriesRegistry(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _index = new Dictionary<TKey, LinkedListNode<Entry>>(Math.Min(capacity, 1 << 16));
    }

    public int Count => _index.Count;

    /// <summary>
    /// The key's state, created by <paramref name="create"/> on first sight; <paramref name="evicted"/>
    /// is the entry dropped to make room, if any.
    /// </summary>
    public TState GetOrAdd(in TKey key, Func<TKey, TState> create, out Entry? evicted)
    {
        evicted = null;
        if (_index.TryGetValue(key, out var node))
        {
            if (node != _lru.First)
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
            }

            return node.Value.State;
        }

        if (_index.Count >= _capacity)
        {
            var last = _lru.Last!;
            _lru.RemoveLast();
            _index.Remove(last.Value.Key);
            evicted = last.Value;
        }

        var entry = new Entry(key, create(key));
        _index[key] = _lru.AddFirst(entry);
        return entry.State;
    }

    /// <summary>Removes every entry <paramref name="match"/> selects (O(n): for rare events such as a model swap), appending them to <paramref name="removed"/> in LRU order, most recent first.</summary>
    public void RemoveWhere(Func<Entry, bool> match, List<Entry> removed)
    {
        var node = _lru.First;
        while (node is not null)
        {
            var next = node.Next;
            if (match(node.Value))
            {
                _lru.Remove(node);
                _index.Remove(node.Value.Key);
                removed.Add(node.Value);
            }

            node = next;
        }
    }

    internal sealed record Entry(TKey Key, TState State);
}
