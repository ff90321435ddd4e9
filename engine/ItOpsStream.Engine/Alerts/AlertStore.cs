using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Alerts;

/// <summary>
/// The dedup and lifecycle state of the alerts of one shard. Single writer: exactly one pipeline
/// worker owns an instance, so there are no locks. All times are event time; timers (stale,
/// end of flapping) fire from <see cref="AdvanceTo"/> with the watermark.
/// </summary>
internal sealed class AlertStore
{
    private readonly AlertOptions _options;
    private readonly long _flapWindowMs;
    private readonly long _staleAfterMs;
    private readonly long _retentionMs;

    // Fingerprints given by the producer (dedup_key) and derived ones live in separate maps: a
    // derived fingerprint IS its 64-bit hash, a dedup_key is compared as a string.
    private readonly Dictionary<string, AlertState> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, AlertState> _byHash = [];
    private readonly PriorityQueue<AlertState, (long Due, long Seq)> _timers = new();
    private readonly List<AlertTransition> _fired = [];
    private long _nextSeq;

    public AlertStore(AlertOptions options)
    {
        _options = options.Validate();
        _flapWindowMs = (long)options.FlapWindow.TotalMilliseconds;
        _staleAfterMs = (long)options.StaleAfter.TotalMilliseconds;
        _retentionMs = Math.Max((long)options.ResolvedRetention.TotalMilliseconds, _flapWindowMs);
    }

    /// <summary>Alerts currently known (firing or resolved) to this shard.</summary>
    public int Count => _byKey.Count + _byHash.Count;

    /// <summary>Alerts created so far (a fingerprint forgotten after resolving and firing again counts again).</summary>
    public long Created { get; private set; }

    /// <summary>Resolve records for fingerprints never seen firing (kept as a counter, nothing else to do).</summary>
    public long OrphanResolves { get; private set; }

    /// <summary>
    /// Applies one event record. <paramref name="routeKey"/> is the record's fingerprint hash from
    /// <see cref="Fingerprints.RouteKey"/>. Appends at most one transition.
    /// </summary>
    public void Apply(in TelemetryRecord record, ulong routeKey, int sortIndex, List<AlertTransition> output)
    {
        long ts = record.Timestamp;
        AlertState? alert;
        bool byKey = record.DedupKey is { Length: > 0 };
        if (byKey)
        {
            _byKey.TryGetValue(record.DedupKey!, out alert);
        }
        else
        {
            _byHash.TryGetValue(routeKey, out alert);
        }

        if (alert is null)
        {
            if (record.Status == AlertStatus.Resolved)
            {
                OrphanResolves++;
                return;
            }

            alert = new AlertState(byKey ? record.DedupKey! : Fingerprints.DerivedText(routeKey), _nextSeq++, byKey ? null : routeKey)
            {
                Source = record.Source,
                Ci = record.Ci,
                Check = record.Check,
                Severity = record.Severity,
                Status = AlertStatus.Firing,
                FirstSeen = ts,
                LastSeen = ts,
                Count = 1,
                Message = record.Message,
                Labels = record.Labels,
                StatusChangedAt = ts,
            };
            if (byKey)
            {
                _byKey.Add(alert.Fingerprint, alert);
            }
            else
            {
                _byHash.Add(routeKey, alert);
            }

            Created++;
            ScheduleTimer(alert);
            output.Add(new AlertTransition(AlertChange.Fired, alert.Snapshot(ts), sortIndex, ts));
            return;
        }

        alert.Count++;
        alert.LastSeen = Math.Max(alert.LastSeen, ts);
        alert.Message = record.Message ?? alert.Message;
        if (record.Status == AlertStatus.Firing)
        {
            // A repeat may raise or lower the severity: the latest report wins.
            alert.Severity = record.Severity;
            alert.Labels = record.Labels;
        }

        AlertChange change;
        if (record.Status == alert.Status)
        {
            change = AlertChange.Repeated;
        }
        else
        {
            alert.Status = record.Status;
            alert.StatusChangedAt = ts;
            bool wasFlapping = alert.Flapping;
            // Once flapping, every further change keeps it flapping; it ends on a quiet flap window.
            alert.Flapping = alert.RecordStateChange(ts, _options.FlapThreshold, _flapWindowMs) || wasFlapping;
            change = alert.Flapping
                ? (wasFlapping ? AlertChange.FlappingUpdate : AlertChange.FlappingStarted)
                : (record.Status == AlertStatus.Firing ? AlertChange.Fired : AlertChange.Resolved);
        }

        ScheduleTimer(alert);
        output.Add(new AlertTransition(change, alert.Snapshot(ts), sortIndex, ts));
    }

