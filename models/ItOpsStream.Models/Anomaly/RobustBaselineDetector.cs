namespace ItOpsStream.Models.Anomaly;

/// <summary>Parameters of the robust baseline detector (<c>robust</c>).</summary>
public sealed record RobustBaselineOptions
{
    /// <summary>Defaults: level follows with α = 0.02 (about 50 points), Huber clipping at 3 scales.</summary>
    public static RobustBaselineOptions Default { get; } = new();

    /// <summary>EWMA weight of the level (location) estimate.</summary>
    public double LevelAlpha { get; init; } = 0.02;

    /// <summary>EWMA weight of the scale (mean absolute deviation) estimate.</summary>
    public double ScaleAlpha { get; init; } = 0.02;

    /// <summary>Residuals are clipped at this many scales before they update the baseline (Huber), so a spike does not drag it.</summary>
    public double HuberK { get; init; } = 3;

    /// <summary>Points averaged plainly before the EWMA takes over; nothing is scored before.</summary>
    public int WarmupPoints { get; init; } = 32;

    /// <summary>How the residual z-score becomes a calibrated score.</summary>
    public CalibrationOptions Calibration { get; init; } = CalibrationOptions.Default;

    internal void Validate()
    {
        DetectorValidation.Fraction(LevelAlpha, nameof(LevelAlpha));
        DetectorValidation.Fraction(ScaleAlpha, nameof(ScaleAlpha));
        if (HuberK is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(HuberK), HuberK, "must be in [1, 100]");
        }

        if (WarmupPoints < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(WarmupPoints), WarmupPoints, "must be at least 2");
        }

        Calibration.Validate();
    }
}

/// <summary>
/// Level and scale of a series tracked by a Huber-clipped EWMA: the robust residual baseline used
/// by several detectors. O(1) per point.
/// </summary>
internal struct RobustLevel
{
    // Mean absolute deviation of a Gaussian is 0.798 σ.
    private const double MadToSigma = 1.2533;

    private readonly double _alpha;
    private readonly double _scaleAlpha;
    private readonly double _k;
    private readonly int _warmup;
    private double _mean;
    private double _mad;
    private double _slowMad;
    private int _n;

    public RobustLevel(double alpha, double scaleAlpha, double huberK, int warmup)
    {
        _alpha = alpha;
        _scaleAlpha = scaleAlpha;
        _k = huberK;
        _warmup = warmup;
    }

    public readonly bool IsWarm => _n >= _warmup;

    public readonly double Mean => _mean;

    /// <summary>
    /// σ-equivalent scale: the clipped mean absolute deviation, floored by half the slow unclipped one (so
    /// that discrete or mostly-constant data, whose clipped deviation collapses to 0, keeps a real scale),
    /// and by a tiny fraction of the level so that a truly flat series still divides safely.
    /// </summary>
    public readonly double Scale => Math.Max(MadToSigma * Math.Max(_mad, 0.5 * _slowMad), 1e-9 * (Math.Abs(_mean) + 1e-3));

    /// <summary>Residual of x against the current baseline, in scales.</summary>
    public readonly double Z(double x) => (x - _mean) / Scale;

    /// <summary>Moves the level by <paramref name="delta"/> (a detected level shift).</summary>
    public void Shift(double delta) => _mean += delta;

    /// <summary>Starts warm at a known level and σ-equivalent scale.</summary>
    public void Seed(double mean, double scale)
    {
        _mean = mean;
        _mad = scale / MadToSigma;
        _slowMad = _mad;
        _n = _warmup;
    }

    public void Update(double x)
    {
        if (_n < _warmup)
        {
            // Plain running estimates until the EWMA has something to stand on.
            _n++;
            var d = x - _mean;
            _mean += d / _n;
            _mad += (Math.Abs(x - _mean) - _mad) / _n;
            _slowMad = _mad;
            return;
        }

        var r = x - _mean;
        var limit = _k * Scale;
        var clipped = Math.Clamp(r, -limit, limit);
        _mean += _alpha * clipped;
        _mad += _scaleAlpha * (Math.Abs(clipped) - _mad);
        _slowMad += 0.25 * _scaleAlpha * (Math.Abs(r) - _slowMad);
    }
}

/// <summary>
/// Robust baseline: the absolute residual against a Huber-clipped EWMA level, in units of the EWMA
/// mean absolute deviation, calibrated online to a tail probability.
/// </summary>
internal sealed class RobustBaselineDetector : IStreamingDetector
{
    private readonly TailCalibrator _calibrator;
    private RobustLevel _level;
    private ScoreShaper _shaper;

    public RobustBaselineDetector(RobustBaselineOptions? options = null)
    {
        options ??= RobustBaselineOptions.Default;
        options.Validate();
        _level = new RobustLevel(options.LevelAlpha, options.ScaleAlpha, options.HuberK, options.WarmupPoints);
        _calibrator = new TailCalibrator(options.Calibration);
        _shaper = new ScoreShaper(options.Calibration);
    }

    public string Name => DetectorFactory.Robust;

    public double Score(long timestampMs, double value)
    {
        if (!double.IsFinite(value))
        {
            return 0;
        }

        return _shaper.Rest(_shaper.Surprise(TailProbability(value)));
    }

    /// <summary>Calibrated tail probability of this point (1 while warming up); updates the state.</summary>
    internal double TailProbability(double value)
    {
        var p = 1.0;
        if (_level.IsWarm)
        {
            var stat = Math.Abs(_level.Z(value));
            p = _calibrator.TailProbability(stat);
            _calibrator.Observe(stat);
        }

        _level.Update(value);
        return p;
    }
}
