namespace ItOpsStream.Models.Anomaly;

/// <summary>Parameters of the seasonality-aware baseline detector (<c>seasonal</c>).</summary>
public sealed record SeasonalBaselineOptions
{
    /// <summary>Defaults: 48 half-hour buckets per day, 168 hourly buckets per week, 2 periods before a bucket predicts.</summary>
    public static SeasonalBaselineOptions Default { get; } = new();

    /// <summary>Time-of-day buckets of the daily profile (UTC).</summary>
    public int DayBuckets { get; init; } = 48;

    /// <summary>Time-of-week buckets of the weekly profile (UTC); 0 leaves the weekly profile out.</summary>
    public int WeekBuckets { get; init; } = 168;

    /// <summary>Weight of a new visit in a bucket's level and scale (after the first visits, averaged plainly).</summary>
    public double ProfileAlpha { get; init; } = 0.1;

    /// <summary>Visits on distinct periods a bucket needs before its profile predicts.</summary>
    public int MinPeriods { get; init; } = 2;

    /// <summary>EWMA weight of each model's tracked absolute error, which picks the model that predicts best.</summary>
    public double SelectionAlpha { get; init; } = 0.01;

    /// <summary>The non-seasonal fallback used while profiles are short of history.</summary>
    public RobustBaselineOptions Fallback { get; init; } = RobustBaselineOptions.Default;

    /// <summary>How the residual z-score becomes a calibrated score.</summary>
    public CalibrationOptions Calibration { get; init; } = CalibrationOptions.Default;

    internal void Validate()
    {
        DetectorValidation.AtLeast(DayBuckets, 1, nameof(DayBuckets));
        if (WeekBuckets is not 0 and < 7)
        {
            throw new ArgumentOutOfRangeException(nameof(WeekBuckets), WeekBuckets, "must be 0 (no weekly profile) or at least 7");
        }

        if (DayBuckets > 1440 || WeekBuckets > 10080)
        {
            throw new ArgumentOutOfRangeException(nameof(DayBuckets), "profiles are limited to one bucket per minute");
        }

        DetectorValidation.Fraction(ProfileAlpha, nameof(ProfileAlpha));
        DetectorValidation.Fraction(SelectionAlpha, nameof(SelectionAlpha));
        DetectorValidation.AtLeast(MinPeriods, 1, nameof(MinPeriods));
        Fallback.Validate();
        Calibration.Validate();
    }
}

/// <summary>
/// Seasonality-aware baseline: the absolute standardized residual against <see cref="SeasonalBaseline"/>
/// (daily and weekly profiles learnt online, robust level as fallback, re-levelled at change points),
/// calibrated online. A series without seasonality, or with too little history, behaves like
/// <c>robust</c>. O(1) per point.
/// </summary>
internal sealed class SeasonalBaselineDetector : IStreamingDetector
{
    private readonly SeasonalBaseline _baseline;
    private readonly TailCalibrator _calibrator;
    private ScoreShaper _shaper;

    public SeasonalBaselineDetector(SeasonalBaselineOptions? options = null)
    {
        options ??= SeasonalBaselineOptions.Default;
        options.Validate();
        _baseline = new SeasonalBaseline(options, ChangePointOptions.Default);
        _calibrator = new TailCalibrator(options.Calibration);
        _shaper = new ScoreShaper(options.Calibration);
    }

    public string Name => DetectorFactory.Seasonal;

    public double Score(long timestampMs, double value)
    {
        if (!double.IsFinite(value))
        {
            return 0;
        }

        var warm = _baseline.IsWarm;
        var (z, _) = _baseline.Observe(timestampMs, value);
        if (_baseline.Promoted)
        {
            // A seasonal profile just took over: the statistics so far described the worse model and weigh little now.
            _baseline.Promoted = false;
            _calibrator.Discount(TailCalibrator.PromotionDiscount);
        }

        var p = 1.0;
        if (warm)
        {
            var stat = Math.Abs(z);
            p = _calibrator.TailProbability(stat);
            _calibrator.Observe(stat);
        }

        return _shaper.Rest(_shaper.Surprise(p));
    }
}
