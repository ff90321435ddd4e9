using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Correlation;

internal sealed partial class Correlator
{
    private readonly List<ChangeEntry> _found = [];

    /// <summary>
    /// Writes the record(s) of one changed incident: <c>open</c> the first time (then <c>resolve</c>
    /// if it already resolved in the same batch), <c>resolve</c>/<c>reopen</c> when its phase flipped,
    /// <c>merge</c> when absorbed (nothing if it was never written), else <c>update</c>.
    /// </summary>
    private void Emit(IncidentState incident, List<IncidentRecord> output)
    {
        if (!incident.Dirty && !incident.RepeatPending)
        {
            return;
        }

        incident.Dirty = false;
        incident.RepeatPending = false;
        if (incident.Phase == IncidentPhase.Merged)
        {
            if (incident.EmittedPhase is not null)
            {
                output.Add(Build(incident, IncidentAction.Merge));
                incident.EmittedPhase = IncidentPhase.Merged;
            }

            return;
        }

        // A closed incident is one that resolved: its last record says so.
        var phase = incident.Phase == IncidentPhase.Closed ? IncidentPhase.Resolved : incident.Phase;
        if (incident.EmittedPhase is null)
        {
            output.Add(Build(incident, IncidentAction.Open, openRecord: true));
            if (phase == IncidentPhase.Resolved)
            {
                output.Add(Build(incident, IncidentAction.Resolve));
            }
        }
        else if (incident.EmittedPhase != phase)
        {
            output.Add(Build(incident, phase == IncidentPhase.Resolved ? IncidentAction.Resolve : IncidentAction.Reopen));
        }
        else
        {
            output.Add(Build(incident, IncidentAction.Update));
        }

        incident.EmittedPhase = phase;
    }

    private IncidentRecord Build(IncidentState incident, IncidentAction action, bool openRecord = false)
    {
        incident.Version++;
        var graph = _graph;
        var members = incident.Members;

        var alerts = new IncidentAlert[members.Count];
        for (int i = 0; i < members.Count; i++)
        {
            var s = members[i].Snapshot;
            alerts[i] = new IncidentAlert(s.Fingerprint, s.Ci, s.Check, s.Severity, s.Status, s.FirstSeen, s.LastSeen, s.Count, s.Flapping) { Inhibited = members[i].Inhibited, Labels = s.Labels };
        }

        Array.Sort(alerts, static (a, b) => a.FirstSeen != b.FirstSeen ? a.FirstSeen.CompareTo(b.FirstSeen) : string.CompareOrdinal(a.Fingerprint, b.Fingerprint));

        // Impacted services and their criticality; urgency from the severities (inhibited alerts never raise it).
        var impacted = new SortedSet<string>(StringComparer.Ordinal);
        Criticality? highest = null;
        var activeSeverity = Severity.Info;
        var anySeverity = Severity.Info;
        bool anyActive = false;
        foreach (var member in members)
        {
            var s = member.Snapshot;
            if (member.Active && !member.Inhibited)
            {
                anyActive = true;
                activeSeverity = Max(activeSeverity, s.Severity);
            }

            anySeverity = member.Inhibited ? anySeverity : Max(anySeverity, s.Severity);
        }

        var ordered = AlertingCis(incident);
        foreach (var ci in ordered)
        {
            if (ci.Node >= 0)
            {
                foreach (int service in graph.ImpactedBusinessServices(ci.Node))
                {
                    if (impacted.Add(graph.GetId(service)))
                    {
                        var criticality = graph.GetCi(service).Criticality;
                        highest = highest is null || criticality > highest ? criticality : highest;
                    }
                }
            }
        }

        // Suspect changes: on the incident's CIs, from ChangeLookback before it opened until now; kept on the
        // incident so pruning the change log loses none.
        var changes = SuspectChanges(incident, ordered, incident.UpdatedAt);
        incident.Changes.UnionWith(changes);

        // Separation ranked the incident in this pass already, unless its membership changed since.
        var rootCause = incident.TryGetRanking(graph.Version, _pass, incident.UpdatedAt, out var ranked) ? ranked : Rank(incident, ordered, changes, incident.UpdatedAt);
        string? cmdbCi = rootCause.Count > 0 && rootCause[0].Ci.Length > 0 ? rootCause[0].Ci : null;
        int impact = IncidentPriority.Impact(highest);
        int urgency = IncidentPriority.Urgency(anyActive ? activeSeverity : anySeverity);
        var services = impacted.ToArray();
        return new IncidentRecord
        {
            IncidentId = incident.Id,
            Version = incident.Version,
            Action = action,
            OpenedAt = incident.OpenedAt,
            UpdatedAt = incident.UpdatedAt,
            ResolvedAt = openRecord ? null : incident.ResolvedAt,
            Title = Title(graph, incident, rootCause, ordered, alerts.Length, services),
            Priority = IncidentPriority.Priority(impact, urgency, _options.PriorityMatrix),
            Impact = impact,
            Urgency = urgency,
            RootCause = rootCause,
            ImpactedServices = services,
            CmdbCi = cmdbCi,
            AssignmentGroup = AssignmentGroup(graph, rootCause, ordered),
            Alerts = alerts,
            Changes = changes.Select(c => new IncidentChange(c.ChangeId, c.Ci, c.Timestamp)).ToArray(),
            Explanation = incident.Explanation.ToArray(),
            MergedInto = incident.MergedInto,
        };
    }

