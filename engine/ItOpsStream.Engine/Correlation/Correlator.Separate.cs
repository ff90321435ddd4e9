using ItOpsStream.Engine.Incidents;

namespace ItOpsStream.Engine.Correlation;

internal sealed partial class Correlator
{
    private readonly List<TrackedAlert> _separated = [];
    private readonly List<IncidentState> _changed = [];

    private bool SiblingLinks => _options.SharedDependencyMaxDependents > 0 || _options.BusinessServiceMaxHops > 0;

    /// <summary>
    /// An incident is one cause and what follows from it. Before records are written, each changed
    /// open incident is ranked; an alert on a CI its most likely root depends on cannot be a symptom
    /// of that root, and ranks below it as a cause: it fired near the incident by coincidence (a
    /// warning on a shared database, a host, a platform CI) or it is another fault. Such alerts
    /// leave the incident and open their own (alerts on one CI together), with the reason in both.
    /// With sibling links on (shared dependency, business service), an incident may hold CIs beside its
    /// root on purpose: then only alerts upstream of the root leave.
    /// </summary>
    private void SeparateUnexplained()
    {
        _changed.Clear();
        _changed.AddRange(_dirty);
        foreach (var incident in _changed)
        {
            if (incident.Phase != IncidentPhase.Open || incident.Members.Count < 2)
            {
                continue;
            }

            int root = RootNode(incident, incident.UpdatedAt);
            if (root < 0)
            {
                continue;
            }

            _separated.Clear();
            foreach (var member in incident.Members)
            {
                ResolveNode(member);
                if (member.Node >= 0 && member.Node != root && !member.Inhibited
                    && _graph.DependencyDistance(member.Node, root, _options.RootCauseMaxHops) < 0
                    && (!SiblingLinks || _graph.DependencyDistance(root, member.Node, _options.RootCauseMaxHops) > 0))
                {
                    _separated.Add(member);
                }
            }

            if (_separated.Count == 0 || _separated.Count == incident.Members.Count)
            {
                continue;
            }

            string rootId = _graph.GetId(root);
            long t = incident.UpdatedAt;
            IncidentState? current = null;
            string? currentCi = null;
            _separated.Sort(static (a, b) => string.CompareOrdinal(a.CiKey, b.CiKey) is var c && c != 0 ? c : a.Snapshot.FirstSeen.CompareTo(b.Snapshot.FirstSeen));
            foreach (var alert in _separated)
            {
                incident.Remove(alert);
                int hops = _graph.DependencyDistance(root, alert.Node, _options.RootCauseMaxHops);
                string why = hops > 0
                    ? $"{alert.CiKey} is upstream of {rootId}, the most likely root cause ({(hops == 1 ? "1 hop" : $"{hops} hops")}): not its symptom, and a less likely cause"
                    : $"{alert.CiKey} does not depend on {rootId}, the most likely root cause: not its symptom";
                incident.Explanation.Add($"alert {alert.Fingerprint} left the incident: {why}");
                if (current is null || !string.Equals(currentCi, alert.CiKey, StringComparison.Ordinal))
                {
                    current = NewIncident(alert, t);
                    currentCi = alert.CiKey;
                    current.Add(alert);
                    current.Explanation.Add($"alert {alert.Fingerprint} opened the incident: it left {incident.Id}, where {why}");
                }
                else
                {
                    current.Add(alert);
                    current.Explanation.Add($"alert {alert.Fingerprint} joined: same CI {alert.CiKey}, it left {incident.Id} too");
                }

                current.LastActivity = Math.Max(current.LastActivity, alert.Snapshot.ChangedAt);
                if (!alert.Active)
                {
                    current.Phase = IncidentPhase.Resolved;
                    current.ResolvedAt = alert.Snapshot.ChangedAt;
                }
                else if (current.Phase == IncidentPhase.Resolved)
                {
                    current.Phase = IncidentPhase.Open;
                    current.ResolvedAt = null;
                }

                MarkDirty(current, t);
            }

            if (!incident.AnyActive())
            {
                incident.Phase = IncidentPhase.Resolved;
                incident.ResolvedAt = t;
            }
        }
    }
}
