using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.TestKit.Generators;

/// <summary>The state of one scenario being generated (single use).</summary>
internal sealed partial class ScenarioRun
{
    private const long Second = 1000;
    private const long Minute = 60 * Second;

    private readonly ScenarioOptions _options;
    private readonly GeneratedTopology _topology;
    private readonly string _name;
    private readonly Random _rng;
    private readonly List<TelemetryRecord> _records = [];
    private readonly List<AlertTruth> _alerts = [];
    private readonly List<FaultTruth> _faults = [];
    private readonly List<ActiveFault> _windows = [];
    private readonly HashSet<string> _usedAlertKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _usedDedupKeys = new(StringComparer.Ordinal);
    private readonly long _start;
    private readonly IReadOnlyList<string> _platform;
    private List<(FaultKind Kind, double Weight, IReadOnlyList<string> Cis)>? _rootCandidates;
    private int _changeSeq;

    /// <summary>A fault's time window and the CIs that alerted in it, to keep later faults and noise apart from it.</summary>
    private sealed record ActiveFault(string Id, string Root, long Start, long End, HashSet<string> Cis, Dictionary<string, Impairment> Impaired);

    /// <summary>A CI impaired by a fault: when, how many hops from the root, and whether it raised alerts.</summary>
    private sealed record Impairment(long Since, int Hops, bool Alerting);

    public ScenarioRun(ScenarioOptions options, GeneratedTopology topology, string name)
    {
        _options = options;
        _topology = topology;
        _name = name;
        // Decorrelated from the topology's seed, so the same topology can host many scenarios.
        _rng = new Random(unchecked((options.Seed * 7919) + 104729));
        _start = options.Start.ToUnixTimeMilliseconds();
        _platform = topology.SharedPlatformCis();
    }

    public GeneratedScenario Execute()
    {
        long cursor = _start + (10 * Minute);
        for (int f = 0; f < _options.Faults; f++)
        {
            long start;
            var previous = _windows.Count > 0 ? _windows[^1] : null;
            if (previous is not null && Chance(_options.OverlapProbability))
            {
                start = previous.Start + (long)(Uniform(0.1, 0.8) * (previous.End - previous.Start));
            }
            else
            {
                long lastEnd = _windows.Count > 0 ? _windows.Max(w => w.End) : cursor;
                // Gaps from "right after" to an hour: some faults follow closely on the previous one.
                start = Math.Max(cursor, lastEnd) + (long)(Uniform(3, 60) * Minute);
            }

            long duration = (long)((8 + (Math.Pow(_rng.NextDouble(), 1.5) * 40)) * Minute);
            if (InjectFault($"F{f + 1:D3}", start, start + duration))
            {
                cursor = start;
            }
        }

        long end = (_windows.Count > 0 ? _windows.Max(w => w.End) : cursor) + (15 * Minute);
        AddNoise(end);
        AddBackgroundChanges(end);
        AddMetricsAndLogs(end);
        return Finish();
    }

    private GeneratedScenario Finish()
    {
        // File order: by timestamp, except a few first firings, metrics and logs that arrive late.
        var events = new List<ScenarioEvent>(_records.Count);
        for (int i = 0; i < _records.Count; i++)
        {
            var r = _records[i];
            bool epoch = r.Kind == TelemetryKind.Metric || r.Source is "zabbix" or "nagios";
            long writtenAt = r.Timestamp;
            if (_options.MaxLatenessSeconds > 0 && CanArriveLate(i) && Chance(_options.LateRecordShare))
            {
                writtenAt += _rng.Next(1, _options.MaxLatenessSeconds + 1) * Second;
            }

            events.Add(new ScenarioEvent(r, epoch, writtenAt));
        }

        // Stable sort keeps generation order among equal times, so output is deterministic.
        var ordered = events.Select((e, i) => (e, i)).OrderBy(x => x.e.WrittenAt).ThenBy(x => x.i).Select(x => x.e).ToList();
        var faults = _faults.Select(f => f with
        {
            Overlaps = _windows.Where(w => w.Id != f.Id && w.Start < f.End.ToUnixTimeMilliseconds() && f.Start.ToUnixTimeMilliseconds() < w.End).Select(w => w.Id).ToList(),
        }).ToList();
        var truth = new ScenarioTruth
        {
            Scenario = _name,
            Shape = _topology.ShapeName,
            Seed = _options.Seed,
            Services = _topology.Options.Services,
            Start = _options.Start,
            End = DateTimeOffset.FromUnixTimeMilliseconds(_records.Count > 0 ? _records.Max(r => r.Timestamp) : _start),
            Faults = faults,
            Alerts = _alerts,
        };
        return new GeneratedScenario(_topology, ordered, truth);
    }

    /// <summary>Only records whose lateness cannot reorder one alert's own status changes.</summary>
    private bool CanArriveLate(int index) => _records[index].Kind is TelemetryKind.Metric or TelemetryKind.Log || _firstFirings.Contains(index);

    /// <summary>Indexes in <see cref="_records"/> of each alert's first firing event.</summary>
    private readonly HashSet<int> _firstFirings = [];

    private bool Chance(double p) => _rng.NextDouble() < p;

    private double Uniform(double min, double max) => min + (_rng.NextDouble() * (max - min));

    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    private string NextChangeId() => $"CHG{++_changeSeq + (_options.Seed % 1000 * 10000):D7}";
}
