using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Rules;

/// <summary>
/// Evaluates the correlation sections of the current <see cref="RuleSet"/> (suppression and
/// maintenance windows, inhibition, grouping limits) for the correlator, on event time: set
/// <c>PipelinePorts.Rules</c> to it.
/// </summary>
/// <remarks>
/// Runs on the correlation thread only (single writer, no locks). It reads
/// <see cref="IRulesProvider.Current"/> once per call, so a hot reload applies from the next alert
/// on; the topology is read the same way. Cost per alert is bounded by the rule count, the matchers
/// per rule (regexes are non-backtracking) and, for topology inhibition, <c>max_hops</c>.
/// </remarks>
public sealed class RuleEngine : ICorrelationRules, IInhibitionRules
{
    private readonly IRulesProvider _rules;
    private readonly ITopologyProvider _topology;

    // Firing alerts that match some inhibition source, by fingerprint, and by CI for topology lookups.
    private readonly Dictionary<string, AlertSnapshot> _sources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _sourcesByCi = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<int>> _subtrees = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _suppressedByRule = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _inhibitedByRule = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _groupingRefusals = new(StringComparer.Ordinal);
    private readonly List<(int Node, int Hops)> _walk = [];
    private long _subtreeVersion = long.MinValue;

    public RuleEngine(IRulesProvider rules, ITopologyProvider topology)
    {
        _rules = rules;
        _topology = topology;
    }

    /// <summary>Suppressed firings per suppress rule name. Read after the run (or on the correlation thread).</summary>
    public IReadOnlyDictionary<string, long> SuppressedByRule => _suppressedByRule;

    /// <summary>Inhibited alerts per inhibit rule name.</summary>
    public IReadOnlyDictionary<string, long> InhibitedByRule => _inhibitedByRule;

    /// <summary>Joins refused per grouping rule name (the alert went to another incident or opened one).</summary>
    public IReadOnlyDictionary<string, long> GroupingRefusals => _groupingRefusals;

