using ItOpsStream.Models.Anomaly;
using ItOpsStream.Models.Logs;

namespace ItOpsStream.Engine.Logs;

/// <summary>Settings of <see cref="LogAlertProducer"/>. Immutable; validated when the producer is built.</summary>
public sealed record LogAlertOptions
{
    /// <summary>The defaults documented in docs/LOGS.md.</summary>
    public static LogAlertOptions Default { get; } = new();

    /// <summary>Tumbling event-time window over which (CI, template) counts are kept. Default 60 s.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Event time after the first record during which new templates are learnt silently. Default 15 min.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Past windows kept per series as the baseline of the rate detector. Default 30.</summary>
    public int History { get; init; } = 30;

    /// <summary>Windows of history a series needs before it can spike. Default 5.</summary>
    public int MinHistory { get; init; } = 5;

    /// <summary>Robust z-score (median/MAD of the history) a window count must reach to be a spike. Default 6.</summary>
    public double SpikeScore { get; init; } = 6;

    /// <summary>Smallest window count that can be a spike (keeps 0 → 2 from alerting). Default 10.</summary>
    public int MinSpikeCount { get; init; } = 10;

    /// <summary>
    /// Metric detector from <see cref="DetectorFactory"/> that every closed window count of a (CI, template) series is
    /// fed to; a score of at least <see cref="DetectorScore"/> (with at least <see cref="MinSpikeCount"/> records) is a
    /// rate spike too. Catches shifts the short median/MAD rule misses once the detector has warmed up. Default
    /// <c>robust</c>; null turns it off.
    /// </summary>
    public string? RateDetector { get; init; } = DetectorFactory.Robust;

    /// <summary>Detector score in [0, 1] that makes a closed window a spike. Default 0.99.</summary>
    public double DetectorScore { get; init; } = 0.99;

    /// <summary>Error and fatal records of one CI in one window that make a burst. Default 20.</summary>
    public int BurstCount { get; init; } = 20;

    /// <summary>A burst must also exceed this multiple of the CI's median error count. Default 3.</summary>
    public double BurstFactor { get; init; } = 3;

    /// <summary>
    /// Closed windows in a row without the alert's condition after which a log alert resolves: no record of a new
    /// error template's template, no spike of a spiking series, no burst on the CI. Default 5 (five quiet minutes).
    /// </summary>
    public int ResolveAfterWindows { get; init; } = 5;

    /// <summary>Sample messages carried by an alert. Default 3.</summary>
    public int Samples { get; init; } = 3;

    /// <summary>Upper bound on tracked (CI, template) series; records of further series are counted as dropped. Default 100 000.</summary>
    public int MaxSeries { get; init; } = 100_000;

    /// <summary>Settings of the template miner.</summary>
    public LogMinerOptions Miner { get; init; } = LogMinerOptions.Default;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Window <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(Window)} must be positive, got {Window}.");
        }

        if (WarmUp < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(WarmUp)} must not be negative, got {WarmUp}.");
        }

        if (History < 3 || MinHistory < 1 || MinHistory > History)
        {
            throw new ArgumentException($"{nameof(History)} must be >= 3 and {nameof(MinHistory)} in [1, {nameof(History)}], got {History} and {MinHistory}.");
        }

        if (SpikeScore <= 0 || MinSpikeCount < 1 || BurstCount < 1 || BurstFactor < 1 || Samples < 0 || MaxSeries < 1)
        {
            throw new ArgumentException("SpikeScore, MinSpikeCount, BurstCount and MaxSeries must be positive, BurstFactor >= 1, Samples >= 0.");
        }

        if (ResolveAfterWindows < 1)
        {
            throw new ArgumentException($"{nameof(ResolveAfterWindows)} must be at least 1, got {ResolveAfterWindows}.");
        }

        if (RateDetector is not null && !DetectorFactory.IsKnown(RateDetector))
        {
            throw new ArgumentException($"{nameof(RateDetector)} '{RateDetector}' is unknown (known: {string.Join(", ", DetectorFactory.Names.Select(n => n.Name))}).");
        }

        if (DetectorScore is <= 0 or > 1 || double.IsNaN(DetectorScore))
        {
            throw new ArgumentException($"{nameof(DetectorScore)} must be in (0, 1], got {DetectorScore}.");
        }

        Miner.Validate();
    }
}
