using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Incidents;

/// <summary>Where an incident is in its lifecycle.</summary>
internal enum IncidentPhase : byte
{
    Open = 0,

    /// <summary>All alerts resolved; may still reopen within the grace period.</summary>
    Resolved = 1,

    /// <summary>Absorbed by another incident; terminal.</summary>
    Merged = 2,

    /// <summary>Resolved and past the grace period; forgotten after its last record.</summary>
    Closed = 3,
}

/// <summary>An alert as the correlator tracks it: its latest snapshot, its topology node and its incident.</summary>
internal sealed class TrackedAlert(string fingerprint)
{
    public string Fingerprint { get; } = fingerprint;

    public AlertSnapshot Snapshot { get; set; }

    /// <summary>The CI id, or "" when the record had none (grouped like an unknown CI).</summary>
    public string CiKey => Snapshot.Ci ?? string.Empty;

    /// <summary>Topology node of the CI, or -1 when unknown; valid for <see cref="NodeVersion"/>.</summary>
    public int Node { get; set; } = -1;

    public long NodeVersion { get; set; } = long.MinValue;

    public IncidentState? Incident { get; set; }

    /// <summary>Suppressed by rules: tracked, but in no incident.</summary>
    public bool Suppressed { get; set; }

    /// <summary>Inhibited by a rule: in its source's incident, but it does not raise the priority.</summary>
    public bool Inhibited { get; set; }

    /// <summary>Firing, or flapping (a flapping alert counts as firing until it calms down).</summary>
    public bool Active => Snapshot.Status == AlertStatus.Firing || Snapshot.Flapping;
}

/// <summary>The mutable state of one incident, owned by the correlator (single writer).</summary>
internal sealed class IncidentState(string id, long seq, long openedAt) : IIncidentView
{
    private readonly List<TrackedAlert> _alerts = [];
    private AlertSnapshot[]? _view;
    private int _rootNode = -1;
    private long _rootGraphVersion = long.MinValue;
    private IReadOnlyList<RootCauseCandidate> _ranking = [];
    private long _rankedAt = long.MinValue;
    private long _rankedPass = long.MinValue;

    public string Id { get; } = id;

    /// <summary>Creation order, the last tie-break of every ordering.</summary>
    public long Seq { get; } = seq;

    public long OpenedAt { get; } = openedAt;

    public IncidentPhase Phase { get; set; }

    public long? ResolvedAt { get; set; }

    /// <summary>Latest event time at which an alert of the incident fired, resolved or joined.</summary>
    public long LastActivity { get; set; }

    /// <summary>Event time of the latest change reflected in the next record.</summary>
    public long UpdatedAt { get; set; }

    public long Version { get; set; }

    /// <summary>The phase as of the last emitted record; null before the first.</summary>
    public IncidentPhase? EmittedPhase { get; set; }

    /// <summary>A change worth a record happened since the last one.</summary>
    public bool Dirty { get; set; }

    /// <summary>Only counts and last_seen changed since the last record (written at the next real change or at the end).</summary>
    public bool RepeatPending { get; set; }

    public string? MergedInto { get; set; }

    /// <summary>In the correlator's list of incidents to write at the end of the batch.</summary>
    public bool Queued { get; set; }

    /// <summary>Suspect changes found so far; kept here so pruning the change log loses none.</summary>
    public HashSet<ChangeEntry> Changes { get; } = [];

    public List<string> Explanation { get; } = [];

    public IReadOnlyList<TrackedAlert> Members => _alerts;

    IReadOnlyList<AlertSnapshot> IIncidentView.Alerts => _view ??= _alerts.Select(a => a.Snapshot).ToArray();

    public void Add(TrackedAlert alert)
    {
        _alerts.Add(alert);
        alert.Incident = this;
        _view = null;
        _rootGraphVersion = long.MinValue;
    }

    public void Remove(TrackedAlert alert)
    {
        _alerts.Remove(alert);
        alert.Incident = null;
        _view = null;
        _rootGraphVersion = long.MinValue;
    }

    public void Clear()
    {
        _alerts.Clear();
        _view = null;
        _rootGraphVersion = long.MinValue;
    }

    /// <summary>The node of the best root-cause candidate, if ranked since the membership last changed on this topology version.</summary>
    public bool TryGetRoot(long graphVersion, out int node)
    {
        node = _rootNode;
        return _rootGraphVersion == graphVersion && graphVersion != long.MinValue;
    }

    /// <summary>
    /// The whole ranking, if made in the same correlator pass (<paramref name="pass"/>: no alert or change
    /// arrived since), since the membership last changed, on this topology version, at event time <paramref name="at"/>.
    /// </summary>
    public bool TryGetRanking(long graphVersion, long pass, long at, out IReadOnlyList<RootCauseCandidate> ranking)
    {
        ranking = _ranking;
        return TryGetRoot(graphVersion, out _) && _rankedPass == pass && _rankedAt == at;
    }

    /// <summary>Remembers a ranking made in correlator pass <paramref name="pass"/> at event time <paramref name="at"/>, and its best candidate's node.</summary>
    public void CacheRanking(IReadOnlyList<RootCauseCandidate> ranking, int rootNode, long graphVersion, long pass, long at)
    {
        _ranking = ranking;
        _rankedPass = pass;
        _rankedAt = at;
        _rootNode = rootNode;
        _rootGraphVersion = graphVersion;
    }

    public void InvalidateView() => _view = null;

    public bool AnyActive()
    {
        foreach (var alert in _alerts)
        {
            if (alert.Active)
            {
                return true;
            }
        }

        return false;
    }
}
