using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Rules;

/// <summary>One lint finding: where, and what is wrong.</summary>
public sealed record RuleFinding(RulePosition Position, string Rule, string Message)
{
    public override string ToString() => $"{Position}: {Rule}: {Message}";
}

/// <summary>
/// Lints a valid rule set (<c>itopsstream rules check</c>): rules that can never decide (shadowed by an
/// earlier, broader rule with the same effect), regexes that can match no value a field can take,
/// and, given a sample of events, matchers on labels no sample alert has and rules that match no
/// sample alert. Findings are advice: the file still loads.
/// </summary>
public static class RulesLinter
{
    private static readonly string[] Severities = ["critical", "major", "minor", "warning", "info"];
    private static readonly string[] Statuses = ["firing", "resolved"];

    /// <summary>Lints <paramref name="rules"/>; <paramref name="sample"/> (alerts) and <paramref name="graph"/> make more checks possible.</summary>
    public static IReadOnlyList<RuleFinding> Lint(RuleSet rules, IReadOnlyList<AlertSnapshot>? sample = null, TopologyGraph? graph = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        graph ??= TopologyGraph.Empty;
        var findings = new List<RuleFinding>();

        // Shadowing: first match decides for suppress (any match suppresses) and grouping.
        for (int i = 0; i < rules.Suppressions.Count; i++)
        {
            var later = rules.Suppressions[i];
            for (int j = 0; j < i; j++)
            {
                var earlier = rules.Suppressions[j];
                if (earlier.Windows.Count == 0 && (earlier.CiSubtree is null || earlier.CiSubtree == later.CiSubtree) && Covers(earlier.Match, later.Match))
                {
                    findings.Add(new(later.Position, later.Name, $"never decides: suppress rule '{earlier.Name}' ({earlier.Position.Line}:{earlier.Position.Column}) already suppresses every alert it selects, at all times"));
                    break;
                }
            }
        }

        for (int i = 0; i < rules.Groupings.Count; i++)
        {
            var later = rules.Groupings[i];
            for (int j = 0; j < i; j++)
            {
                var earlier = rules.Groupings[j];
                if (Covers(earlier.Match, later.Match))
                {
                    findings.Add(new(later.Position, later.Name, $"unreachable: grouping rule '{earlier.Name}' ({earlier.Position.Line}:{earlier.Position.Column}) comes first and selects every alert it selects (the first matching grouping rule decides)"));
                    break;
                }
            }
        }

        for (int i = 0; i < rules.Remediations.Count; i++)
        {
            var later = rules.Remediations[i];
            for (int j = 0; j < i; j++)
            {
                var earlier = rules.Remediations[j];
                if (earlier.Runbook == later.Runbook && earlier.Target == later.Target && Covers(earlier.IncidentMatch, later.IncidentMatch)
                    && (earlier.AlertMatch is null ? later.AlertMatch is null : later.AlertMatch is not null && Covers(earlier.AlertMatch, later.AlertMatch)))
                {
                    findings.Add(new(later.Position, later.Name, $"duplicate: remediation rule '{earlier.Name}' ({earlier.Position.Line}:{earlier.Position.Column}) already triggers runbook '{later.Runbook}' for everything it matches"));
                    break;
                }
            }
        }

        foreach (var (rule, position, set) in AlertMatcherSets(rules))
        {
            foreach (var matcher in set.Matchers)
            {
                if (Domain(matcher.Name, graph) is { } domain && matcher.Op == MatchOp.Regex && !domain.Any(matcher.Matches))
                {
                    findings.Add(new(position, rule, $"{matcher} can never match: {matcher.Name} is one of {string.Join(", ", domain)} (regexes match the whole value)"));
                }
                else if (Domain(matcher.Name, graph) is { } values && matcher.Op == MatchOp.Equal && !values.Contains(matcher.Value, StringComparer.Ordinal))
                {
                    findings.Add(new(position, rule, $"{matcher} can never match: {matcher.Name} is one of {string.Join(", ", values)}"));
                }
            }
        }

        if (sample is { Count: > 0 })
        {
            var labels = sample.SelectMany(a => a.Labels.AsSpan().ToArray().Select(p => p.Key)).ToHashSet(StringComparer.Ordinal);
            var subjects = sample.Select(a => AlertSubject.Of(a, graph)).ToList();
            foreach (var (rule, position, set) in AlertMatcherSets(rules))
            {
                foreach (var matcher in set.Matchers)
                {
                    if (Array.IndexOf(AlertSubject.FieldNames, matcher.Name) < 0 && !AlertSubject.IsCiName(matcher.Name) && !labels.Contains(matcher.Name))
                    {
                        findings.Add(new(position, rule, $"matcher {matcher} tests label '{matcher.Name}', which no sample alert has"));
                    }
                }

                if (set.Matchers.Count > 0 && !subjects.Any(s => set.Matches(s)))
                {
                    findings.Add(new(position, rule, $"{set.Text} matches none of the {sample.Count} sample alerts"));
                }
            }
        }

        return findings;
    }

    /// <summary>
    /// True when every alert <paramref name="later"/> selects is also selected by <paramref name="earlier"/>:
    /// each matcher of the earlier set appears, identical, in the later one.
    /// </summary>
    private static bool Covers(MatcherSet earlier, MatcherSet later) =>
        earlier.Matchers.All(e => later.Matchers.Any(l => l.Name == e.Name && l.Op == e.Op && l.Value == e.Value));

    private static IEnumerable<(string Rule, RulePosition Position, MatcherSet Set)> AlertMatcherSets(RuleSet rules)
    {
        foreach (var rule in rules.Suppressions)
        {
            yield return (rule.Name, rule.Position, rule.Match);
        }

        foreach (var rule in rules.Inhibitions)
        {
            foreach (var source in rule.Sources)
            {
                yield return (rule.Name, rule.Position, source);
            }

            yield return (rule.Name, rule.Position, rule.Target);
        }

        foreach (var rule in rules.Groupings)
        {
            yield return (rule.Name, rule.Position, rule.Match);
        }

        foreach (var rule in rules.Remediations)
        {
            if (rule.AlertMatch is not null)
            {
                yield return (rule.Name, rule.Position, rule.AlertMatch);
            }
        }
    }

    /// <summary>The finite set of values a name can take, when known (severity, status, and CI fields given a topology).</summary>
    private static IReadOnlyList<string>? Domain(string name, TopologyGraph graph)
    {
        switch (name)
        {
            case "severity":
                return Severities;
            case "status":
                return Statuses;
            case "ci_criticality":
                return ["critical", "high", "medium", "low"];
            case "ci_class" when graph.Count > 0:
                return Enumerable.Range(0, graph.Count).Select(n => graph.GetCi(n).Class).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            default:
                return null;
        }
    }
}