    /// <summary>
    /// Fires the timers due at or before <paramref name="watermark"/>: stale alerts resolve, flapping
    /// alerts that calmed down leave flapping. Output is ordered by due time, then fingerprint.
    /// </summary>
    public void AdvanceTo(long watermark, List<AlertTransition> output)
    {
        _fired.Clear();
        while (_timers.TryPeek(out var alert, out var entry) && entry.Due <= watermark)
        {
            _timers.Dequeue();
            alert.QueuedDue = long.MaxValue;
            long due = alert.NextDue(_staleAfterMs, _flapWindowMs, _retentionMs);
            if (due > entry.Due)
            {
                // The alert was refreshed after this entry was queued: requeue at its real due time.
                ScheduleTimer(alert);
                continue;
            }

            if (alert.Flapping && alert.StatusChangedAt + _flapWindowMs <= entry.Due)
            {
                alert.Flapping = false;
                _fired.Add(new AlertTransition(AlertChange.FlappingEnded, alert.Snapshot(entry.Due), AlertTransition.TimerIndex, entry.Due));
            }
            else if (alert.Status == AlertStatus.Firing)
            {
                alert.Status = AlertStatus.Resolved;
                alert.Flapping = false;
                alert.StatusChangedAt = entry.Due;
                _fired.Add(new AlertTransition(AlertChange.StaleResolved, alert.Snapshot(entry.Due), AlertTransition.TimerIndex, entry.Due));
            }
            else
            {
                // Resolved and quiet for the retention period: forget it.
                if (alert.Hash is { } hash)
                {
                    _byHash.Remove(hash);
                }
                else
                {
                    _byKey.Remove(alert.Fingerprint);
                }

                continue;
            }

            ScheduleTimer(alert);
        }

        _fired.Sort(AlertTransition.Compare);
        output.AddRange(_fired);
    }

    private void ScheduleTimer(AlertState alert)
    {
        long due = alert.NextDue(_staleAfterMs, _flapWindowMs, _retentionMs);
        if (due < alert.QueuedDue)
        {
            // An earlier entry replaces a later one logically; the later one is skipped when popped.
            alert.QueuedDue = due;
            _timers.Enqueue(alert, (due, alert.Seq));
        }
    }

    /// <summary>Mutable state of one alert, owned by its shard.</summary>
    private sealed class AlertState(string fingerprint, long seq, ulong? hash)
    {
        private long[]? _changes;
        private int _changeCount;

        public string Fingerprint { get; } = fingerprint;
        public long Seq { get; } = seq;

        /// <summary>The derived fingerprint's hash (its key in the store); null for a dedup_key.</summary>
        public ulong? Hash { get; } = hash;
        public string? Source { get; init; }
        public string? Ci { get; init; }
        public string? Check { get; init; }
        public Severity Severity { get; set; }
        public AlertStatus Status { get; set; }
        public bool Flapping { get; set; }
        public long FirstSeen { get; init; }
        public long LastSeen { get; set; }
        public long Count { get; set; }
        public string? Message { get; set; }
        public LabelSet Labels { get; set; }
        public long StatusChangedAt { get; set; }
        public long QueuedDue { get; set; } = long.MaxValue;

        /// <summary>The next time a timer matters: end of flapping, staleness while firing, else forgetting.</summary>
        public long NextDue(long staleAfterMs, long flapWindowMs, long retentionMs) =>
            Flapping ? StatusChangedAt + flapWindowMs
            : Status == AlertStatus.Firing ? LastSeen + staleAfterMs
            : Math.Max(StatusChangedAt, LastSeen) + retentionMs;

        /// <summary>Records a state change in a ring of the last <paramref name="threshold"/> change times; true when they all fall in the window.</summary>
        public bool RecordStateChange(long ts, int threshold, long windowMs)
        {
            _changes ??= new long[threshold];
            _changes[_changeCount % threshold] = ts;
            _changeCount++;
            if (_changeCount < threshold)
            {
                return false;
            }

            // The oldest of the last `threshold` changes sits at the next write position.
            long oldest = _changes[_changeCount % threshold];
            return ts - oldest <= windowMs;
        }

        public AlertSnapshot Snapshot(long changedAt) =>
            new(Fingerprint, Source, Ci, Check, Severity, Status, Flapping, FirstSeen, LastSeen, Count, changedAt, Message, Labels);
    }
}
