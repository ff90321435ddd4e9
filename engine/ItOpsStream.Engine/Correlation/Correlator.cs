using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Correlation;

/// <summary>Counters of the correlator.</summary>
internal readonly record struct CorrelatorStats(long Opened, long Merged, long Suppressed, int Live, int TrackedAlerts, long Inhibited = 0);

/// <summary>
/// Groups alerts into incidents over the topology, and runs the incident lifecycle. A single
/// writer: the pipeline's correlation stage is its only caller, so it holds all incident state
/// without locks. Why one thread: an incident can span any part of the topology, and joining or
/// merging needs a consistent view of every open incident; the scale-out path is to partition
/// alerts by correlation domain (connected part of the topology), one correlator per domain.
/// </summary>
/// <remarks>
/// Per batch the caller feeds <see cref="OnChange"/> and <see cref="OnAlert"/> in input order, then
/// calls <see cref="AdvanceTo"/>, which closes what the watermark allows and writes one record per
/// incident that really changed in the batch (repeats alone are written with the next real change,
/// and at the end of input). Output depends only on the input order: every iteration over state
/// that reaches the output is ordered by creation sequence or by ordinal string order.
/// </remarks>
internal sealed partial class Correlator
{
    private readonly CorrelationOptions _options;
    private readonly ITopologyProvider _topology;
    private readonly ICorrelationRules? _rules;
    private readonly IInhibitionRules? _inhibition;
    private readonly IRootCauseScorer _scorer;
    private readonly long _windowMs;
    private readonly long _graceMs;
    private readonly long _lookbackMs;
    private readonly long _upstreamLagMs;
    private readonly Dictionary<string, TrackedAlert> _alerts = new(StringComparer.Ordinal);
    // The alerts of live incidents by CI: where a new alert looks for related ones.
    private readonly Dictionary<string, List<TrackedAlert>> _liveByCi = new(StringComparer.Ordinal);
    private readonly List<IncidentState> _live = [];
    private readonly List<IncidentState> _dirty = [];
    private readonly ChangeLog _changes;
    private TopologyGraph _graph;
    private long _seq;
    private long _opened;
    private long _merged;
    private long _suppressed;
    private long _inhibited;

    public Correlator(CorrelationOptions options, ITopologyProvider topology, ICorrelationRules? rules = null, IRootCauseScorer? scorer = null)
    {
        _options = options.Validate();
        _topology = topology;
        _rules = rules;
        _inhibition = rules as IInhibitionRules;
        _scorer = scorer ?? new RootCauseScorer(options.RootCause);
        _graph = topology.Current;
        _windowMs = (long)options.Window.TotalMilliseconds;
        _graceMs = (long)options.ReopenGrace.TotalMilliseconds;
        _lookbackMs = (long)options.ChangeLookback.TotalMilliseconds;
        _upstreamLagMs = (long)options.UpstreamLag.TotalMilliseconds;
        _changes = new ChangeLog(options.MaxChangesPerCi);
        _alertingElsewhere = IsAlerting;
    }

    private readonly Func<int, bool> _alertingElsewhere;

    // Counts AdvanceTo calls: a ranking cached in one pass (separation) serves the records of the same pass.
    private long _pass;

    /// <summary>Whether a CI has an active alert in a live incident (the root-cause ranking's view of "not silent").</summary>
    private bool IsAlerting(int node)
    {
        if (!_liveByCi.TryGetValue(_graph.GetId(node), out var alerts))
        {
            return false;
        }

        foreach (var alert in alerts)
        {
            if (alert.Active && alert.Incident is { Phase: IncidentPhase.Open })
            {
                return true;
            }
        }

        return false;
    }

    public CorrelatorStats Stats => new(_opened, _merged, _suppressed, _live.Count, _alerts.Count, _inhibited);

