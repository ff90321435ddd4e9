namespace ItOpsStream.Models.Anomaly;

/// <summary>Parameters of the default ensemble (<c>default</c>, alias <c>ensemble</c>).</summary>
public sealed record EnsembleOptions
{
    /// <summary>
    /// The <c>default</c> detector: the seasonal baseline's residual, re-levelled by the CUSUM but without the CUSUM as
    /// a scoring member (on public real-world series, the NAB subset in bench/results/detectors.md, its alarms were
    /// mostly false: NAB standard 54 without it, 46 with it; the synthetic corpus scores the same either way), and no
    /// spectral residual (about ten times the cost per point, no better on either corpus).
    /// </summary>
    public static EnsembleOptions Default { get; } = new();

    /// <summary>The <c>ensemble</c> detector: <see cref="Default"/> plus the CUSUM and spectral residual members.</summary>
    public static EnsembleOptions WithSpectral { get; } = new() { ScoreChangePoints = true, Spectral = SpectralResidualOptions.Default };

    /// <summary>The shared baseline; null for a non-seasonal robust level (saves about 3 KB of profiles per series).</summary>
    public SeasonalBaselineOptions? Seasonal { get; init; } = SeasonalBaselineOptions.Default;

    /// <summary>The CUSUM member and the baseline's re-levelling (its <see cref="ChangePointOptions.Baseline"/> is not used: the ensemble's baseline is <see cref="Seasonal"/>).</summary>
    public ChangePointOptions ChangePoint { get; init; } = ChangePointOptions.Default;

    /// <summary>Whether the CUSUM value is a member; when false (the default) it still re-levels the baseline.</summary>
    public bool ScoreChangePoints { get; init; }

    /// <summary>Spectral residual member, or null (the default) to leave it out: it is the most expensive per point.</summary>
    public SpectralResidualOptions? Spectral { get; init; }

    /// <summary>Calibration of each member and score mapping and rest period of the combined score.</summary>
    public CalibrationOptions Calibration { get; init; } = CalibrationOptions.Default;

    /// <summary>
    /// Resolution of the residual: it is standardized by at least the series' recent range divided by this, so a
    /// deviation smaller than one part in <c>Resolution</c> of the range never counts, however quiet the series had
    /// been (a series that falls to a near-flat line would otherwise find its own noise alarming). 130 as the
    /// buckets of HTM's value encoder in NAB; 0 disables.
    /// </summary>
    public int Resolution { get; init; } = 130;

    /// <summary>
    /// A value beyond the recent range by more than this share of the range is a novelty: its residual's tail
    /// probability is multiplied by <see cref="NoveltyFactor"/> (a new high or low is more alarming than the same
    /// deviation inside the known range; HTM's spatial anomaly in NAB uses the same 5 %).
    /// </summary>
    public double NoveltyTolerance { get; init; } = 0.05;

    /// <summary>Factor on a novelty's tail probability: 0.01 adds 0.2 to its score with the default 10 decades; 1 disables novelties.</summary>
    public double NoveltyFactor { get; init; } = 0.01;

    /// <summary>
    /// Latest points left out of the range a novelty is judged against (they still count for
    /// <see cref="Resolution"/>): a new low reached in a few steps, a staircase or a ramp, is judged against the range
    /// before it began, not against its own previous step, which it never exceeds by the tolerance. Default 3 (on NAB a
    /// sensor's slide to a new low, one window more at no false positive more; any lag from 3 to 100 points gave the
    /// same); 0 judges against every earlier point. At most 16.
    /// </summary>
    public int NoveltyLagPoints { get; init; } = 3;

    /// <summary>
    /// Weight of the newest point in the smoothed level (an exponentially weighted mean of the values, about 2 / α
    /// points) whose leaving its own recent range by <see cref="LevelNoveltyTolerance"/> is a novelty too (same
    /// <see cref="NoveltyFactor"/>, lag and horizon as the values' range): a level that slides or settles beyond where
    /// it has been, a failing sensor, a draining pool, though no point is remarkable next to the last and the values'
    /// own range is stretched by old spikes. 0 disables. Default 0.1, about 20 points.
    /// </summary>
    public double LevelNoveltyAlpha { get; init; } = 0.1;

