using System.Globalization;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Models.Logs;

namespace ItOpsStream.Engine.Logs;

/// <summary>
/// Turns log records into alert events (CONTRACTS §2 <c>kind: event</c>, <c>source: logs</c>) that then go through
/// dedup and correlation like any other alert:
/// <list type="bullet">
/// <item><c>LogNewErrorTemplate</c>: an error or fatal record whose template is new, once the warm-up has passed.</item>
/// <item><c>LogRateSpike</c>: the count of a (CI, template) in a window is far above its own history (robust z-score
/// over median and MAD); only templates seen at warn level or above, or with no level.</item>
/// <item><c>LogErrorBurst</c>: error and fatal records of one CI in a window reach <see cref="LogAlertOptions.BurstCount"/>
/// and a multiple of that CI's usual count.</item>
/// </list>
/// Each alert carries the template (id and text) and sample messages in its labels and message.
/// </summary>
/// <remarks>
/// Runs on event time: a window closes when a record of a later window arrives, or on <see cref="Flush"/>. Records
/// older than the open window are counted in it. Not thread-safe: one producer per single-writer shard of CIs.
/// </remarks>
public sealed class LogAlertProducer
{
    private readonly LogAlertOptions _options;
    private readonly LogTemplateMiner _miner;
    private readonly long _windowMs;
    private readonly Dictionary<(string Ci, int Template), Series> _series = [];
    private readonly Dictionary<string, Series> _errorsByCi = new(StringComparer.Ordinal);
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

    /// <summary>Feeds one record; alerts it causes are added to <paramref name="alerts"/>. Non-log records are ignored.</summary>
    public void Process(in TelemetryRecord record, ICollection<TelemetryRecord> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
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
            CloseWindows(window, alerts);
        }

        var match = _miner.Mine(record.Message);
        string ci = record.Ci ?? string.Empty;
        bool isError = record.Level >= LogLevel.Error;
        if (match.IsNewTemplate && isError && record.Timestamp - _firstTimestamp >= _options.WarmUp.TotalMilliseconds)
        {
            alerts.Add(Alert(record.Timestamp, ci, "LogNewErrorTemplate", record.Level == LogLevel.Fatal ? Severity.Critical : Severity.Major,
                match.TemplateId, $"new error log template: {Text(match.TemplateId)}", [record.Message]));
        }

        var key = (ci, match.TemplateId);
        if (!_series.TryGetValue(key, out var series))
        {
            if (_series.Count >= _options.MaxSeries)
            {
                DroppedRecords++;
                return;
            }

            series = new Series(_options.History);
            _series[key] = series;
        }

        series.Add(record, _options.Samples);
        if (isError)
        {
            if (!_errorsByCi.TryGetValue(ci, out var errors))
            {
                errors = new Series(_options.History);
                _errorsByCi[ci] = errors;
            }

            errors.Add(record, _options.Samples);
        }
    }

    /// <summary>Closes the open window (end of input) and emits what it holds.</summary>
    public void Flush(ICollection<TelemetryRecord> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        if (_windowStart != long.MinValue)
        {
            CloseWindows(_windowStart + _windowMs, alerts);
        }
    }

    private long AlignDown(long timestamp) => timestamp - (((timestamp % _windowMs) + _windowMs) % _windowMs);

    private void CloseWindows(long nextWindow, ICollection<TelemetryRecord> alerts)
    {
        // Empty windows in between count as zeros, at most History of them.
        long windows = Math.Min((nextWindow - _windowStart) / _windowMs, _options.History);
        for (long w = 0; w < windows; w++)
        {
            long end = _windowStart + _windowMs;
            EvaluateWindow(end, alerts);
            _windowStart = end;
        }

        _windowStart = nextWindow;
    }

    private void EvaluateWindow(long end, ICollection<TelemetryRecord> alerts)
    {
        foreach (var ((ci, template), series) in _series.OrderBy(p => p.Key.Ci, StringComparer.Ordinal).ThenBy(p => p.Key.Template))
        {
            int count = series.Current;
            if (count > 0 && series.MaxLevel is >= LogLevel.Warn or LogLevel.Unknown && series.History >= _options.MinHistory
                && count >= _options.MinSpikeCount && series.Score(count) >= _options.SpikeScore)
            {
                alerts.Add(Alert(end, ci, "LogRateSpike", series.MaxLevel >= LogLevel.Error ? Severity.Major : Severity.Minor, template,
                    string.Create(CultureInfo.InvariantCulture, $"log rate spike: {count} in {_options.Window.TotalSeconds:0}s (usual {series.Median():0.#}): {Text(template)}"),
                    series.Samples));
            }
        }

        foreach (var (ci, errors) in _errorsByCi.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            int count = errors.Current;
            if (count >= _options.BurstCount && count >= _options.BurstFactor * Math.Max(1, errors.Median()))
            {
                var top = _series.Where(p => p.Key.Ci == ci && p.Value.MaxLevel >= LogLevel.Error)
                    .OrderByDescending(p => p.Value.Current).ThenBy(p => p.Key.Template).First().Key.Template;
                alerts.Add(Alert(end, ci, "LogErrorBurst", errors.MaxLevel == LogLevel.Fatal ? Severity.Critical : Severity.Major, top,
                    string.Create(CultureInfo.InvariantCulture, $"error log burst: {count} errors in {_options.Window.TotalSeconds:0}s (usual {errors.Median():0.#}), top template: {Text(top)}"),
                    errors.Samples));
            }
        }

        foreach (var series in _series.Values)
        {
            series.Roll();
        }

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

    /// <summary>Counts of one series: the open window, a ring of past windows, samples of the open window.</summary>
    private sealed class Series(int capacity)
    {
        private readonly int[] _ring = new int[capacity];
        private readonly List<string> _samples = [];
        private int _filled;
        private int _next;
        private int _idleWindows;

        public int Current { get; private set; }

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

        public void Roll()
        {
            _idleWindows = Current == 0 ? _idleWindows + 1 : 0;
            _ring[_next] = Current;
            _next = (_next + 1) % _ring.Length;
            _filled = Math.Min(_filled + 1, _ring.Length);
            Current = 0;
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
