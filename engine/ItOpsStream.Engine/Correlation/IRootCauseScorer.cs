using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Correlation;

/// <summary>One alerting CI of an incident, as the root-cause ranking sees it.</summary>
/// <param name="Ci">The CI id ("" when the alerts had none).</param>
/// <param name="Node">Its topology node, or -1 when unknown to the topology.</param>
/// <param name="Severity">The highest severity among its alerts.</param>
/// <param name="FirstSeen">The earliest first_seen among its alerts.</param>
/// <param name="Check">The check of its earliest alert.</param>
/// <param name="AlertCount">How many alerts of the incident are on it.</param>
public readonly record struct RootCauseCi(string Ci, int Node, Severity Severity, long FirstSeen, string? Check, int AlertCount);

/// <summary>
/// Everything a scorer may use: the topology, the incident's alerting CIs (<c>Cis</c>, ordered by
/// first alert then id), the suspect changes on those CIs (before the incident or during it,
/// oldest first), when the incident opened, and the correlation options.
/// </summary>
public sealed record RootCauseContext(
    TopologyGraph Graph,
    IReadOnlyList<RootCauseCi> Cis,
    IReadOnlyList<ChangeEntry> Changes,
    long OpenedAt,
    CorrelationOptions Options)
{
    /// <summary>Event time the ranking is made at (the incident's latest change); OpenedAt when not set.</summary>
    public long Now { get; init; } = OpenedAt;

    /// <summary>
    /// Whether a topology node outside the incident has a live alert of its own (in another incident): a
    /// dependent alerting elsewhere is not silent. Null: only the incident's own CIs count as alerting.
    /// </summary>
    public Func<int, bool>? AlertingElsewhere { get; init; }
}

/// <summary>
/// Ranks the root-cause candidates of an incident, best first, each with a score in [0,1] and a
/// human reason. Called on the correlation thread whenever an incident record is written; must be
/// deterministic (same context, same list).
/// </summary>
public interface IRootCauseScorer
{
    IReadOnlyList<RootCauseCandidate> Rank(RootCauseContext context);
}