    /// <summary>
    /// Share of the smoothed level's range it must pass to be new (default 0.03: smaller than the values' 5 %, as the
    /// smoothed level has no spikes to widen its range).
    /// </summary>
    public double LevelNoveltyTolerance { get; init; } = 0.03;

    /// <summary>
    /// Weight left to the residual's calibration when a seasonal profile first takes over (the daily profile, later perhaps
    /// the weekly one: each halves it once; default 0.5).
    /// The residuals seen so far came from a worse model and keep the fitted tail heavy; forgetting them (0, as the
    /// single detectors do) means learning the tail again from nothing just as the series' history starts to count,
    /// which flags ordinary points; keeping them whole keeps the tail heavy for thousands of points. Halving is the
    /// compromise (NAB 58 files, bench/results/detectors.md: 1 → 70.0, 0.5 → 71.6, 0.4–0.8 → 70.0–70.5; 0 cost 3.5
    /// points in an earlier version). In [0, 1].
    /// </summary>
    public double PromotionWeight { get; init; } = 0.5;

    /// <summary>
    /// History correction of a residual inside the known range (not a novelty): its tail probability is multiplied by
    /// (n / <see cref="HistoryPoints"/>)^<c>HistoryExponent</c> once the series has been scored for n points beyond that,
    /// up to <see cref="HistoryMaxFactor"/>. A long-watched series has had more chances to produce any given in-range
    /// excursion; this partial multiple-testing correction makes the expected number of in-range alarms grow more slowly
    /// than its history. Novelties are not corrected: records get rarer by themselves. Default 0.25 (a factor of 1.4 at
    /// 16 000 points, about −0.015 on the score); 0 disables.
    /// </summary>
    public double HistoryExponent { get; init; } = 0.25;

    /// <summary>History after which <see cref="HistoryExponent"/> applies, in scored points (default 4 000).</summary>
    public int HistoryPoints { get; init; } = 4_000;

    /// <summary>Largest factor of the history correction (default 2, reached at 16 × <see cref="HistoryPoints"/> with the default exponent), so a series watched for years stays as sensitive as one watched for months.</summary>
    public double HistoryMaxFactor { get; init; } = 2;

    /// <summary>Horizon of the range used by <see cref="Resolution"/> and novelties, in points (forgotten after one to two horizons).</summary>
    public int RangeMemoryPoints { get; init; } = 20_000;

    /// <summary>
    /// Memories of the sustained residual: per memory, an exponentially weighted mean of the standardized residual,
    /// each clipped (see <see cref="SustainedScale"/>). A surge of activity, a higher rate of spikes or a drift, none
    /// of whose points is remarkable alone, moves it far from 0; one spike, clipped, barely does. Each mean's size is
    /// calibrated on this series like the residual, and the residual member reports the smallest of their tail
    /// probabilities. Defaults: about 10 points (α 0.2, clip 3: a spike moves it by at most 0.6 scales) and about 65
    /// (α 0.03, clip 5). On NAB (57 files, bench/results/detectors.md) 61.0 without, 66.7 with the long memory alone,
    /// 67.0 with both; the short one recovers what the long one cost on the synthetic corpora. Empty disables.
    /// </summary>
    public IReadOnlyList<SustainedScale> Sustained { get; init; } = [new(0.2, 3), new(0.03, 5)];

    /// <summary>
    /// Whether an excursion that happened at about the same time of day on two earlier days counts as normal (a
    /// tail probability of <see cref="CalibrationOptions.TailFraction"/>); see <see cref="DailyPrecedent"/>.
    /// </summary>
    public bool DailyPrecedent { get; init; } = true;

    private const int MaxNoveltyLag = 16;

