using ItOpsStream.Engine.Incidents;

namespace ItOpsStream.Engine.Correlation;

internal sealed partial class Correlator
{
    /// <summary>How an alert relates to an incident, strongest first.</summary>
    private enum LinkKind : byte
    {
        /// <summary>An alert of the incident is on the same CI.</summary>
        SameCi = 0,

        /// <summary>A dependency path within MaxHops, either direction (see <see cref="Link.Upstream"/>).</summary>
        Dependency = 1,

        /// <summary>Both CIs directly depend on one (non-hub) CI.</summary>
        SharedDependency = 2,

        /// <summary>Both CIs are close to one business service.</summary>
        BusinessService = 3,

        /// <summary>Unknown CIs: grouped by time only.</summary>
        Time = 4,
    }

    // Other: the alert of the incident the link goes to. Upstream (dependency links): the new
    // alert's CI is a dependency of the other's, so it may explain it. Via: the shared CI or
    // business service, for the explanation.
    private readonly record struct Link(IncidentState Incident, LinkKind Kind, int Hops, TrackedAlert Other, bool Upstream, string? Via);

    private readonly record struct Decision(Link? Best, List<IncidentState> MergeWith);

    private readonly List<(int Node, int Hops)> _near = [];
    private readonly List<(int Node, int Hops)> _near2 = [];
    private readonly List<Link> _links = [];
    private readonly List<IncidentState> _mergeWith = [];
    private TrackedAlert? _placing;

    /// <summary>
    /// Finds the incidents the alert relates to and picks where it goes. The best link wins
    /// (kind, then hops, then closeness in time, then the older incident). Incidents the alert is
    /// upstream of (their CIs depend on its CI, and it fired no later than UpstreamLag after they
    /// opened) are explained by it: they merge, together with the best link's incident. An alert
    /// that merely depends on several incidents (a victim of two faults) joins the best one only.
    /// </summary>
    private Decision Decide(TrackedAlert alert, long t)
    {
        _links.Clear();
        _mergeWith.Clear();
        _placing = alert;
        CollectLinks(alert, t);
        if (_links.Count == 0)
        {
            return new Decision(null, _mergeWith);
        }

        Link best = _links[0];
        foreach (var link in _links)
        {
            if (Better(link, best, t))
            {
                best = link;
            }
        }

        if (best.Kind <= LinkKind.Dependency)
        {
            foreach (var link in _links)
            {
                if (link.Kind == LinkKind.Dependency && link.Upstream
                    && alert.Snapshot.FirstSeen <= link.Incident.OpenedAt + _upstreamLagMs
                    && !_mergeWith.Contains(link.Incident))
                {
                    _mergeWith.Add(link.Incident);
                }
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

    private static bool Better(in Link a, in Link b, long t)
    {
        if (a.Kind != b.Kind)
        {
            return a.Kind < b.Kind;
        }

        if (a.Hops != b.Hops)
        {
            return a.Hops < b.Hops;
        }

        long da = Math.Abs(t - a.Incident.LastActivity), db = Math.Abs(t - b.Incident.LastActivity);
        return da != db ? da < db : a.Incident.Seq < b.Incident.Seq;
    }

    private void CollectLinks(TrackedAlert alert, long t)
    {
        AddLinksOnCi(alert.CiKey, LinkKind.SameCi, 0, upstream: false, via: null, t);
        int node = alert.Node;
        if (node < 0)
        {
            if (_links.Count == 0)
            {
                AddTimeLink(t);
            }

            return;
        }

        var graph = _graph;
        graph.Dependencies(node, _options.MaxHops, _near);
        foreach (var (other, hops) in _near)
        {
            AddLinksOnCi(graph.GetId(other), LinkKind.Dependency, hops, upstream: false, via: null, t);
        }

        graph.Dependents(node, _options.MaxHops, _near);
        foreach (var (other, hops) in _near)
        {
            AddLinksOnCi(graph.GetId(other), LinkKind.Dependency, hops, upstream: true, via: null, t);
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
                        AddLinksOnCi(graph.GetId(sibling), LinkKind.SharedDependency, 2, upstream: false, via: graph.GetId(shared), t);
                    }
                }
            }
        }

        if (_options.BusinessServiceMaxHops > 0 && !HasLink(LinkKind.Dependency))
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
                        AddLinksOnCi(graph.GetId(other), LinkKind.BusinessService, hops + otherHops, upstream: false, via: graph.GetId(service), t);
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

    private void AddLinksOnCi(string ci, LinkKind kind, int hops, bool upstream, string? via, long t)
    {
        if (!_byCi.TryGetValue(ci, out var incidents))
        {
            return;
        }

        foreach (var incident in incidents)
        {
            if (!IsCandidate(incident, t))
            {
                continue;
            }

            TrackedAlert? other = null;
            foreach (var member in incident.Members)
            {
                if (string.Equals(member.CiKey, ci, StringComparison.Ordinal))
                {
                    other = member;
                    break;
                }
            }

            if (other is not null)
            {
                _links.Add(new Link(incident, kind, hops, other, upstream, via));
            }
        }
    }

    /// <summary>Unknown CIs: the closest-in-time incident made only of unknown-CI alerts.</summary>
    private void AddTimeLink(long t)
    {
        IncidentState? best = null;
        foreach (var incident in _live)
        {
            if (incident.AllUnknown && IsCandidate(incident, t)
                && (best is null || Math.Abs(t - incident.LastActivity) < Math.Abs(t - best.LastActivity)))
            {
                best = incident;
            }
        }

        if (best is not null)
        {
            var last = best.Members[^1];
            _links.Add(new Link(best, LinkKind.Time, 0, last, Upstream: false, Via: null));
        }
    }

    /// <summary>Open (or resolved within the grace period), active within the window, and allowed by the rules.</summary>
    private bool IsCandidate(IncidentState incident, long t)
    {
        bool live = incident.Phase == IncidentPhase.Open
            || (incident.Phase == IncidentPhase.Resolved && t - incident.ResolvedAt!.Value <= _graceMs);
        return live
            && Math.Abs(t - incident.LastActivity) <= _windowMs
            && (_rules is null || _rules.AllowJoin(_placing!.Snapshot, incident));
    }

    private string Describe(TrackedAlert alert, in Link link)
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
            LinkKind.BusinessService => $"{ci} and {other} both serve {link.Via} ({hops} apart)",
            _ => $"CI {ci} is unknown to the topology, grouped by time with alert {link.Other.Fingerprint}",
        };
    }
}
