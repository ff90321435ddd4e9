using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Models.Anomaly;

namespace ItOpsStream.Engine.Detection;

/// <summary>Identity of a metric series: CI, metric name and labels.</summary>
public readonly record struct SeriesKey(string? Ci, string Name, LabelSet Labels);

/// <summary>
/// The live series of one shard with their anomaly trackers, bounded: at capacity the least
/// recently updated series is evicted (LRU, O(1)). Single-writer, like the shard that owns it.
/// </summary>
internal sealed class SeriesRegistry
{
    private readonly Dictionary<SeriesKey, LinkedListNode<Entry>> _index;
    private readonly LinkedList<Entry> _lru = new();
    private readonly int _capacity;
    private readonly AnomalyTrackerOptions _options;

    public SeriesRegistry(int capacity, AnomalyTrackerOptions options)
    {
        _capacity = capacity;
        _options = options;
        _index = new Dictionary<SeriesKey, LinkedListNode<Entry>>(Math.Min(capacity, 1 << 16));
    }

    public int Count => _index.Count;

    /// <summary>The series' tracker (created on first sight); <paramref name="evicted"/> is the series dropped to make room, if any.</summary>
    public AnomalyTracker GetOrAdd(in SeriesKey key, out Entry? evicted)
    {
        evicted = null;
        if (_index.TryGetValue(key, out var node))
        {
            if (node != _lru.First)
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
            }

            return node.Value.Tracker;
        }

        if (_index.Count >= _capacity)
        {
            var last = _lru.Last!;
            _lru.RemoveLast();
            _index.Remove(last.Value.Key);
            evicted = last.Value;
        }

        var entry = new Entry(key, new AnomalyTracker(_options));
        _index[key] = _lru.AddFirst(entry);
        return entry.Tracker;
    }

    internal sealed record Entry(SeriesKey Key, AnomalyTracker Tracker);
}
