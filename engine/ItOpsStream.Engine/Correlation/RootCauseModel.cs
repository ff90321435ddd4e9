using ItOpsStream.Engine.Pipeline;

namespace ItOpsStream.Engine.Correlation;

/// <summary>
/// The probabilities behind <see cref="RootCauseScorer"/>. They are not fitted to any data set:
/// each is a round figure for what a monitored estate usually shows, and each is documented with
/// what it stands for, so an SRE can reason about a ranking and change a value deliberately.
/// </summary>
public sealed record RootCauseModel
{
    /// <summary>The defaults documented on each property.</summary>
    public static RootCauseModel Default { get; } = new();

    /// <summary>
    /// Chance that a given CI raises an unrelated alert within one correlation window: what an alert
    /// is worth when nothing explains it. Default 0.03: a few unrelated alerts an hour in an estate of a
    /// hundred CIs gives about 0.01 over a five-minute window, and alerts cluster (deploys, busy hours,
    /// other faults), so coincidences near an incident are commoner than that average.
    /// </summary>
    public double NoiseProbability { get; init; } = 0.03;

    /// <summary>Chance that a failure shows up as an alert one dependency hop further (impaired, then detected). Default 0.5.</summary>
    public double HopPropagation { get; init; } = 0.5;

    /// <summary>Chance that a CI running on a failed host, node or VM fails with it. Default 0.9.</summary>
    public double HostedFailure { get; init; } = 0.9;

    /// <summary>Chance that a CI depending on a failed CI (not hosted on it) is impaired: retries, fallbacks and optional calls keep some up. Default 0.5.</summary>
    public double DependentFailure { get; init; } = 0.5;

    /// <summary>Chance that an impaired CI raises an alert at all (monitoring coverage). Default 0.75.</summary>
    public double AlertProbability { get; init; } = 0.75;

    /// <summary>
    /// Most silent dependents whose silence counts as evidence against a candidate: silence is correlated
    /// (a partial outage keeps many dependents up alike), so a hub's hundred quiet dependents weigh as
    /// this many. Default 8.
    /// </summary>
    public int MaxSilentEvidence { get; init; } = 8;

    /// <summary>
    /// Alerting CIs of one incident ranked as hypotheses, the earliest first (the cost of a ranking grows with
    /// hypotheses times explanations); the others still count as what the hypotheses explain. Default 200.
    /// </summary>
    public int MaxCandidates { get; init; } = 200;

    /// <summary>Direct dependents looked at per candidate (bounds the cost on hubs). Default 256.</summary>
    public int MaxDependentsScanned { get; init; } = 256;

    /// <summary>How much likelier a CI is the cause when it was changed before its alert (within ChangeLookback). Default 3.</summary>
    public double ChangeFactor { get; init; } = 3;

    /// <summary>Prior of a candidate whose worst alert is major, relative to critical (1). Default 0.7.</summary>
    public double MajorPrior { get; init; } = 0.7;

    /// <summary>Prior of a candidate whose worst alert is minor, relative to critical. Default 0.5.</summary>
    public double MinorPrior { get; init; } = 0.5;

    /// <summary>Prior of a candidate whose worst alert is a warning, relative to critical. Default 0.3.</summary>
    public double WarningPrior { get; init; } = 0.3;

    /// <summary>Prior of a candidate with only info alerts, relative to critical. Default 0.2.</summary>
    public double InfoPrior { get; init; } = 0.2;

    public RootCauseModel Validate()
    {
        Probability(NoiseProbability, nameof(NoiseProbability));
        Probability(HopPropagation, nameof(HopPropagation));
        Probability(HostedFailure, nameof(HostedFailure));
        Probability(DependentFailure, nameof(DependentFailure));
        Probability(AlertProbability, nameof(AlertProbability));
        Probability(MajorPrior, nameof(MajorPrior));
        Probability(MinorPrior, nameof(MinorPrior));
        Probability(WarningPrior, nameof(WarningPrior));
        Probability(InfoPrior, nameof(InfoPrior));
        PipelineOptions.Check(MaxSilentEvidence >= 0, nameof(MaxSilentEvidence), "must not be negative");
        PipelineOptions.Check(MaxDependentsScanned >= 1, nameof(MaxDependentsScanned), "must be at least 1");
        PipelineOptions.Check(MaxCandidates >= 1, nameof(MaxCandidates), "must be at least 1");
        PipelineOptions.Check(ChangeFactor >= 1, nameof(ChangeFactor), "must be at least 1");
        return this;
    }

    private static void Probability(double value, string name) =>
        PipelineOptions.Check(value is > 0 and < 1 || (value == 1 && name.EndsWith("Prior", StringComparison.Ordinal)), name, "must be in (0, 1)");
}
