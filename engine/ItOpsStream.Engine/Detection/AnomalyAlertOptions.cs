using ItOpsStream.Models.Anomaly;

namespace ItOpsStream.Engine.Detection;

/// <summary>Options of the metric anomaly alert producer.</summary>
public sealed record AnomalyAlertOptions
{
    /// <summary>Defaults: 100 000 series per shard, <see cref="AnomalyTrackerOptions.Default"/>, source <c>itopsstream.anomaly</c>.</summary>
    public static AnomalyAlertOptions Default { get; } = new();

    /// <summary>Live series kept per shard; beyond, the least recently updated series is forgotten (and its open alert resolved).</summary>
    public int MaxSeries { get; init; } = 100_000;

    /// <summary>Detector and hysteresis of each series.</summary>
    public AnomalyTrackerOptions Tracker { get; init; } = AnomalyTrackerOptions.Default;

    /// <summary>The <c>source</c> of emitted alerts (part of their fingerprint).</summary>
    public string Source { get; init; } = "itopsstream.anomaly";

    public AnomalyAlertOptions Validate()
    {
        if (MaxSeries < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSeries), MaxSeries, "must be at least 1");
        }

        if (string.IsNullOrWhiteSpace(Source))
        {
            throw new ArgumentException("must not be empty", nameof(Source));
        }

        _ = new AnomalyTracker(Tracker);
        return this;
    }
}
