using ItOpsStream.Engine.Incidents;

namespace ItOpsStream.Engine.Correlation;

internal sealed partial class Correlator
{
    /// <summary>How an alert relates to an alert of an incident, strongest first.</summary>
    private enum LinkKind : byte
    {
        /// <summary>Same CI.</summary>
        SameCi = 0,

        /// <summary>A dependency path within MaxHops, either direction (see <see cref="Link.Upstream"/>).</summary>
        Dependency = 1,

        /// <summary>Both CIs directly depend on one (non-hub) CI.</summary>
        SharedDependency = 2,

        /// <summary>Both CIs are close to one business service.</summary>
        BusinessService = 3,
    }

    // Other: the alert of the incident the link goes to. Upstream (dependency links): the new
    // alert's CI is a dependency of the other's, so it may explain it. Via: the shared CI or
    // business service, for the explanation. Gap: onset of the new alert minus onset of Other.
    // Consistent: the incident's most likely root explains the new alert's CI (it depends on it, or
    // is it), or the new alert would become that root; a link to an incident whose root cannot
    // explain the alert is weaker than any consistent one.
    private readonly record struct Link(IncidentState Incident, LinkKind Kind, int Hops, TrackedAlert Other, bool Upstream, string? Via, long Gap, bool Consistent);

    private readonly record struct Decision(Link? Best, List<IncidentState> MergeWith);

    private readonly List<(int Node, int Hops)> _near = [];
    private readonly List<(int Node, int Hops)> _near2 = [];
    private readonly List<Link> _links = [];
    private readonly List<IncidentState> _mergeWith = [];
    private TrackedAlert? _placing;

    // WouldLead answers for the alert being placed; cleared per decision.
    private readonly Dictionary<IncidentState, bool> _leads = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<IncidentState, bool> _rootExplains = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Finds the alerts of live incidents the new alert relates to, and picks where it goes. A link
    /// needs topology (same CI, a dependency path, a shared dependency, a business service) AND time:
    /// the two alerts started within the window of each other, the other one is still firing or
    /// resolved less than a window ago, and cause precedes effect (a CI's alert may start at most
    /// UpstreamLag before the alert of a CI it depends on, and a symptom follows its cause within
    /// UpstreamLag: an alert on a dependency that fired alone longer before is not what broke the new
    /// alert's CI, most often a noise alert on a shared database or host). Time is judged per pair of alerts, not per
    /// incident, so a long incident does not keep absorbing whatever fires near it for hours.
    /// The best link wins (kind, hops, closeness in time, older incident). Incidents whose alerts
    /// depend on the new alert's CI and that opened no earlier than UpstreamLag before it are
    /// explained by it: they merge, with the best link's incident. An alert that merely depends on
    /// several incidents (a victim of two faults) joins the best one only.
    /// </summary>
    private Decision Decide(TrackedAlert alert, long t)
    {
        _links.Clear();
        _mergeWith.Clear();
        _leads.Clear();
        _rootExplains.Clear();
        _placing = alert;
        CollectLinks(alert, t);
        if (_links.Count == 0)
        {
            return new Decision(null, _mergeWith);
        }

        Link best = _links[0];
        foreach (var link in _links)
        {
            if (Better(link, best))
            {
                best = link;
            }
        }

        if (best.Kind <= LinkKind.Dependency)
        {
            Link? home = null;
            foreach (var link in _links)
            {
                if (link.Kind == LinkKind.Dependency && link.Upstream
                    && alert.Snapshot.FirstSeen <= link.Incident.OpenedAt + _upstreamLagMs
                    && !_mergeWith.Contains(link.Incident))
                {
                    _mergeWith.Add(link.Incident);
                }
                else if (!link.Upstream && link.Consistent && link.Kind <= LinkKind.Dependency && (home is null || Better(link, home.Value)))
                {
                    home = link;
                }
            }

            // A bridge: an incident's root explains the new alert, and the new alert explains other
            // incidents: they are one cascade.
            if (_mergeWith.Count > 0 && home is { } h && !_mergeWith.Contains(h.Incident))
            {
                _mergeWith.Add(h.Incident);
            }

            if (_mergeWith.Count > 0 && !_mergeWith.Contains(best.Incident))
            {
                _mergeWith.Add(best.Incident);
            }

            if (_mergeWith.Count < 2)
            {
                _mergeWith.Clear();
            }
        }

        return new Decision(best, _mergeWith);
    }

    private static bool Better(in Link a, in Link b)
    {
        if (a.Consistent != b.Consistent)
        {
            return a.Consistent;
        }

        if (a.Kind != b.Kind)
        {
            return a.Kind < b.Kind;
        }

        if (a.Hops != b.Hops)
        {
            return a.Hops < b.Hops;
        }

        long da = Math.Abs(a.Gap), db = Math.Abs(b.Gap);
        if (da != db)
        {
            return da < db;
        }

        return a.Incident.Seq != b.Incident.Seq ? a.Incident.Seq < b.Incident.Seq : string.CompareOrdinal(a.Other.Fingerprint, b.Other.Fingerprint) < 0;
    }

