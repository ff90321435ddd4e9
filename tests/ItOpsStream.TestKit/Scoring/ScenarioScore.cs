using ItOpsStream.TestKit.Generators;

namespace ItOpsStream.TestKit.Scoring;

/// <summary>
/// How the engine handled one injected fault. <c>Incidents</c>: incidents the fault's alerts were
/// spread over, alerts in no incident counting one each (1 is right). <c>MajorityShare</c>: share of
/// the fault's alerts in the incident holding most of them; <c>PredictedRoot</c> is that incident's
/// <c>root_cause[0].ci</c>; <c>ForeignAlerts</c> and <c>NoiseAlerts</c> are other faults' alerts and
/// noise alerts wrongly in that incident.
/// </summary>
public sealed record FaultScore(string Fault, FaultKind Kind, string RootCi, int Alerts, int Incidents, double MajorityShare, string? PredictedRoot, bool Top1, bool Top3, int ForeignAlerts, int NoiseAlerts)
{
    /// <summary>The score the engine gave <see cref="PredictedRoot"/> (NaN when there is none): what calibration is judged on.</summary>
    public double PredictedScore { get; init; } = double.NaN;
}

/// <summary>Quality figures of one scenario (definitions in docs/TESTKIT.md).</summary>
public sealed record ScenarioScore
{
    public required string Scenario { get; init; }
    public required string Shape { get; init; }
    /// <summary>Distinct alerts in the truth (fault and noise).</summary>
    public required int Alerts { get; init; }
    public required int FaultAlerts { get; init; }
    /// <summary>Alert event records in the input (firing and resolved, repeats and flaps included).</summary>
    public required int AlertEvents { get; init; }
    /// <summary>Incidents holding at least one truth alert, plus truth alerts in no incident (each would reach someone alone).</summary>
    public required int Incidents { get; init; }
    /// <summary>Surviving incidents with no truth alert at all (e.g. built only from the engine's own anomaly alerts).</summary>
    public required int ExtraIncidents { get; init; }
    /// <summary>Truth alerts found in no incident.</summary>
    public required int UnmatchedAlerts { get; init; }
    /// <summary>Truth alerts listed by more than one surviving incident (scored in the first one).</summary>
    public required int AlertsInSeveralIncidents { get; init; }
    public required long TruePairs { get; init; }
    public required long PredictedPairs { get; init; }
    public required long CorrectPairs { get; init; }
    public required IReadOnlyList<FaultScore> Faults { get; init; }

    /// <summary>Share of predicted same-incident pairs that belong to the same fault; 1 when nothing was grouped.</summary>
    public double Precision => PredictedPairs == 0 ? 1 : (double)CorrectPairs / PredictedPairs;

    /// <summary>Share of same-fault pairs that ended in the same incident; 1 when no fault has two alerts.</summary>
    public double Recall => TruePairs == 0 ? 1 : (double)CorrectPairs / TruePairs;

    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    /// <summary>Event compression, as AIOps tools report it: 1 - incidents / alert events in.</summary>
    public double Compression => AlertEvents == 0 ? 0 : 1 - ((double)Incidents / AlertEvents);

    /// <summary>Alert compression: 1 - incidents / distinct alerts (after deduplication); stricter.</summary>
    public double AlertCompression => Alerts == 0 ? 0 : 1 - ((double)Incidents / Alerts);

    public int Top1Hits => Faults.Count(f => f.Top1);

    public int Top3Hits => Faults.Count(f => f.Top3);
}