    /// <summary>"db:orders Down — 7 alerts on 5 CIs, Online Store impacted" (CONTRACTS §3).</summary>
    private static string Title(TopologyGraph graph, IncidentState incident, IReadOnlyList<RootCauseCandidate> rootCause, List<RootCauseCi> cis, int alertCount, string[] services)
    {
        if (incident.Phase == IncidentPhase.Merged)
        {
            return $"merged into {incident.MergedInto}";
        }

        string subject;
        if (rootCause.Count > 0)
        {
            var top = rootCause[0].Ci;
            var check = cis.First(c => string.Equals(c.Ci, top, StringComparison.Ordinal)).Check;
            subject = $"{(top.Length == 0 ? "(no CI)" : top)} {check ?? "alerting"}";
        }
        else
        {
            subject = "no alerts";
        }

        string title = $"{subject} — {alertCount} alert{(alertCount == 1 ? "" : "s")} on {cis.Count} CI{(cis.Count == 1 ? "" : "s")}";
        if (services.Length > 0)
        {
            var names = services.Take(2).Select(id => graph.TryGetNode(id, out int node) ? graph.GetCi(node).Name ?? id : id).ToList();
            string list = services.Length <= 2 ? string.Join(" and ", names) : $"{names[0]}, {names[1]} and {services.Length - 2} more";
            title += $", {list} impacted";
        }

        return title;
    }

    /// <summary>The owner of the top root cause, else the first owner found down the ranking, then among the alerting CIs.</summary>
    private static string? AssignmentGroup(TopologyGraph graph, IReadOnlyList<RootCauseCandidate> rootCause, List<RootCauseCi> cis)
    {
        foreach (var candidate in rootCause)
        {
            if (graph.TryGetNode(candidate.Ci, out int node) && graph.GetCi(node).Owner is { Length: > 0 } owner)
            {
                return owner;
            }
        }

        foreach (var ci in cis)
        {
            if (ci.Node >= 0 && graph.GetCi(ci.Node).Owner is { Length: > 0 } owner)
            {
                return owner;
            }
        }

        return null;
    }

