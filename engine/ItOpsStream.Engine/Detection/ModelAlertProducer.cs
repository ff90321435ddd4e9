using System.Globalization;
using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Models.Anomaly;
using ItOpsStream.Models.Training;

namespace ItOpsStream.Engine.Detection;

/// <summary>
/// Scores metric records with the promoted models in force (<see cref="IModelsProvider"/>) and turns
/// anomalies into alerts with the check <c>anomaly:model:NAME</c>, opened and resolved by the same
/// hysteresis as the per-series anomaly alerts (<see cref="AnomalyAlertState"/>).
/// </summary>
/// <remarks>
/// <para>
/// <b>pca</b> models score a CI's metric vector. A fleet model scores every CI that reports its
/// metrics, a model trained with <c>--ci</c> only that CI. Per CI the producer keeps the last value of
/// each of the model's metrics, as training pivots them; the vector of an event time is scored when
/// the CI's first sample of a later event time arrives (then every sample of that time is in, as in a
/// training row), and only once every metric has been seen. <b>onnx</b> models score the series
/// (CI, labels) of the metric their manifest entry names. Scores are calibrated per CI (per series)
/// online, without the rest period, so nothing alerts before about 64 scores of warm-up.
/// </para>
/// <para>
/// Threading: one producer per alert shard, called on the shard's thread; the pipeline routes every
/// metric of a CI to one shard. The provider's current set is read once per batch (in
/// <see cref="OnWatermark"/>, a volatile read); a new set swaps in between batches. Models that stay
/// keep their per-CI state; the open alerts of a model that was replaced or removed are resolved
/// ("model replaced") and its state dropped. Each shard opens its own ONNX session per model (and
/// disposes it on swap and on <see cref="Dispose"/>); PCA scorers are immutable arrays.
/// </para>
/// <para>
/// Memory: the per-CI (per-series) states live in a bounded LRU of <see cref="AnomalyAlertOptions.MaxSeries"/>
/// entries per shard; an evicted state with an open alert resolves it ("series evicted").
/// </para>
/// </remarks>
public sealed class ModelAlertProducer : IAlertProducer, IDisposable
{
    private readonly IModelsProvider _provider;
    private readonly AnomalyAlertOptions _options;
    private readonly CalibrationOptions _calibration;
    private readonly SeriesRegistry<StateKey, State> _states;
    private readonly Func<StateKey, State> _create;
    private readonly List<SeriesRegistry<StateKey, State>.Entry> _removed = [];
    private Dictionary<LoadedModel, Slot> _slots = [];
    private Dictionary<string, Slot[]> _byMetric = new(StringComparer.Ordinal);
    private ModelSet? _set;
    private long _lastTimestamp = long.MinValue;

    /// <param name="provider">The models in force (read between batches).</param>
    /// <param name="options">LRU bound, hysteresis and calibration (<see cref="AnomalyAlertOptions.Tracker"/>), alert source.</param>
    public ModelAlertProducer(IModelsProvider provider, AnomalyAlertOptions? options = null)
    {
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
        _options = (options ?? AnomalyAlertOptions.Default).Validate();
        _calibration = _options.Tracker.Detector.Calibration with { RestPoints = 0 };
        _states = new SeriesRegistry<StateKey, State>(_options.MaxSeries);
        _create = CreateState;
    }

    /// <summary>The manifest version this shard scores with (0 before the first batch or without models).</summary>
    public long ModelVersion => _set?.Version ?? 0;

    /// <summary>Per-CI (per-series) model states held.</summary>
    public int StateCount => _states.Count;

    public void OnRecord(in TelemetryRecord record, List<TelemetryRecord> emitted)
    {
        if (record.Kind != TelemetryKind.Metric || record.Name is null || record.Ci is null)
        {
            return;
        }

        if (_set is null)
        {
            Swap(_provider.Current, emitted);
        }

        _lastTimestamp = Math.Max(_lastTimestamp, record.Timestamp);
        if (!_byMetric.TryGetValue(record.Name, out var slots) || !double.IsFinite(record.Value))
        {
            return;
        }

        foreach (var slot in slots)
        {
            if (slot.Model.Ci is { } only && only != record.Ci)
            {
                continue;
            }

            if (slot.Index is not null)
            {
                ObservePca(slot, record, emitted);
            }
            else
            {
                ObserveOnnx(slot, record, emitted);
            }
        }
    }

