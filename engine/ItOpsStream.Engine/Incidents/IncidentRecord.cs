using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Incidents;

/// <summary>What happened to an incident in this record (CONTRACTS §3, field <c>action</c>).</summary>
public enum IncidentAction : byte
{
    Open = 0,
    Update = 1,
    Resolve = 2,
    Reopen = 3,
    Merge = 4,
}

/// <summary>One ranked root-cause candidate.</summary>
public sealed record RootCauseCandidate(string Ci, double Score, string Reason);

/// <summary>An alert as listed in an incident. <c>Flapping</c>: it counts as firing until it calms down.</summary>
public sealed record IncidentAlert(
    string Fingerprint,
    string? Ci,
    string? Check,
    Severity Severity,
    AlertStatus Status,
    long FirstSeen,
    long LastSeen,
    long Count,
    bool Flapping = false)
{
    /// <summary>Inhibited by a rule: it is in the incident of the alert that inhibits it and does not raise the priority. Written only when true.</summary>
    public bool Inhibited { get; init; }

    /// <summary>The alert's labels, for rules in the same process (remediation templates). Not part of the JSON record.</summary>
    public Telemetry.LabelSet Labels { get; init; }
}

/// <summary>A change record linked to an incident as a suspect.</summary>
public sealed record IncidentChange(string ChangeId, string? Ci, long Timestamp);

/// <summary>
/// A full snapshot of an incident after a change (CONTRACTS §3). <see cref="Version"/> grows by one
/// per record of the same <see cref="IncidentId"/>, so consumers upsert and ignore stale versions.
/// Times are Unix epoch milliseconds of event time; they are written as RFC 3339 strings.
/// </summary>
public sealed record IncidentRecord
{
    public required string IncidentId { get; init; }
    public required long Version { get; init; }
    public required IncidentAction Action { get; init; }
    public required long OpenedAt { get; init; }
    public required long UpdatedAt { get; init; }
    public long? ResolvedAt { get; init; }
    public required string Title { get; init; }
    /// <summary><c>P1</c> … <c>P5</c>, from the ITIL impact × urgency matrix.</summary>
    public required string Priority { get; init; }
    /// <summary>1 (high) … 3 (low).</summary>
    public required int Impact { get; init; }
    /// <summary>1 (high) … 3 (low).</summary>
    public required int Urgency { get; init; }
    public required IReadOnlyList<RootCauseCandidate> RootCause { get; init; }
    public required IReadOnlyList<string> ImpactedServices { get; init; }
    public string? CmdbCi { get; init; }
    public string? AssignmentGroup { get; init; }
    public required IReadOnlyList<IncidentAlert> Alerts { get; init; }
    public required IReadOnlyList<IncidentChange> Changes { get; init; }
    public required IReadOnlyList<string> Explanation { get; init; }
    /// <summary>Set when <see cref="Action"/> is <see cref="IncidentAction.Merge"/>: the surviving incident.</summary>
    public string? MergedInto { get; init; }
}
