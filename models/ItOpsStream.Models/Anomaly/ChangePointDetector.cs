namespace ItOpsStream.Models.Anomaly;

/// <summary>Parameters of the change-point detector (<c>changepoint</c>) and of the re-levelling of the seasonal baseline.</summary>
public sealed record ChangePointOptions
{
    /// <summary>Defaults: allowance 0.5 σ, residuals clipped at 4 σ, change declared at 24 σ of accumulated drift.</summary>
    public static ChangePointOptions Default { get; } = new();

    /// <summary>CUSUM allowance k in scales: drift smaller than this is ignored (detects shifts of about 2k and more).</summary>
    public double Allowance { get; init; } = 0.5;

    /// <summary>Residuals are clipped at this many scales before they accumulate, so one spike is not a change.</summary>
    public double ResidualClip { get; init; } = 4;

    /// <summary>CUSUM value h at which a change is declared and the baseline re-levels.</summary>
    public double RestartAt { get; init; } = 24;

    /// <summary>The baseline whose residuals are accumulated; null for a non-seasonal level.</summary>
    public SeasonalBaselineOptions? Baseline { get; init; } = SeasonalBaselineOptions.Default;

    /// <summary>How the CUSUM value becomes a calibrated score.</summary>
    public CalibrationOptions Calibration { get; init; } = CalibrationOptions.Default;

    internal void Validate()
    {
        if (Allowance is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(Allowance), Allowance, "must be in [0, 10]");
        }

        if (ResidualClip <= Allowance)
        {
            throw new ArgumentOutOfRangeException(nameof(ResidualClip), ResidualClip, "must exceed the allowance");
        }

        if (RestartAt <= ResidualClip)
        {
            throw new ArgumentOutOfRangeException(nameof(RestartAt), RestartAt, "must exceed the residual clip");
        }

        Baseline?.Validate();
        Calibration.Validate();
    }
}

/// <summary>
/// Change-point detection by a two-sided CUSUM (Page 1954) of the seasonal baseline's standardized,
/// clipped residuals. The CUSUM value itself is the statistic, calibrated online; when it passes
/// <see cref="ChangePointOptions.RestartAt"/> the baseline re-levels, so the detector fires at the
/// onset of a level shift or drift rather than for its whole duration. O(1) per point.
/// </summary>
internal sealed class ChangePointDetector : IStreamingDetector
{
    private readonly SeasonalBaseline _baseline;
    private readonly TailCalibrator _calibrator;
    private ScoreShaper _shaper;

    public ChangePointDetector(ChangePointOptions? options = null)
    {
        options ??= ChangePointOptions.Default;
        options.Validate();
        _baseline = new SeasonalBaseline(options.Baseline, options);
        _calibrator = new TailCalibrator(options.Calibration);
        _shaper = new ScoreShaper(options.Calibration);
    }

    public string Name => DetectorFactory.ChangePoint;

    public double Score(long timestampMs, double value)
    {
        if (!double.IsFinite(value))
        {
            return 0;
        }

        var warm = _baseline.IsWarm;
        var (_, cusum) = _baseline.Observe(timestampMs, value);
        if (_baseline.Promoted)
        {
            // A seasonal profile just took over: the statistics so far described the worse model and weigh little now.
            _baseline.Promoted = false;
            _calibrator.Discount(TailCalibrator.PromotionDiscount);
        }

        var p = 1.0;
        if (warm)
        {
            p = _calibrator.TailProbability(cusum);
            _calibrator.Observe(cusum);
        }

        return _shaper.Rest(_shaper.Surprise(p));
    }
}
