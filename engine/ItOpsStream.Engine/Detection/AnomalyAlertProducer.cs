using System.Globalization;
using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Models.Anomaly;

namespace ItOpsStream.Engine.Detection;

/// <summary>
/// Turns metric records into anomaly alerts: one <see cref="AnomalyTracker"/> per series (ci, name,
/// labels), an event with check <c>anomaly:&lt;metric&gt;</c> when a series turns anomalous, and its
/// <c>resolved</c> twin when the series has been back to normal long enough (hysteresis).
/// </summary>
/// <remarks>
/// Plugs into the pipeline as <see cref="IAlertProducer"/>, one per alert shard, on the shard's thread.
/// The alert's <c>dedup_key</c> is <c>anomaly|ci|metric|labels</c>, so its firing and resolved records
/// are one alert in dedup and correlation. Severity comes from the peak score: warning from 0.6,
/// minor 0.7, major 0.8, critical 0.9. Log records are ignored.
/// </remarks>
public sealed class AnomalyAlertProducer : IAlertProducer
{
    private readonly AnomalyAlertOptions _options;
    private readonly SeriesRegistry<SeriesKey, AnomalyTracker> _series;
    private readonly Func<SeriesKey, AnomalyTracker> _create;

    public AnomalyAlertProducer(AnomalyAlertOptions? options = null)
    {
        _options = (options ?? AnomalyAlertOptions.Default).Validate();
        _series = new SeriesRegistry<SeriesKey, AnomalyTracker>(_options.MaxSeries);
        var tracker = _options.Tracker;
        _create = _ => new AnomalyTracker(tracker);
    }

    /// <summary>Live series held.</summary>
    public int SeriesCount => _series.Count;

    public void OnRecord(in TelemetryRecord record, List<TelemetryRecord> emitted)
    {
        if (record.Kind != TelemetryKind.Metric || record.Name is null)
        {
            return;
        }

        var key = new SeriesKey(record.Ci, record.Name, record.Labels);
        var tracker = _series.GetOrAdd(key, _create, out var evicted);
        if (evicted is { State.IsOpen: true })
        {
            // A forgotten series cannot resolve later: close its alert now rather than leave it open forever.
            emitted.Add(Alert(evicted.Key, evicted.State, record.Timestamp, AlertStatus.Resolved, "series evicted from the detector registry"));
        }

        switch (tracker.Observe(record.Timestamp, record.Value))
        {
            case AnomalyTransition.Open:
                emitted.Add(Alert(key, tracker, record.Timestamp, AlertStatus.Firing, string.Create(CultureInfo.InvariantCulture, $"{record.Name} = {record.Value:G6} is anomalous (score {tracker.LastScore:0.00})")));
                break;
            case AnomalyTransition.Resolve:
                emitted.Add(Alert(key, tracker, record.Timestamp, AlertStatus.Resolved, string.Create(CultureInfo.InvariantCulture, $"{record.Name} back to normal (peak score {tracker.PeakScore:0.00})")));
                break;
        }
    }

    public void OnWatermark(long watermark, List<TelemetryRecord> emitted)
    {
        // Detection runs on the series' own points; a silent series keeps its state until it reports or is evicted.
    }

    private TelemetryRecord Alert(in SeriesKey key, AnomalyTracker tracker, long timestamp, AlertStatus status, string message) =>
        new(
            timestamp,
            TelemetryKind.Event,
            key.Ci,
            Source: _options.Source,
            Check: "anomaly:" + key.Name,
            Severity: ToSeverity(tracker.Severity),
            Status: status,
            DedupKey: $"anomaly|{key.Ci}|{key.Name}|{key.Labels}",
            Message: message,
            Labels: key.Labels);

    /// <summary>The alert severity of an anomaly's peak score grade (shared by every anomaly alert).</summary>
    internal static Severity ToSeverity(AnomalySeverity severity) => severity switch
    {
        AnomalySeverity.Critical => Severity.Critical,
        AnomalySeverity.Major => Severity.Major,
        AnomalySeverity.Minor => Severity.Minor,
        _ => Severity.Warning,
    };
}
