using ItOpsStream.Engine.Pipeline;

namespace ItOpsStream.Engine.Correlation;

/// <summary>Correlation and incident lifecycle settings. All durations are event time.</summary>
public sealed record CorrelationOptions
{
    /// <summary>The defaults documented on each property.</summary>
    public static CorrelationOptions Default { get; } = new();

    /// <summary>
    /// Two alerts are related in time when their onsets (first_seen) are at most this far apart and
    /// the earlier one still fires or resolved less than this long ago; judged per pair of alerts,
    /// so a long incident does not absorb whatever fires near it for hours. Default 5 min.
    /// </summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest dependency path (either direction) that relates two alerting CIs. Default 3.</summary>
    public int MaxHops { get; init; } = 3;

    /// <summary>
    /// Two CIs with no dependency path are still related when both directly depend on the same CI
    /// (services on one host, clients of one database), unless that CI has more than this many direct
    /// dependents: a shared platform CI would otherwise glue unrelated incidents. 0 turns the link off.
    /// Default 0 (off): two unrelated faults on one host or database are common, and a cause that
    /// alerts itself links its dependents anyway; set e.g. 25 when some shared CIs are not monitored.
    /// </summary>
    public int SharedDependencyMaxDependents { get; init; } = 0;

    /// <summary>
    /// Two CIs related by nothing else are related when both lie within this many hops of the same
    /// business service. Used only when no dependency link exists, because a business service
    /// reaches most of a small estate. 0 turns the link off. Default 0 (off): a business service is
    /// served by most of a small or dense estate, so the link glued noise and independent faults into
    /// incidents more often than it joined real symptoms (measured on the generated suite and the
    /// public call graphs); set e.g. 2 when the topology lacks the dependency edges between services.
    /// </summary>
    public int BusinessServiceMaxHops { get; init; } = 0;

    /// <summary>
    /// An alert upstream of several incidents (they depend on its CI) merges them only if it fired at
    /// most this long after each of them opened: a cause precedes or closely follows its symptoms,
    /// a late alert on a shared CI is more likely another symptom. Default 3 min (a cause detected a
    /// scrape interval and an alert <c>for:</c> period after its first symptom still counts). The same
    /// lag bounds the other direction: an alert joins an alert on one of its dependencies only if it
    /// started at most this long after it (a symptom follows its cause within a detection delay).
    /// </summary>
    public TimeSpan UpstreamLag { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>A resolved incident reopens when one of its alerts fires again, or a related alert arrives, within this time. Default 30 min.</summary>
    public TimeSpan ReopenGrace { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Changes on an incident's CIs this long before it opened are listed as suspects. Default 2 h.</summary>
    public TimeSpan ChangeLookback { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Change records kept per CI (the most recent ones). Default 16.</summary>
    public int MaxChangesPerCi { get; init; } = 16;

    /// <summary>Longest dependency path the root-cause ranking follows to see what a candidate explains. Default 16.</summary>
    public int RootCauseMaxHops { get; init; } = 16;

    /// <summary>The probabilities the root-cause ranking reasons with (<see cref="RootCauseScorer"/>). Default <see cref="RootCauseModel.Default"/>.</summary>
    public RootCauseModel RootCause { get; init; } = RootCauseModel.Default;

    /// <summary>Root-cause candidates listed per incident. Default 5.</summary>
    public int MaxRootCauses { get; init; } = 5;

    /// <summary>
    /// Overrides the ITIL priority matrix: 9 entries (P1..P5), row by row for impact 1..3, each row
    /// urgency 1..3 (rules file <c>priority.matrix</c>). Null or empty: the standard matrix of
    /// <see cref="Incidents.IncidentPriority.Priority(int, int)"/>.
    /// </summary>
    public IReadOnlyList<string>? PriorityMatrix { get; init; }

    public CorrelationOptions Validate()
    {
        PipelineOptions.Check(PriorityMatrix is null or { Count: 0 or 9 }, nameof(PriorityMatrix), "must have 9 entries (3 impacts x 3 urgencies)");
        PipelineOptions.Check(Window > TimeSpan.Zero, nameof(Window), "must be positive");
        PipelineOptions.Check(MaxHops is >= 1 and <= 16, nameof(MaxHops), "must be 1..16");
        PipelineOptions.Check(SharedDependencyMaxDependents >= 0, nameof(SharedDependencyMaxDependents), "must not be negative");
        PipelineOptions.Check(BusinessServiceMaxHops is >= 0 and <= 16, nameof(BusinessServiceMaxHops), "must be 0..16");
        PipelineOptions.Check(UpstreamLag >= TimeSpan.Zero, nameof(UpstreamLag), "must not be negative");
        PipelineOptions.Check(ReopenGrace >= TimeSpan.Zero, nameof(ReopenGrace), "must not be negative");
        PipelineOptions.Check(ChangeLookback >= TimeSpan.Zero, nameof(ChangeLookback), "must not be negative");
        PipelineOptions.Check(MaxChangesPerCi >= 1, nameof(MaxChangesPerCi), "must be at least 1");
        PipelineOptions.Check(RootCauseMaxHops is >= 1 and <= 64, nameof(RootCauseMaxHops), "must be 1..64");
        PipelineOptions.Check(MaxRootCauses >= 1, nameof(MaxRootCauses), "must be at least 1");
        PipelineOptions.Check(RootCause is not null, nameof(RootCause), "must be set");
        RootCause!.Validate();
        return this;
    }
}
