using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Incidents;

/// <summary>Impact, urgency and the ITIL priority matrix.</summary>
public static class IncidentPriority
{
    /// <summary>
    /// Impact from the most critical impacted business service: critical or high → 1, medium → 2,
    /// low or none impacted → 3.
    /// </summary>
    public static int Impact(Criticality? highest) => highest switch
    {
        Criticality.Critical or Criticality.High => 1,
        Criticality.Medium => 2,
        _ => 3,
    };

    /// <summary>Urgency from the most severe alert: critical → 1, major → 2, anything less → 3.</summary>
    public static int Urgency(Severity highest) => highest switch
    {
        Severity.Critical => 1,
        Severity.Major => 2,
        _ => 3,
    };

    /// <summary>
    /// The priority from <paramref name="matrix"/> (9 entries, impact-major, as in
    /// <see cref="Correlation.CorrelationOptions.PriorityMatrix"/>), or the standard matrix when it is null or empty.
    /// </summary>
    public static string Priority(int impact, int urgency, IReadOnlyList<string>? matrix)
    {
        string standard = Priority(impact, urgency);
        return matrix is { Count: 9 } ? matrix[((impact - 1) * 3) + urgency - 1] : standard;
    }

    /// <summary>
    /// The ITIL 3×3 matrix: P1 for impact 1 × urgency 1, one step down per step of either, P5 for 3 × 3.
    /// <code>
    ///             urgency 1  2  3
    /// impact 1         P1 P2 P3
    /// impact 2         P2 P3 P4
    /// impact 3         P3 P4 P5
    /// </code>
    /// </summary>
    public static string Priority(int impact, int urgency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(impact, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(impact, 3);
        ArgumentOutOfRangeException.ThrowIfLessThan(urgency, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(urgency, 3);
        return (impact + urgency - 1) switch
        {
            1 => "P1",
            2 => "P2",
            3 => "P3",
            4 => "P4",
            _ => "P5",
        };
    }
}