    /// <summary>Keeps a change record; an open incident on that CI lists it at its next record.</summary>
    public void OnChange(in TelemetryRecord change)
    {
        if (!_changes.Add(change))
        {
            return;
        }

        if (_liveByCi.TryGetValue(change.Ci!, out var alerts))
        {
            foreach (var alert in alerts)
            {
                if (alert.Incident is { } incident && change.Timestamp >= incident.OpenedAt - _lookbackMs)
                {
                    MarkDirty(incident, change.Timestamp);
                }
            }
        }
    }

    /// <summary>Applies one alert change from the dedup stage.</summary>
    public void OnAlert(in AlertTransition transition)
    {
        var snapshot = transition.Alert;
        _inhibition?.Observe(snapshot);
        if (!_alerts.TryGetValue(snapshot.Fingerprint, out var alert))
        {
            if (transition.Change is not (AlertChange.Fired or AlertChange.FlappingStarted))
            {
                // Not firing and in no incident (its incident closed, or it was suppressed and forgotten): nothing to do.
                return;
            }

            alert = new TrackedAlert(snapshot.Fingerprint);
            _alerts.Add(snapshot.Fingerprint, alert);
        }

        var previous = alert.Snapshot;
        alert.Snapshot = snapshot;
        ResolveNode(alert);
        var incident = alert.Incident;
        long t = snapshot.ChangedAt;
        if (incident is { Phase: IncidentPhase.Resolved } && !IsLive(incident, t))
        {
            // Past its grace period already (the watermark has not closed it yet): close it now, so
            // this alert starts afresh instead of reopening an incident that is over.
            Close(incident);
            incident = null;
            alert.Incident = null;
            _alerts[alert.Fingerprint] = alert;
        }
        switch (transition.Change)
        {
            case AlertChange.Fired:
            case AlertChange.FlappingStarted:
                if (incident is null)
                {
                    Place(alert, t);
                }
                else if (incident.Phase == IncidentPhase.Resolved)
                {
                    Reopen(incident, $"alert {alert.Fingerprint} fired again {Seconds(t - incident.ResolvedAt!.Value)} after the incident resolved", t);
                }
                else
                {
                    if (transition.Change == AlertChange.FlappingStarted)
                    {
                        incident.Explanation.Add($"alert {alert.Fingerprint} is flapping: its state changes no longer resolve or reopen the incident");
                    }

                    Touch(incident, t);
                }

                break;

            case AlertChange.Repeated:
            case AlertChange.FlappingUpdate:
                if (incident is not null)
                {
                    incident.InvalidateView();
                    if (previous.Severity != snapshot.Severity)
                    {
                        MarkDirty(incident, t);
                    }
                    else
                    {
                        incident.RepeatPending = true;
                        incident.UpdatedAt = Math.Max(incident.UpdatedAt, t);
                    }
                }

                break;

            default:
                // Resolved, StaleResolved, FlappingEnded.
                if (incident is null && !alert.Active)
                {
                    // A suppressed alert that stopped: nothing refers to it any more.
                    _alerts.Remove(alert.Fingerprint);
                }
                else if (incident is not null)
                {
                    if (transition.Change == AlertChange.StaleResolved)
                    {
                        incident.Explanation.Add($"alert {alert.Fingerprint} resolved as stale: nothing heard for {Seconds(t - snapshot.LastSeen)}");
                    }

                    Touch(incident, t);
                    if (incident.Phase == IncidentPhase.Open && !incident.AnyActive())
                    {
                        incident.Phase = IncidentPhase.Resolved;
                        incident.ResolvedAt = t;
                    }
                }

                break;
        }
    }