    internal void Validate()
    {
        Seasonal?.Validate();
        ChangePoint.Validate();
        Spectral?.Validate();
        Calibration.Validate();
        if (Resolution < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Resolution), Resolution, "must be non-negative");
        }

        if (NoveltyTolerance is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(NoveltyTolerance), NoveltyTolerance, "must be in [0, 10]");
        }

        if (NoveltyFactor is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(NoveltyFactor), NoveltyFactor, "must be in (0, 1]");
        }

        if (LevelNoveltyAlpha is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(LevelNoveltyAlpha), LevelNoveltyAlpha, "must be in [0, 1)");
        }

        if (LevelNoveltyTolerance is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(LevelNoveltyTolerance), LevelNoveltyTolerance, "must be in [0, 10]");
        }

        if (NoveltyLagPoints is < 0 or > MaxNoveltyLag)
        {
            throw new ArgumentOutOfRangeException(nameof(NoveltyLagPoints), NoveltyLagPoints, $"must be in [0, {MaxNoveltyLag}]");
        }

        if (PromotionWeight is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PromotionWeight), PromotionWeight, "must be in [0, 1]");
        }

        if (HistoryExponent is < 0 or > 2)
        {
            throw new ArgumentOutOfRangeException(nameof(HistoryExponent), HistoryExponent, "must be in [0, 2]");
        }

        if (HistoryPoints < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(HistoryPoints), HistoryPoints, "must be at least 1");
        }

        if (HistoryMaxFactor < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(HistoryMaxFactor), HistoryMaxFactor, "must be at least 1");
        }

        foreach (var scale in Sustained)
        {
            scale.Validate();
        }

        if (RangeMemoryPoints < 100)
        {
            throw new ArgumentOutOfRangeException(nameof(RangeMemoryPoints), RangeMemoryPoints, "must be at least 100");
        }
    }
}

/// <summary>
/// The default detector and the <c>ensemble</c>. One seasonality-aware baseline (see <see cref="SeasonalBaseline"/>),
/// re-levelled by a CUSUM of its residuals after a change point, feeds the members: the absolute standardized residual
/// (spikes, dips, a normal value at an abnormal hour), standardized no finer than the series' range allows
/// (<see cref="EnsembleOptions.Resolution"/>) and normal again when it recurs daily (<see cref="DailyPrecedent"/>),
/// more surprising when the value or its smoothed level leaves its recent range (a novelty,
/// <see cref="EnsembleOptions.NoveltyTolerance"/>, <see cref="EnsembleOptions.LevelNoveltyAlpha"/>), or persistently
/// one-sided over the last tens of points though no point alone is remarkable (<see cref="EnsembleOptions.Sustained"/>); in <c>ensemble</c>
/// also the CUSUM itself (small persistent shifts, early) and the spectral residual of the raw values (changes of
/// shape). Each member's statistic becomes a tail probability calibrated on this series; the ensemble takes the
/// smallest, Bonferroni-corrected, p = min(1, m · min pᵢ), maps it to a score with log10(1/p) / 10 and applies one
/// rest period.
/// </summary>
/// <remarks>
/// The min-p rule keeps the false-alarm meaning of a threshold: if each member's p is calibrated,
/// P(combined p ≤ α) ≤ α whatever their dependence.
/// </remarks>
internal sealed class EnsembleDetector : IStreamingDetector
{
    private readonly SeasonalBaseline _baseline;
    private readonly TailCalibrator _residual;
    private readonly SustainedResidual[] _sustained;
    private readonly TailCalibrator? _cusum;
    private readonly SpectralResidualDetector? _spectral;
    private readonly DailyPrecedent? _precedent;
    private readonly double _members;
    private readonly double _invResolution;
    private readonly double _noveltyTolerance;
    private readonly double _noveltyFactor;
    private readonly double _ordinaryTail;
    private readonly double _levelAlpha;
    private readonly double _levelTolerance;
    private readonly double _promotionWeight;
    private readonly double _historyExponent;
    private readonly double _historyPoints;
    private readonly double _historyMaxFactor;
    private long _scored;
    private double _historyFactor = 1;
    private LaggedRange _range;
    private LaggedRange _levelRange;
    private double _level = double.NaN;
    private ScoreShaper _shaper;

