using System.Globalization;
using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Models.Anomaly;
using ItOpsStream.Models.Logs;

namespace ItOpsStream.Engine.Logs;

/// <summary>
/// Turns log records into alert events (CONTRACTS §2 <c>kind: event</c>, <c>source: logs</c>) that then go through
/// dedup and correlation like any other alert:
/// <list type="bullet">
/// <item><c>LogNewErrorTemplate</c>: an error or fatal record whose template is new, once the warm-up has passed.</item>
/// <item><c>LogRateSpike</c>: the count of a (CI, template) in a window is far above its own history (robust z-score
/// over median and MAD, checked as the window fills), or a metric detector from models/ fed with the closed window
/// counts scores it anomalous; only templates seen at warn level or above, or with no level.</item>
/// <item><c>LogErrorBurst</c>: error and fatal records of one CI in a window reach <see cref="LogAlertOptions.BurstCount"/>
/// and a multiple of that CI's usual count.</item>
/// </list>
/// Each alert carries the template (id and text) and sample messages in its labels and message. An alert resolves
/// (same <c>dedup_key</c>, status <c>resolved</c>) after <see cref="LogAlertOptions.ResolveAfterWindows"/> closed
/// windows without its condition: the new template not seen again, no further spike of the series, no further burst.
/// </summary>
/// <remarks>
/// Runs on event time. Spikes and bursts are checked as the open window fills, so an alert is raised at the record
/// that crosses the line (at most once per series and window), not when the window ends; the window's count joins
/// the history when a record of a later window arrives or the watermark passes its end. Records older than the
/// open window are counted in it. Metric records are ignored. Not thread-safe: the pipeline gives each alert shard
/// its own producer (<see cref="IAlertProducer"/>), and routes all logs of a CI to one shard.
/// </remarks>
public sealed class LogAlertProducer : IAlertProducer
{
    private readonly LogAlertOptions _options;
    private readonly LogTemplateMiner _miner;
    private readonly long _windowMs;
    private readonly Dictionary<(string Ci, int Template), Series> _series = [];
    private readonly Dictionary<string, Series> _errorsByCi = new(StringComparer.Ordinal);
    // Firing alerts by dedup key, in the order they opened: what may resolve when windows close.
    private readonly Dictionary<string, OpenAlert> _open = new(StringComparer.Ordinal);
    private readonly List<string> _resolved = [];
    private long _windowStart = long.MinValue;
    private long _firstTimestamp = long.MinValue;

    /// <summary>Creates a producer; pass a miner restored from a snapshot to keep template ids across restarts.</summary>
    public LogAlertProducer(LogAlertOptions? options = null, LogTemplateMiner? miner = null)
    {
        _options = options ?? LogAlertOptions.Default;
        _options.Validate();
        _miner = miner ?? new LogTemplateMiner(_options.Miner);
        _windowMs = (long)_options.Window.TotalMilliseconds;
    }

    /// <summary>The template miner (for snapshots and template look-ups).</summary>
    public LogTemplateMiner Miner => _miner;

    /// <summary>Log records not tracked because <see cref="LogAlertOptions.MaxSeries"/> was reached.</summary>
    public long DroppedRecords { get; private set; }

    /// <inheritdoc/>
    public void OnRecord(in TelemetryRecord record, List<TelemetryRecord> emitted)
    {
        ArgumentNullException.ThrowIfNull(emitted);
        if (record.Kind != TelemetryKind.Log || record.Message is null)
        {
            return;
        }

        long window = Math.Max(AlignDown(record.Timestamp), _windowStart);
        if (_windowStart == long.MinValue)
        {
            _firstTimestamp = record.Timestamp;
            _windowStart = window;
        }
        else if (window > _windowStart)
        {
            CloseWindows(window, emitted);
        }

        var match = _miner.Mine(record.Message);
        string ci = record.Ci ?? string.Empty;
        bool isError = record.Level >= LogLevel.Error;
        if (match.IsNewTemplate && isError && record.Timestamp - _firstTimestamp >= _options.WarmUp.TotalMilliseconds)
        {
            Raise(emitted, Alert(record.Timestamp, ci, "LogNewErrorTemplate", record.Level == LogLevel.Fatal ? Severity.Critical : Severity.Major,
                match.TemplateId, $"new error log template: {Text(match.TemplateId)}", [record.Message]), ci, match.TemplateId);
        }

        var key = (ci, match.TemplateId);
        if (!_series.TryGetValue(key, out var series))
        {
            if (_series.Count >= _options.MaxSeries)
            {
                DroppedRecords++;
                return;
            }

            series = new Series(_options.History, _options.RateDetector);
            _series[key] = series;
        }

        series.Add(record, _options.Samples);
        CheckSpike(record.Timestamp, ci, match.TemplateId, series, emitted);
        if (isError)
        {
            if (!_errorsByCi.TryGetValue(ci, out var errors))
            {
                errors = new Series(_options.History, null);
                _errorsByCi[ci] = errors;
            }

            errors.Add(record, _options.Samples);
            CheckBurst(record.Timestamp, ci, match.TemplateId, errors, emitted);
        }
    }