    public void OnWatermark(long watermark, List<TelemetryRecord> emitted)
    {
        var current = _provider.Current;
        if (!ReferenceEquals(current, _set))
        {
            Swap(current, emitted);
        }
    }

    /// <summary>Disposes this shard's ONNX sessions.</summary>
    public void Dispose()
    {
        foreach (var slot in _slots.Values)
        {
            slot.Session?.Dispose();
        }

        _slots = [];
        _byMetric = new(StringComparer.Ordinal);
    }

    private void ObservePca(Slot slot, in TelemetryRecord record, List<TelemetryRecord> emitted)
    {
        var key = new StateKey(slot, record.Ci!, default);
        var state = _states.GetOrAdd(key, _create, out var evicted);
        ResolveEvicted(evicted, record.Timestamp, emitted);
        var last = state.Last!;
        if (state.Pending && record.Timestamp > state.PendingTs)
        {
            // Every sample of the pending event time is in: score that vector, as training scored its row.
            state.Pending = false;
            if (state.Known == last.Length)
            {
                var score = state.Pca!.Score(state.PendingTs, last);
                Emit(slot, key, state, state.Alert.Observe(score), state.PendingTs, emitted);
            }
        }

        var i = slot.Index![record.Name!];
        last[i] = (float)record.Value;
        if (!state.Seen![i])
        {
            state.Seen[i] = true;
            state.Known++;
        }

        if (!state.Pending || record.Timestamp > state.PendingTs)
        {
            state.PendingTs = record.Timestamp;
        }

        state.Pending = true;
    }

    private void ObserveOnnx(Slot slot, in TelemetryRecord record, List<TelemetryRecord> emitted)
    {
        var key = new StateKey(slot, record.Ci!, record.Labels);
        var state = _states.GetOrAdd(key, _create, out var evicted);
        ResolveEvicted(evicted, record.Timestamp, emitted);
        var score = state.Onnx!.Score(record.Timestamp, record.Value);
        Emit(slot, key, state, state.Alert.Observe(score), record.Timestamp, emitted);
    }