    /// <summary>
    /// Moves event time to <paramref name="watermark"/>: incidents resolved longer than the grace
    /// period close, and every incident changed since the last call gets its record(s). With
    /// <paramref name="final"/> (end of input) pending repeat-only changes are written too.
    /// </summary>
    public void AdvanceTo(long watermark, bool final, List<IncidentRecord> output)
    {
        if (final)
        {
            foreach (var incident in _live)
            {
                if (incident.RepeatPending)
                {
                    MarkDirty(incident, incident.UpdatedAt);
                }
            }
        }

        _pass++;
        SeparateUnexplained();
        _dirty.Sort(static (a, b) => a.Seq.CompareTo(b.Seq));
        foreach (var incident in _dirty)
        {
            incident.Queued = false;
            Emit(incident, output);
        }

        _dirty.Clear();
        _live.RemoveAll(incident =>
        {
            if (incident.Phase is IncidentPhase.Merged or IncidentPhase.Closed)
            {
                return true;
            }

            if (incident.Phase == IncidentPhase.Resolved && incident.ResolvedAt!.Value + _graceMs <= watermark)
            {
                Close(incident);
                return true;
            }

            return false;
        });

        if (watermark != long.MinValue)
        {
            _changes.Prune(watermark - _lookbackMs - _windowMs);
        }

        // A new topology snapshot applies from the next batch on.
        _graph = _topology.Current;
    }

    private void ResolveNode(TrackedAlert alert)
    {
        if (alert.NodeVersion != _graph.Version)
        {
            alert.Node = alert.Snapshot.Ci is { } ci && _graph.TryGetNode(ci, out int node) ? node : -1;
            alert.NodeVersion = _graph.Version;
        }
    }

    private void Place(TrackedAlert alert, long t)
    {
        if (_rules is not null && _rules.IsSuppressed(alert.Snapshot))
        {
            alert.Suppressed = true;
            _suppressed++;
            return;
        }

        alert.Suppressed = false;
        if (_inhibition?.FindInhibitor(alert.Snapshot) is { } inhibitor && Inhibit(alert, inhibitor, t))
        {
            return;
        }

        var decision = Decide(alert, t);
        if (decision.Best is not { } best)
        {
            Open(alert, t);
            return;
        }

        var target = best.Incident;
        if (decision.MergeWith.Count > 0)
        {
            target = MergeAll(decision.MergeWith, alert, t);
        }

        Join(target, alert, best, t);
    }

    /// <summary>
    /// An inhibited alert joins its source's live incident, marked inhibited; with no such incident
    /// (the source is suppressed itself) it is treated as suppressed. Returns false to place it normally.
    /// </summary>
    private bool Inhibit(TrackedAlert alert, Inhibitor inhibitor, long t)
    {
        _inhibited++;
        alert.Inhibited = true;
        if (_alerts.TryGetValue(inhibitor.SourceFingerprint, out var source) && source.Incident is { Phase: IncidentPhase.Open or IncidentPhase.Resolved } incident)
        {
            AddMember(incident, alert);
            incident.Explanation.Add($"alert {alert.Fingerprint} joined inhibited by alert {inhibitor.SourceFingerprint} (rule {inhibitor.Rule}): {inhibitor.Reason}; it does not raise the priority");
            Touch(incident, t);
            return true;
        }

        alert.Suppressed = true;
        return true;
    }

    private void Open(TrackedAlert alert, long t)
    {
        var incident = NewIncident(alert, t);
        AddMember(incident, alert);
        var s = alert.Snapshot;
        incident.Explanation.Add(alert.Node >= 0
            ? $"alert {alert.Fingerprint} opened the incident: {s.Check ?? "alert"} on {s.Ci}"
            : $"alert {alert.Fingerprint} opened the incident: {s.Check ?? "alert"} on {(s.Ci is null ? "no CI" : s.Ci + ", a CI unknown to the topology")}");
        MarkDirty(incident, t);
    }

    private IncidentState NewIncident(TrackedAlert opener, long t)
    {
        var incident = new IncidentState(IncidentIds.Create(opener.Fingerprint, t), _seq++, t)
        {
            LastActivity = t,
            UpdatedAt = t,
        };
        _live.Add(incident);
        _opened++;
        return incident;
    }

