using ItOpsStream.Engine.Alerts;

namespace ItOpsStream.Engine.Correlation;

/// <summary>
/// The hook through which SRE rules (suppression, maintenance, grouping limits) steer correlation.
/// Called on the correlation thread only, so implementations need no locks, but must be fast and
/// must not block: they run once per new alert and candidate incident.
/// </summary>
public interface ICorrelationRules
{
    /// <summary>
    /// True when the alert must not open or join an incident (suppressed, in maintenance). It is
    /// still tracked: its repeats and resolves are counted, and it is evaluated again when it fires
    /// anew after a resolve.
    /// </summary>
    bool IsSuppressed(in AlertSnapshot alert);

    /// <summary>
    /// Whether the alert may join this incident, once topology and time already relate them
    /// (group_by labels, a maximum number of alerts, a lock after N minutes). False makes the
    /// correlator try the next candidate, or open a new incident.
    /// </summary>
    bool AllowJoin(in AlertSnapshot alert, IIncidentView incident);
}

/// <summary>A read-only view of a live incident, for rules.</summary>
public interface IIncidentView
{
    string Id { get; }

    /// <summary>Event time the incident opened, Unix ms.</summary>
    long OpenedAt { get; }

    /// <summary>The alerts currently in the incident, in the order they joined.</summary>
    IReadOnlyList<AlertSnapshot> Alerts { get; }
}