    private void CollectLinks(TrackedAlert alert, long t)
    {
        AddLinks(alert.CiKey, LinkKind.SameCi, 0, upstream: false, via: null, t);
        int node = alert.Node;
        if (node < 0)
        {
            // A CI unknown to the topology: only its own earlier alerts (and, with issue 3, rules) relate to it.
            return;
        }

        var graph = _graph;
        graph.Dependencies(node, _options.MaxHops, _near);
        foreach (var (other, hops) in _near)
        {
            AddLinks(graph.GetId(other), LinkKind.Dependency, hops, upstream: false, via: null, t);
        }

        graph.Dependents(node, _options.MaxHops, _near);
        foreach (var (other, hops) in _near)
        {
            AddLinks(graph.GetId(other), LinkKind.Dependency, hops, upstream: true, via: null, t);
        }

        if (HasLink(LinkKind.Dependency))
        {
            return;
        }

        if (_options.SharedDependencyMaxDependents > 0)
        {
            foreach (int shared in graph.DirectDependencies(node))
            {
                var siblings = graph.DirectDependents(shared);
                if (siblings.Length > _options.SharedDependencyMaxDependents)
                {
                    continue;
                }

                foreach (int sibling in siblings)
                {
                    if (sibling != node)
                    {
                        AddLinks(graph.GetId(sibling), LinkKind.SharedDependency, 2, upstream: false, via: graph.GetId(shared), t);
                    }
                }
            }
        }

        if (_options.BusinessServiceMaxHops > 0 && !HasLink(LinkKind.SharedDependency))
        {
            graph.Dependents(node, _options.BusinessServiceMaxHops, _near);
            foreach (var (service, hops) in _near)
            {
                if (!graph.IsBusinessService(service))
                {
                    continue;
                }

                graph.Dependencies(service, _options.BusinessServiceMaxHops, _near2);
                foreach (var (other, otherHops) in _near2)
                {
                    if (other != node)
                    {
                        AddLinks(graph.GetId(other), LinkKind.BusinessService, hops + otherHops, upstream: false, via: graph.GetId(service), t);
                    }
                }
            }
        }
    }

    private bool HasLink(LinkKind kind)
    {
        foreach (var link in _links)
        {
            if (link.Kind <= kind)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds a link to every alert of a live incident on <paramref name="ci"/> that passes the time rules.</summary>
    private void AddLinks(string ci, LinkKind kind, int hops, bool upstream, string? via, long t)
    {
        if (!_liveByCi.TryGetValue(ci, out var alerts))
        {
            return;
        }

        var self = _placing!;
        long onset = self.Snapshot.FirstSeen;
        foreach (var other in alerts)
        {
            var incident = other.Incident;
            if (other == self || incident is null || !IsLive(incident, t))
            {
                continue;
            }

            long gap = onset - other.Snapshot.FirstSeen;
            bool recent = other.Active || t - other.Snapshot.ChangedAt <= _windowMs;
            bool causal = kind != LinkKind.Dependency
                || (upstream ? gap <= _upstreamLagMs && WouldLead(incident, t) : Math.Abs(gap) <= _upstreamLagMs);
            if (Math.Abs(gap) <= _windowMs && recent && causal
                && (_rules is null || _rules.AllowJoin(self.Snapshot, incident)))
            {
                _links.Add(new Link(incident, kind, hops, other, upstream, via, gap, upstream || kind == LinkKind.SameCi || RootExplains(incident, t)));
            }
        }
    }

    /// <summary>
    /// Whether the alert being placed would be the incident's most likely root cause if it joined.
    /// Only then does an alert upstream of the incident join it (as its deeper cause): an alert upstream
    /// of some symptom that does not explain the incident better is a competing explanation, most
    /// often another fault or noise on a shared CI (a warning on a shared database), and stays apart.
    /// </summary>
    private bool WouldLead(IncidentState incident, long t)
    {
        if (_leads.TryGetValue(incident, out bool known))
        {
            return known;
        }

        var self = _placing!;
        bool leads = string.Equals(TopCandidate(incident, AlertingCis(incident, self), t), self.CiKey, StringComparison.Ordinal);
        _leads[incident] = leads;
        return leads;
    }

    /// <summary>Whether the incident's most likely root is the new alert's CI or one it depends on (within RootCauseMaxHops).</summary>
    private bool RootExplains(IncidentState incident, long t)
    {
        if (_rootExplains.TryGetValue(incident, out bool known))
        {
            return known;
        }

        int root = RootNode(incident, t);
        int node = _placing!.Node;
        bool explains = root < 0 || node < 0 || _graph.DependencyDistance(node, root, _options.RootCauseMaxHops) >= 0;
        _rootExplains[incident] = explains;
        return explains;
    }

    /// <summary>Open, or resolved within the grace period (a join then reopens it).</summary>
    private bool IsLive(IncidentState incident, long t) =>
        incident.Phase == IncidentPhase.Open
        || (incident.Phase == IncidentPhase.Resolved && t - incident.ResolvedAt!.Value <= _graceMs);

    private static string Describe(TrackedAlert alert, in Link link)
    {
        string ci = alert.Snapshot.Ci ?? "(no CI)";
        string other = link.Other.Snapshot.Ci ?? "(no CI)";
        string hops = link.Hops == 1 ? "1 hop" : $"{link.Hops} hops";
        return link.Kind switch
        {
            LinkKind.SameCi => $"same CI {ci} as alert {link.Other.Fingerprint}",
            LinkKind.Dependency when link.Upstream => $"{other} depends on {ci} ({hops})",
            LinkKind.Dependency => $"{ci} depends on {other} ({hops})",
            LinkKind.SharedDependency => $"{ci} and {other} both depend on {link.Via}",
            _ => $"{ci} and {other} both serve {link.Via} ({hops} apart)",
        };
    }
}