    public EnsembleDetector(EnsembleOptions? options = null, string name = DetectorFactory.Default)
    {
        options ??= EnsembleOptions.Default;
        Name = name;
        options.Validate();
        _baseline = new SeasonalBaseline(options.Seasonal, options.ChangePoint);
        _residual = new TailCalibrator(options.Calibration);
        _sustained = options.Sustained.Select(scale => new SustainedResidual(scale, options.Calibration)).ToArray();
        _cusum = options.ScoreChangePoints ? new TailCalibrator(options.Calibration) : null;
        _spectral = options.Spectral is null ? null : new SpectralResidualDetector(options.Spectral);
        _members = 1 + (_cusum is null ? 0 : 1) + (_spectral is null ? 0 : 1);
        _precedent = options.DailyPrecedent ? new DailyPrecedent() : null;
        _invResolution = options.Resolution == 0 ? 0 : 1.0 / options.Resolution;
        _noveltyTolerance = options.NoveltyTolerance;
        _noveltyFactor = options.NoveltyFactor;
        _ordinaryTail = options.Calibration.TailFraction;
        _range = new LaggedRange(options.RangeMemoryPoints, options.NoveltyLagPoints);
        _levelRange = new LaggedRange(options.RangeMemoryPoints, options.NoveltyLagPoints);
        _levelAlpha = options.LevelNoveltyAlpha;
        _levelTolerance = options.LevelNoveltyTolerance;
        _shaper = new ScoreShaper(options.Calibration);
        _promotionWeight = options.PromotionWeight;
        _historyExponent = options.HistoryExponent;
        _historyPoints = options.HistoryPoints;
        _historyMaxFactor = options.HistoryMaxFactor;
    }

    public string Name { get; }

    public double Score(long timestampMs, double value)
    {
        if (!double.IsFinite(value))
        {
            return 0;
        }

        return _shaper.Rest(_shaper.Surprise(TailProbability(timestampMs, value)));
    }

    /// <summary>Combined tail probability of this point, before the rest period; updates the state.</summary>
    internal double TailProbability(long timestampMs, double value)
    {
        var warm = _baseline.IsWarm;

        // The range of the values before this point floors the residual's scale (its resolution); leaving the range of
        // those before the latest few is a novelty, and so is the smoothed level leaving its own range.
        _baseline.ScaleFloor = _range.Span * _invResolution;
        var novel = _range.IsBeyond(value, _noveltyTolerance);
        _range.Add(value);
        if (_levelAlpha > 0)
        {
            _level = double.IsNaN(_level) ? value : _level + (_levelAlpha * (value - _level));
            novel |= _levelRange.IsBeyond(_level, _levelTolerance);
            _levelRange.Add(_level);
        }

        var (z, cusum) = _baseline.Observe(timestampMs, value);

        // A seasonal profile taking over does not restart the calibration here, as the single detectors do: learning
        // the tail again from nothing, just as a series' history starts to count, flagged ordinary points. The worse
        // model's residuals only lose weight (PromotionWeight).
        if (_baseline.Promoted)
        {
            _baseline.Promoted = false;
            if (_promotionWeight < 1)
            {
                _residual.Discount(_promotionWeight);
            }
        }

        var p = 1.0;
        if (warm)
        {
            var stat = Math.Abs(z);
            p = _residual.TailProbability(stat);
            if (_precedent is not null && stat > _residual.Threshold && _precedent.Recurs(timestampMs, stat))
            {
                p = Math.Max(p, _ordinaryTail);
            }

            _residual.Observe(stat);

            // The history factor moves slowly: refreshed every 64 points.
            if ((++_scored & 63) == 0 && _historyExponent > 0 && _scored > _historyPoints && _historyFactor < _historyMaxFactor)
            {
                _historyFactor = Math.Min(_historyMaxFactor, Math.Pow(_scored / _historyPoints, _historyExponent));
            }

            if (novel)
            {
                p *= _noveltyFactor;
            }
            else
            {
                p = Math.Min(1, p * _historyFactor);
            }

            // Part of the residual member, not members of their own: no multiplicity factor (× 2 moved NAB by less
            // than its noise and cost 1–4 points on the synthetic corpora).
            foreach (var sustained in _sustained)
            {
                p = Math.Min(p, sustained.Observe(z));
            }

            if (_cusum is not null)
            {
                p = Math.Min(p, _cusum.TailProbability(cusum));
                _cusum.Observe(cusum);
            }
        }

        if (_spectral is not null)
        {
            p = Math.Min(p, _spectral.TailProbability(value));
        }

        return Math.Min(1, p * _members);
    }
}