    /// <inheritdoc/>
    public void OnWatermark(long watermark, List<TelemetryRecord> emitted)
    {
        if (_windowStart != long.MinValue && watermark != long.MinValue && watermark >= _windowStart + _windowMs)
        {
            CloseWindows(AlignDown(watermark), emitted);
        }
    }

    private long AlignDown(long timestamp) => timestamp - (((timestamp % _windowMs) + _windowMs) % _windowMs);

    private void CloseWindows(long nextWindow, List<TelemetryRecord> emitted)
    {
        // Empty windows in between count as zeros, at most History of them.
        long windows = Math.Min((nextWindow - _windowStart) / _windowMs, _options.History);
        for (long w = 0; w < windows; w++)
        {
            RollWindow(_windowStart + ((w + 1) * _windowMs), emitted);
        }

        _windowStart = nextWindow;
    }

    private void CheckSpike(long timestamp, string ci, int template, Series series, List<TelemetryRecord> emitted)
    {
        int count = series.Current;
        if (series.Alerted || series.MaxLevel is not (>= LogLevel.Warn or LogLevel.Unknown) || series.History < _options.MinHistory
            || count < _options.MinSpikeCount || series.Score(count) < _options.SpikeScore)
        {
            return;
        }

        series.Alerted = true;
        Raise(emitted, Alert(timestamp, ci, "LogRateSpike", series.MaxLevel >= LogLevel.Error ? Severity.Major : Severity.Minor, template,
            string.Create(CultureInfo.InvariantCulture, $"log rate spike: {count} in {_options.Window.TotalSeconds:0}s (usual {series.Median():0.#}): {Text(template)}"),
            series.Samples), ci, template);
    }

    private void CheckBurst(long timestamp, string ci, int template, Series errors, List<TelemetryRecord> emitted)
    {
        int count = errors.Current;
        if (errors.Alerted || count < _options.BurstCount || count < _options.BurstFactor * Math.Max(1, errors.Median()))
        {
            return;
        }

        errors.Alerted = true;
        Raise(emitted, Alert(timestamp, ci, "LogErrorBurst", errors.MaxLevel == LogLevel.Fatal ? Severity.Critical : Severity.Major, template,
            string.Create(CultureInfo.InvariantCulture, $"error log burst: {count} errors in {_options.Window.TotalSeconds:0}s (usual {errors.Median():0.#}), latest template: {Text(template)}"),
            errors.Samples), ci, null);
    }

    private void RollWindow(long end, List<TelemetryRecord> emitted)
    {
        foreach (var ((ci, template), series) in _series.OrderBy(p => p.Key.Ci, StringComparer.Ordinal).ThenBy(p => p.Key.Template))
        {
            int count = series.Current;
            double score = series.Detector?.Score(end, count) ?? 0;
            if (score >= _options.DetectorScore && !series.Alerted && count >= _options.MinSpikeCount
                && series.MaxLevel is >= LogLevel.Warn or LogLevel.Unknown)
            {
                Raise(emitted, Alert(end, ci, "LogRateSpike", series.MaxLevel >= LogLevel.Error ? Severity.Major : Severity.Minor, template,
                    string.Create(CultureInfo.InvariantCulture, $"log rate spike: {count} in {_options.Window.TotalSeconds:0}s ({_options.RateDetector} score {score:0.###}): {Text(template)}"),
                    series.Samples), ci, template);
            }

            series.Roll();
        }

        ResolveQuiet(end, emitted);

        foreach (var errors in _errorsByCi.Values)
        {
            errors.Roll();
        }

        // Bounded memory: forget series silent for a whole history.
        foreach (var key in _series.Where(p => p.Value.IsIdle).Select(p => p.Key).ToList())
        {
            _series.Remove(key);
        }

        foreach (var key in _errorsByCi.Where(p => p.Value.IsIdle).Select(p => p.Key).ToList())
        {
            _errorsByCi.Remove(key);
        }
    }

    /// <summary>Emits an alert and remembers it as firing; the same key raised again only refreshes it.</summary>
    private void Raise(List<TelemetryRecord> emitted, TelemetryRecord alert, string ci, int? template)
    {
        emitted.Add(alert);
        string key = alert.DedupKey!;
        if (!_open.TryGetValue(key, out var open))
        {
            _open[key] = new OpenAlert(alert, ci, template) { LastActive = alert.Timestamp };
        }
        else
        {
            open.LastActive = Math.Max(open.LastActive, alert.Timestamp);
        }
    }

