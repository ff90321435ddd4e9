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

    internal void Validate()
    {
        Seasonal?.Validate();
        ChangePoint.Validate();
        Spectral?.Validate();
        Calibration.Validate();
    }
}

/// <summary>
/// The default detector and the <c>ensemble</c>. One seasonality-aware baseline (see <see cref="SeasonalBaseline"/>),
/// re-levelled by a CUSUM of its residuals after a change point, feeds the members: the absolute standardized residual
/// (spikes, dips, a normal value at an abnormal hour); in <c>ensemble</c> also the CUSUM itself (small persistent
/// shifts, early) and the spectral residual of the raw values (changes of shape). Each member's statistic becomes a tail probability calibrated
/// on this series; the ensemble takes the smallest, Bonferroni-corrected, p = min(1, m · min pᵢ),
/// maps it to a score with log10(1/p) / 10 and applies one rest period.
/// </summary>
/// <remarks>
/// The min-p rule keeps the false-alarm meaning of a threshold: if each member's p is calibrated,
/// P(combined p ≤ α) ≤ α whatever their dependence.
/// </remarks>
internal sealed class EnsembleDetector : IStreamingDetector
{
    private readonly SeasonalBaseline _baseline;
    private readonly TailCalibrator _residual;
    private readonly TailCalibrator? _cusum;
    private readonly SpectralResidualDetector? _spectral;
    private readonly double _members;
    private ScoreShaper _shaper;

    public EnsembleDetector(EnsembleOptions? options = null, string name = DetectorFactory.Default)
    {
        options ??= EnsembleOptions.Default;
        Name = name;
        options.Validate();
        _baseline = new SeasonalBaseline(options.Seasonal, options.ChangePoint);
        _residual = new TailCalibrator(options.Calibration);
        _cusum = options.ScoreChangePoints ? new TailCalibrator(options.Calibration) : null;
        _spectral = options.Spectral is null ? null : new SpectralResidualDetector(options.Spectral);
        _members = 1 + (_cusum is null ? 0 : 1) + (_spectral is null ? 0 : 1);
        _shaper = new ScoreShaper(options.Calibration);
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
        var (z, cusum) = _baseline.Observe(timestampMs, value);
        if (_baseline.Promoted)
        {
            // A seasonal profile just took over: the statistics so far described the worse model and weigh little now.
            _baseline.Promoted = false;
            _residual.Discount(TailCalibrator.PromotionDiscount);
            _cusum?.Discount(TailCalibrator.PromotionDiscount);
        }

        var p = 1.0;
        if (warm)
        {
            var stat = Math.Abs(z);
            p = _residual.TailProbability(stat);
            _residual.Observe(stat);
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