    public bool IsSuppressed(in AlertSnapshot alert)
    {
        var rules = _rules.Current;
        if (rules.Suppressions.Count == 0)
        {
            return false;
        }

        var graph = _topology.Current;
        var subject = AlertSubject.Of(alert, graph);
        var suppressions = rules.Suppressions;

        // Indexed loops: foreach over the IReadOnlyList interface would box an enumerator per alert.
        for (int i = 0; i < suppressions.Count; i++)
        {
            var rule = suppressions[i];
            if (Suppresses(rule, subject, graph, alert.ChangedAt))
            {
                _suppressedByRule[rule.Name] = _suppressedByRule.GetValueOrDefault(rule.Name) + 1;
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether one suppression rule covers the alert at event time <paramref name="at"/>.</summary>
    internal bool Suppresses(SuppressionRule rule, in AlertSubject subject, TopologyGraph graph, long at)
    {
        if (!rule.Match.Matches(subject))
        {
            return false;
        }

        if (rule.CiSubtree is { } root && !InSubtree(root, subject.Alert.Ci, graph))
        {
            return false;
        }

        if (rule.Windows.Count == 0)
        {
            return true;
        }

        for (int i = 0; i < rule.Windows.Count; i++)
        {
            if (rule.Windows[i].IsActive(at))
            {
                return true;
            }
        }

        return false;
    }

    public bool AllowJoin(in AlertSnapshot alert, IIncidentView incident)
    {
        var rules = _rules.Current;
        if (rules.Groupings.Count == 0)
        {
            return true;
        }

        var graph = _topology.Current;
        var subject = AlertSubject.Of(alert, graph);
        var groupings = rules.Groupings;
        for (int i = 0; i < groupings.Count; i++)
        {
            var rule = groupings[i];
            if (!rule.Match.Matches(subject))
            {
                continue;
            }

            // The first grouping rule that selects the alert decides.
            bool allowed = GroupingAllows(rule, subject, incident, graph);
            if (!allowed)
            {
                _groupingRefusals[rule.Name] = _groupingRefusals.GetValueOrDefault(rule.Name) + 1;
            }

            return allowed;
        }

        return true;
    }

    internal static bool GroupingAllows(GroupingRule rule, in AlertSubject subject, IIncidentView incident, TopologyGraph graph)
    {
        var members = incident.Alerts;
        long t = subject.Alert.ChangedAt;
        if (rule.MaxAlerts is { } max && members.Count >= max)
        {
            return false;
        }

        if (rule.MaxDuration is { } window && t - incident.OpenedAt > (long)window.TotalMilliseconds)
        {
            return false;
        }

        if (rule.LockAfter is { } lockAfter && members.Count > 0)
        {
            long last = long.MinValue;
            foreach (var member in members)
            {
                last = Math.Max(last, member.FirstSeen);
            }

            if (t - last > (long)lockAfter.TotalMilliseconds)
            {
                return false;
            }
        }

        if (rule.GroupBy.Count > 0 && members.Count > 0)
        {
            var first = AlertSubject.Of(members[0], graph);
            foreach (var label in rule.GroupBy)
            {
                if (!string.Equals(first.Get(label) ?? string.Empty, subject.Get(label) ?? string.Empty, StringComparison.Ordinal))
                {
                    return false;
                }
            }
        }

        return true;
    }

    public void Observe(in AlertSnapshot alert)
    {
        var rules = _rules.Current;
        if (rules.Inhibitions.Count == 0)
        {
            return;
        }

        bool active = alert.Status == AlertStatus.Firing || alert.Flapping;
        if (!active)
        {
            Forget(alert.Fingerprint);
            return;
        }

        var subject = AlertSubject.Of(alert, _topology.Current);
        var inhibitions = rules.Inhibitions;
        for (int r = 0; r < inhibitions.Count; r++)
        {
            var sources = inhibitions[r].Sources;
            for (int s = 0; s < sources.Count; s++)
            {
                if (sources[s].Matches(subject))
                {
                    if (_sources.TryAdd(alert.Fingerprint, alert))
                    {
                        string ci = alert.Ci ?? string.Empty;
                        if (!_sourcesByCi.TryGetValue(ci, out var list))
                        {
                            _sourcesByCi[ci] = list = [];
                        }

                        list.Add(alert.Fingerprint);
                    }
                    else
                    {
                        _sources[alert.Fingerprint] = alert;
                    }

                    return;
                }
            }
        }

        Forget(alert.Fingerprint);
    }

    public Inhibitor? FindInhibitor(in AlertSnapshot alert)
    {
        var rules = _rules.Current;
        if (rules.Inhibitions.Count == 0 || _sources.Count == 0)
        {
            return null;
        }

        var graph = _topology.Current;
        var target = AlertSubject.Of(alert, graph);
        var inhibitions = rules.Inhibitions;
        for (int r = 0; r < inhibitions.Count; r++)
        {
            var rule = inhibitions[r];
            if (!rule.Target.Matches(target))
            {
                continue;
            }

            Inhibitor? first = null;
            bool all = true;
            for (int i = 0; i < rule.Sources.Count && all; i++)
            {
                var found = FindSource(rule, rule.Sources[i], target, graph);
                all = found is not null;
                first ??= found;
            }

            if (all && first is { } inhibitor)
            {
                _inhibitedByRule[rule.Name] = _inhibitedByRule.GetValueOrDefault(rule.Name) + 1;
                return inhibitor;
            }
        }

        return null;
    }

    /// <summary>The earliest firing alert (then lowest fingerprint) that satisfies one source condition for the target.</summary>
    private Inhibitor? FindSource(InhibitionRule rule, MatcherSet source, in AlertSubject target, TopologyGraph graph)
    {
        AlertSnapshot? best = null;
        int bestHops = 0;
        void Consider(string fingerprint, int hops, in AlertSubject target, ref AlertSnapshot? best, ref int bestHops)
        {
            if (string.Equals(fingerprint, target.Alert.Fingerprint, StringComparison.Ordinal) || !_sources.TryGetValue(fingerprint, out var candidate))
            {
                return;
            }

            var subject = AlertSubject.Of(candidate, graph);
            if (!source.Matches(subject) || !EqualLabels(rule.Equal, subject, target))
            {
                return;
            }

            if (best is not { } b || candidate.FirstSeen < b.FirstSeen || (candidate.FirstSeen == b.FirstSeen && string.CompareOrdinal(candidate.Fingerprint, b.Fingerprint) < 0))
            {
                best = candidate;
                bestHops = hops;
            }
        }

        switch (rule.Topology)
        {
            case InhibitTopology.None:
                foreach (var fingerprint in _sources.Keys)
                {
                    Consider(fingerprint, -1, target, ref best, ref bestHops);
                }

                break;

            case InhibitTopology.SameCi:
                if (_sourcesByCi.TryGetValue(target.Alert.Ci ?? string.Empty, out var same))
                {
                    foreach (var fingerprint in same)
                    {
                        Consider(fingerprint, 0, target, ref best, ref bestHops);
                    }
                }

                break;

            default:
                // The target depends on the source: walk what the target's CI needs.
                if (target.Alert.Ci is { } ci && graph.TryGetNode(ci, out int node))
                {
                    graph.Dependencies(node, rule.MaxHops, _walk);
                    foreach (var (upstream, hops) in _walk)
                    {
                        if (_sourcesByCi.TryGetValue(graph.GetId(upstream), out var list))
                        {
                            foreach (var fingerprint in list)
                            {
                                Consider(fingerprint, hops, target, ref best, ref bestHops);
                            }
                        }
                    }
                }

                break;
        }

        if (best is not { } found)
        {
            return null;
        }

        string why = rule.Topology switch
        {
            InhibitTopology.Dependents => $"{target.Alert.Ci} depends on {found.Ci} ({bestHops} hop{(bestHops == 1 ? "" : "s")}) where {found.Check ?? "an alert"} fires",
            InhibitTopology.SameCi => $"{found.Check ?? "an alert"} fires on the same CI",
            _ => $"{found.Check ?? "an alert"} fires on {found.Ci ?? "no CI"}",
        };
        if (rule.Equal.Count > 0)
        {
            why += $", equal {string.Join(", ", rule.Equal)}";
        }

        return new Inhibitor(found.Fingerprint, rule.Name, why);
    }

    private static bool EqualLabels(IReadOnlyList<string> names, in AlertSubject source, in AlertSubject target)
    {
        foreach (var name in names)
        {
            if (!string.Equals(source.Get(name) ?? string.Empty, target.Get(name) ?? string.Empty, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private void Forget(string fingerprint)
    {
        if (_sources.Remove(fingerprint, out var old))
        {
            string ci = old.Ci ?? string.Empty;
            if (_sourcesByCi.TryGetValue(ci, out var list) && list.Remove(fingerprint) && list.Count == 0)
            {
                _sourcesByCi.Remove(ci);
            }
        }
    }

    /// <summary>Whether <paramref name="ci"/> is <paramref name="root"/> or depends on it (directly or not); cached per topology version.</summary>
    private bool InSubtree(string root, string? ci, TopologyGraph graph)
    {
        if (ci is null)
        {
            return false;
        }

        if (string.Equals(root, ci, StringComparison.Ordinal))
        {
            return true;
        }

        if (_subtreeVersion != graph.Version)
        {
            _subtrees.Clear();
            _subtreeVersion = graph.Version;
        }

        if (!_subtrees.TryGetValue(root, out var members))
        {
            members = [];
            if (graph.TryGetNode(root, out int rootNode))
            {
                // Everything that depends on the root, at any depth (the graph walk stops at cycles).
                graph.Dependents(rootNode, graph.Count, _walk);
                foreach (var (node, _) in _walk)
                {
                    members.Add(node);
                }
            }

            _subtrees[root] = members;
        }

        return graph.TryGetNode(ci, out int n) && members.Contains(n);
    }
}