    private void Join(IncidentState incident, TrackedAlert alert, Link link, long t)
    {
        bool reopen = incident.Phase == IncidentPhase.Resolved;
        AddMember(incident, alert);
        incident.Explanation.Add($"alert {alert.Fingerprint} joined: {Describe(alert, link)}, {Relative(alert.Snapshot.FirstSeen - link.Other.Snapshot.FirstSeen)}");
        if (reopen)
        {
            Reopen(incident, $"alert {alert.Fingerprint} joined {Seconds(t - incident.ResolvedAt!.Value)} after the incident resolved", t);
        }
        else
        {
            Touch(incident, t);
        }
    }

    private void Reopen(IncidentState incident, string why, long t)
    {
        incident.Phase = IncidentPhase.Open;
        incident.ResolvedAt = null;
        incident.Explanation.Add(why + ": reopened");
        Touch(incident, t);
    }

    /// <summary>Merges incidents into the one opened first; returns the survivor.</summary>
    private IncidentState MergeAll(List<IncidentState> incidents, TrackedAlert cause, long t)
    {
        incidents.Sort(static (a, b) => a.OpenedAt != b.OpenedAt ? a.OpenedAt.CompareTo(b.OpenedAt) : a.Seq.CompareTo(b.Seq));
        var survivor = incidents[0];
        for (int i = 1; i < incidents.Count; i++)
        {
            var absorbed = incidents[i];
            foreach (var member in absorbed.Members)
            {
                survivor.Add(member);
            }

            survivor.Explanation.Add($"incident {absorbed.Id} merged in: alert {cause.Fingerprint} on {cause.Snapshot.Ci} connects it to this incident");
            survivor.Explanation.AddRange(absorbed.Explanation);
            survivor.Changes.UnionWith(absorbed.Changes);
            survivor.LastActivity = Math.Max(survivor.LastActivity, absorbed.LastActivity);
            absorbed.Clear();
            absorbed.Phase = IncidentPhase.Merged;
            absorbed.MergedInto = survivor.Id;
            absorbed.ResolvedAt = t;
            MarkDirty(absorbed, t);
            _merged++;
        }

        if (survivor.Phase == IncidentPhase.Resolved && survivor.AnyActive())
        {
            Reopen(survivor, $"incidents merged in with firing alerts {Seconds(t - survivor.ResolvedAt!.Value)} after it resolved", t);
        }

        return survivor;
    }

    private void Close(IncidentState incident)
    {
        incident.Phase = IncidentPhase.Closed;
        foreach (var member in incident.Members)
        {
            // Forget the alert: if it fires again, it starts a new incident.
            _alerts.Remove(member.Fingerprint);
            if (_liveByCi.TryGetValue(member.CiKey, out var list) && list.Remove(member) && list.Count == 0)
            {
                _liveByCi.Remove(member.CiKey);
            }
        }
    }

    private void AddMember(IncidentState incident, TrackedAlert alert)
    {
        incident.Add(alert);
        if (!_liveByCi.TryGetValue(alert.CiKey, out var list))
        {
            _liveByCi[alert.CiKey] = list = [];
        }

        list.Add(alert);
    }

    private void Touch(IncidentState incident, long t)
    {
        incident.LastActivity = Math.Max(incident.LastActivity, t);
        MarkDirty(incident, t);
    }

    private void MarkDirty(IncidentState incident, long t)
    {
        incident.InvalidateView();
        incident.UpdatedAt = Math.Max(incident.UpdatedAt, t);
        incident.Dirty = true;
        if (!incident.Queued)
        {
            incident.Queued = true;
            _dirty.Add(incident);
        }
    }

    private static string Seconds(long ms) => $"{Math.Round(ms / 1000.0).ToString(System.Globalization.CultureInfo.InvariantCulture)} s";

    private static string Relative(long ms) => ms >= 0 ? Seconds(ms) + " after" : Seconds(-ms) + " before";
}