    /// <summary>
    /// The incident's alerting CIs as the root-cause ranking sees them: per CI its earliest alert and highest
    /// severity, ordered by first alert then id; with <paramref name="candidate"/>, as if that alert had joined.
    /// </summary>
    private List<RootCauseCi> AlertingCis(IncidentState incident, TrackedAlert? candidate = null)
    {
        var cis = new Dictionary<string, RootCauseCi>(StringComparer.Ordinal);
        foreach (var member in incident.Members)
        {
            Fold(cis, member);
        }

        if (candidate is not null)
        {
            Fold(cis, candidate);
        }

        var ordered = cis.Values.ToList();
        ordered.Sort(static (a, b) => a.FirstSeen != b.FirstSeen ? a.FirstSeen.CompareTo(b.FirstSeen) : string.CompareOrdinal(a.Ci, b.Ci));
        return ordered;
    }

    private void Fold(Dictionary<string, RootCauseCi> cis, TrackedAlert alert)
    {
        var s = alert.Snapshot;
        ResolveNode(alert);
        cis[alert.CiKey] = cis.TryGetValue(alert.CiKey, out var ci)
            ? ci with
            {
                Severity = Max(ci.Severity, s.Severity),
                FirstSeen = Math.Min(ci.FirstSeen, s.FirstSeen),
                Check = s.FirstSeen < ci.FirstSeen ? s.Check : ci.Check,
                AlertCount = ci.AlertCount + 1,
            }
            : new RootCauseCi(alert.CiKey, alert.Node, s.Severity, s.FirstSeen, s.Check, 1);
    }

    /// <summary>
    /// The topology node of the incident's best root-cause candidate as of event time <paramref name="now"/>
    /// (-1 when it is a CI unknown to the topology); cached until the membership or the topology changes.
    /// </summary>
    private int RootNode(IncidentState incident, long now)
    {
        if (incident.TryGetRoot(_graph.Version, out int node))
        {
            return node;
        }

        var cis = AlertingCis(incident);
        Rank(incident, cis, SuspectChanges(incident, cis, now), now);
        incident.TryGetRoot(_graph.Version, out node);
        return node;
    }

    /// <summary>The CI the root-cause ranking puts first among <paramref name="cis"/> of the incident at <paramref name="now"/>.</summary>
    private string? TopCandidate(IncidentState incident, List<RootCauseCi> cis, long now)
    {
        var ranked = Score(incident, cis, SuspectChanges(incident, cis, now), now);
        return ranked.Count > 0 ? ranked[0].Ci : null;
    }

    /// <summary>Ranks the incident's own CIs at <paramref name="now"/> and caches the ranking on it for this pass.</summary>
    private IReadOnlyList<RootCauseCandidate> Rank(IncidentState incident, List<RootCauseCi> cis, List<ChangeEntry> changes, long now)
    {
        var ranked = Score(incident, cis, changes, now);
        incident.CacheRanking(ranked, ranked.Count > 0 && _graph.TryGetNode(ranked[0].Ci, out int node) ? node : -1, _graph.Version, _pass, now);
        return ranked;
    }

    private IReadOnlyList<RootCauseCandidate> Score(IncidentState incident, List<RootCauseCi> cis, List<ChangeEntry> changes, long now) =>
        cis.Count == 0 ? [] : _scorer.Rank(new RootCauseContext(_graph, cis, changes, incident.OpenedAt, _options) { Now = now, AlertingElsewhere = _alertingElsewhere });

    /// <summary>The incident's suspect changes so far plus those on <paramref name="cis"/> up to <paramref name="now"/>, oldest first.</summary>
    private List<ChangeEntry> SuspectChanges(IncidentState incident, List<RootCauseCi> cis, long now)
    {
        var changes = new HashSet<ChangeEntry>(incident.Changes);
        foreach (var ci in cis)
        {
            _found.Clear();
            _changes.Find(ci.Ci, incident.OpenedAt - _lookbackMs, now, _found);
            changes.UnionWith(_found);
        }

        var list = changes.ToList();
        list.Sort(static (a, b) => a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp)
            : string.CompareOrdinal(a.ChangeId, b.ChangeId) is var c && c != 0 ? c : string.CompareOrdinal(a.Ci, b.Ci));
        return list;
    }

    private static Severity Max(Severity a, Severity b) => a > b ? a : b;
}
