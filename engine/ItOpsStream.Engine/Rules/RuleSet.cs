using ItOpsStream.Engine.Pipeline;

namespace ItOpsStream.Engine.Rules;

/// <summary>Where a rule was written: for lint and explain output (<c>rules.yaml:12:5</c>).</summary>
public readonly record struct RulePosition(string Source, int Line, int Column)
{
    public override string ToString() => $"{Source}:{Line}:{Column}";
}

/// <summary>
/// A suppression or maintenance window: alerts it selects (matcher AND CI subtree) while one of its
/// windows is active (always, when it has none) open and join no incident. They are still tracked
/// and their resolves still reach any incident they are already in.
/// </summary>
public sealed record SuppressionRule(string Name, RulePosition Position, MatcherSet Match, string? CiSubtree, IReadOnlyList<Schedule> Windows);

/// <summary>Which way along the topology an inhibition source reaches its targets.</summary>
public enum InhibitTopology : byte
{
    /// <summary>No topology condition: labels only.</summary>
    None = 0,

    /// <summary>The target's CI depends on the source's CI (a down host and the services on it).</summary>
    Dependents = 1,

    /// <summary>The target's CI is the source's CI.</summary>
    SameCi = 2,
}

/// <summary>
/// An inhibition: while alerts matching every one of <see cref="Sources"/> fire (each related to the
/// target by <see cref="Equal"/> labels and the topology condition), a new alert matching
/// <see cref="Target"/> is inhibited: it joins the incident of the first source, marked inhibited,
/// raising neither its priority nor opening an incident of its own.
/// </summary>
public sealed record InhibitionRule(string Name, RulePosition Position, IReadOnlyList<MatcherSet> Sources, MatcherSet Target, IReadOnlyList<string> Equal, InhibitTopology Topology, int MaxHops);

/// <summary>
/// A grouping rule for the alerts it matches: they join an incident only when it agrees on the
/// <see cref="GroupBy"/> labels, has fewer than <see cref="MaxAlerts"/> alerts, opened at most
/// <see cref="MaxDuration"/> ago and had a new alert within <see cref="LockAfter"/>.
/// </summary>
public sealed record GroupingRule(string Name, RulePosition Position, MatcherSet Match, IReadOnlyList<string> GroupBy, int? MaxAlerts, TimeSpan? MaxDuration, TimeSpan? LockAfter);

/// <summary>A per-key rate limit: at most <see cref="Count"/> triggers per <see cref="Period"/> (event time).</summary>
public sealed record RateLimit(int Count, TimeSpan Period)
{
    public override string ToString() => $"{Count}/{SettingsFileDuration(Period)}";

    private static string SettingsFileDuration(TimeSpan t) =>
        t.TotalHours >= 1 && t.TotalHours == Math.Floor(t.TotalHours) ? $"{t.TotalHours}h" : t.TotalMinutes == Math.Floor(t.TotalMinutes) ? $"{t.TotalMinutes}m" : $"{t.TotalSeconds}s";
}

/// <summary>What CI a remediation acts on.</summary>
public enum RemediationTarget : byte
{
    /// <summary>The incident's top root-cause candidate (<c>cmdb_ci</c>).</summary>
    RootCause = 0,

    /// <summary>The CI of each firing alert that matches the rule's <c>match</c>.</summary>
    Alert = 1,
}

/// <summary>
/// Maps incidents (and optionally their alerts) to a runbook with templated parameters, a dedup
/// window, rate limits per CI and per runbook, and an approval flag.
/// </summary>
public sealed record RemediationRule(
    string Name,
    RulePosition Position,
    MatcherSet? AlertMatch,
    MatcherSet IncidentMatch,
    string Runbook,
    RemediationTarget Target,
    IReadOnlyList<KeyValuePair<string, Template>> Params,
    TimeSpan DedupWindow,
    RateLimit? PerCi,
    RateLimit? PerRunbook,
    bool RequiresApproval);

/// <summary>
/// A parsed rules file: engine settings (alerts, correlation, priority matrix) and the rule sections.
/// Immutable; a reload builds a new one.
/// </summary>
public sealed record RuleSet
{
    /// <summary>Most rules in one file, all sections together.</summary>
    public const int MaxRules = 1000;

    public static RuleSet Empty { get; } = new();

    /// <summary>The settings of the file's <c>alerts</c>, <c>correlation</c> and <c>priority</c> sections on top of the defaults.</summary>
    public PipelineOptions Options { get; init; } = PipelineOptions.Default;

    public IReadOnlyList<SuppressionRule> Suppressions { get; init; } = [];

    public IReadOnlyList<InhibitionRule> Inhibitions { get; init; } = [];

    public IReadOnlyList<GroupingRule> Groupings { get; init; } = [];

    public IReadOnlyList<RemediationRule> Remediations { get; init; } = [];

    /// <summary>True when correlation needs the rules hook at all.</summary>
    public bool HasCorrelationRules => Suppressions.Count > 0 || Inhibitions.Count > 0 || Groupings.Count > 0;

    public int Count => Suppressions.Count + Inhibitions.Count + Groupings.Count + Remediations.Count;
}