    private void Emit(Slot slot, in StateKey key, State state, AnomalyTransition transition, long timestamp, List<TelemetryRecord> emitted)
    {
        switch (transition)
        {
            case AnomalyTransition.Open:
                emitted.Add(Alert(key, state, timestamp, AlertStatus.Firing, slot.Index is null
                    ? string.Create(CultureInfo.InvariantCulture, $"{slot.Model.Metrics[0]} is anomalous for model {slot.Model.Name} v{slot.Model.Entry.Version} (score {state.Alert.LastScore:0.00})")
                    : string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", slot.Model.Metrics)} do not move together as model {slot.Model.Name} v{slot.Model.Entry.Version} learnt (score {state.Alert.LastScore:0.00})")));
                break;
            case AnomalyTransition.Resolve:
                emitted.Add(Alert(key, state, timestamp, AlertStatus.Resolved, string.Create(CultureInfo.InvariantCulture, $"back to normal for model {slot.Model.Name} (peak score {state.Alert.PeakScore:0.00})")));
                break;
        }
    }

    private void ResolveEvicted(SeriesRegistry<StateKey, State>.Entry? evicted, long timestamp, List<TelemetryRecord> emitted)
    {
        if (evicted is { State.Alert.IsOpen: true })
        {
            // A forgotten state cannot resolve later: close its alert now rather than leave it open forever.
            emitted.Add(Alert(evicted.Key, evicted.State, timestamp, AlertStatus.Resolved, "series evicted from the model registry"));
        }
    }

    /// <summary>Takes <paramref name="set"/> into use: keeps the slots (and states) of unchanged models, drops the others.</summary>
    private void Swap(ModelSet set, List<TelemetryRecord> emitted)
    {
        var slots = new Dictionary<LoadedModel, Slot>();
        foreach (var model in set.Models)
        {
            if (_slots.TryGetValue(model, out var kept))
            {
                slots[model] = kept;
            }
            else if (CreateSlot(model) is { } slot)
            {
                slots[model] = slot;
            }
        }

        var gone = _slots.Values.Where(s => !slots.ContainsKey(s.Model)).ToHashSet();
        if (gone.Count > 0)
        {
            _removed.Clear();
            _states.RemoveWhere(e => gone.Contains(e.Key.Slot), _removed);
            var at = _lastTimestamp == long.MinValue ? 0 : _lastTimestamp;
            foreach (var entry in _removed.Where(e => e.State.Alert.IsOpen))
            {
                emitted.Add(Alert(entry.Key, entry.State, at, AlertStatus.Resolved, string.Create(CultureInfo.InvariantCulture, $"model {entry.Key.Slot.Model.Name} replaced (models version {set.Version})")));
            }

            _removed.Clear();
            foreach (var slot in gone)
            {
                slot.Session?.Dispose();
            }
        }

        _slots = slots;
        _byMetric = slots.Values
            .SelectMany(s => s.Model.Metrics.Select(m => (Metric: m, Slot: s)))
            .GroupBy(p => p.Metric, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Slot).OrderBy(s => s.Model.Name, StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        _set = set;
    }

    private static Slot? CreateSlot(LoadedModel model)
    {
        if (model.Pca is { } pca)
        {
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < model.Metrics.Count; i++)
            {
                index[model.Metrics[i]] = i;
            }

            return new Slot(model, pca.CreateScorer(), null, index);
        }

        try
        {
            return new Slot(model, null, new OnnxWindowModel(model.Onnx!), null);
        }
        catch (InvalidDataException)
        {
            // The loader opened the same bytes already; if this shard cannot, it runs without the model rather than failing the pipeline.
            return null;
        }
    }

    private State CreateState(StateKey key)
    {
        var slot = key.Slot;
        var alert = new AnomalyAlertState(_options.Tracker);
        if (slot.Index is null)
        {
            return new State(alert) { Onnx = new OnnxWindowDetector(slot.Session!, _calibration) };
        }

        var n = slot.Model.Metrics.Count;
        return new State(alert)
        {
            Pca = new PcaDetector(slot.Model.Pca!, slot.Scorer!, _calibration),
            Last = new float[n],
            Seen = new bool[n],
        };
    }

    private TelemetryRecord Alert(in StateKey key, State state, long timestamp, AlertStatus status, string message) =>
        new(
            timestamp,
            TelemetryKind.Event,
            key.Ci,
            Source: _options.Source,
            Check: key.Slot.Check,
            Severity: AnomalyAlertProducer.ToSeverity(state.Alert.Severity),
            Status: status,
            DedupKey: $"anomaly|{key.Ci}|{key.Slot.SeriesName}|{key.Labels}",
            Message: message,
            Labels: key.Labels);

    /// <summary>One model as this shard runs it: its scorer (pca) or its session (onnx, owned by the shard).</summary>
    private sealed class Slot(LoadedModel model, PcaScorer? scorer, OnnxWindowModel? session, Dictionary<string, int>? index)
    {
        public LoadedModel Model { get; } = model;

        public PcaScorer? Scorer { get; } = scorer;

        public OnnxWindowModel? Session { get; } = session;

        /// <summary>pca: metric name → position in the vector; null for onnx.</summary>
        public Dictionary<string, int>? Index { get; } = index;

        public string Check { get; } = "anomaly:model:" + model.Name;

        /// <summary>The series part of the alert's <c>dedup_key</c>, as a metric name is for per-series alerts.</summary>
        public string SeriesName { get; } = "model:" + model.Name;
    }

    /// <summary>A model's state for one CI (pca: labels empty) or one series (onnx).</summary>
    private readonly record struct StateKey(Slot Slot, string Ci, LabelSet Labels);

    private sealed class State(AnomalyAlertState alert)
    {
        public AnomalyAlertState Alert { get; } = alert;

        public PcaDetector? Pca { get; init; }

        /// <summary>pca: last value of each metric, in the model's order.</summary>
        public float[]? Last { get; init; }

        public bool[]? Seen { get; init; }

        public int Known { get; set; }

        /// <summary>pca: the event time of the vector not scored yet.</summary>
        public long PendingTs { get; set; }

        public bool Pending { get; set; }

        public OnnxWindowDetector? Onnx { get; init; }
    }
}