    /// <summary>
    /// At the close of the window ending at <paramref name="end"/>: an alert whose condition held in it stays firing;
    /// one quiet for ResolveAfterWindows windows resolves. A new-template or spike alert's condition is its template
    /// still being logged on the CI (a spike's series still above its usual count is caught by the spike checks); a
    /// burst's is another burst on the CI.
    /// </summary>
    private void ResolveQuiet(long end, List<TelemetryRecord> emitted)
    {
        if (_open.Count == 0)
        {
            return;
        }

        _resolved.Clear();
        long quietMs = _options.ResolveAfterWindows * _windowMs;
        foreach (var (key, open) in _open)
        {
            if (open.Template is { } template && string.Equals(open.Alert.Check, "LogNewErrorTemplate", StringComparison.Ordinal)
                && _series.TryGetValue((open.Ci, template), out var series) && series.LastCount > 0)
            {
                open.LastActive = end;
            }
            else if (end - open.LastActive >= quietMs)
            {
                _resolved.Add(key);
            }
        }

        _resolved.Sort(StringComparer.Ordinal);
        foreach (var key in _resolved)
        {
            var alert = _open[key].Alert;
            _open.Remove(key);
            emitted.Add(alert with
            {
                Timestamp = end,
                Status = AlertStatus.Resolved,
                Message = string.Create(CultureInfo.InvariantCulture, $"{alert.Check} resolved: quiet for {_options.ResolveAfterWindows} windows"),
            });
        }
    }

    private string Text(int templateId) => _miner.GetTemplate(templateId)?.Text ?? string.Empty;

    private TelemetryRecord Alert(long timestamp, string ci, string check, Severity severity, int templateId, string message, IReadOnlyList<string> samples)
    {
        int id = _miner.ResolveId(templateId) is var live and >= 0 ? live : templateId;
        var labels = new List<KeyValuePair<string, string>>
        {
            new("template_id", id.ToString(CultureInfo.InvariantCulture)),
            new("template", Text(id)),
        };
        for (int i = 0; i < samples.Count; i++)
        {
            labels.Add(new($"sample_{i + 1}", samples[i]));
        }

        return new TelemetryRecord(
            timestamp,
            TelemetryKind.Event,
            ci.Length == 0 ? null : ci,
            Source: "logs",
            Check: check,
            Severity: severity,
            Status: AlertStatus.Firing,
            DedupKey: string.Create(CultureInfo.InvariantCulture, $"logs/{check}/{ci}/{id}"),
            Message: message,
            Labels: LabelSet.From(labels));
    }

    /// <summary>A firing log alert: the record that raised it and when its condition last held.</summary>
    private sealed class OpenAlert(TelemetryRecord alert, string ci, int? template)
    {
        public TelemetryRecord Alert { get; } = alert;

        public string Ci { get; } = ci;

        public int? Template { get; } = template;

        public long LastActive { get; set; }
    }

    /// <summary>Counts of one series: the open window, a ring of past windows, samples of the open window.</summary>
    private sealed class Series(int capacity, string? detector)
    {
        private readonly int[] _ring = new int[capacity];
        private readonly List<string> _samples = [];
        private int _filled;
        private int _next;
        private int _idleWindows;

        public int Current { get; private set; }

        /// <summary>The metric detector fed with this series' closed window counts, or null.</summary>
        public IStreamingDetector? Detector { get; } = detector is null ? null : DetectorFactory.Create(detector);

        /// <summary>An alert was raised for the open window (one per window).</summary>
        public bool Alerted { get; set; }

        public LogLevel MaxLevel { get; private set; }

        public int History => _filled;

        public IReadOnlyList<string> Samples => _samples;

        public bool IsIdle => _idleWindows >= _ring.Length;

        public void Add(in TelemetryRecord record, int maxSamples)
        {
            Current++;
            if (record.Level > MaxLevel)
            {
                MaxLevel = record.Level;
            }

            if (_samples.Count < maxSamples)
            {
                _samples.Add(record.Message!);
            }
        }

        /// <summary>The count of the last closed window.</summary>
        public int LastCount { get; private set; }

        public void Roll()
        {
            LastCount = Current;
            _idleWindows = Current == 0 ? _idleWindows + 1 : 0;
            _ring[_next] = Current;
            _next = (_next + 1) % _ring.Length;
            _filled = Math.Min(_filled + 1, _ring.Length);
            Current = 0;
            Alerted = false;
            _samples.Clear();
        }

        public double Median() => _filled == 0 ? 0 : Percentile(Values(), 0.5);

        /// <summary>Robust z-score of <paramref name="count"/> against the history; +1 keeps a flat history from dividing by zero.</summary>
        public double Score(int count)
        {
            var values = Values();
            double median = Percentile(values, 0.5);
            var deviations = values.Select(v => Math.Abs(v - median)).ToArray();
            double mad = Percentile(deviations, 0.5);
            return (count - median) / ((1.4826 * mad) + 1);
        }

        private double[] Values() => [.. _ring.Take(_filled).Select(v => (double)v)];

        private static double Percentile(double[] values, double q)
        {
            Array.Sort(values);
            double position = q * (values.Length - 1);
            int lower = (int)position;
            int upper = Math.Min(lower + 1, values.Length - 1);
            return values[lower] + ((values[upper] - values[lower]) * (position - lower));
        }
    }
}
