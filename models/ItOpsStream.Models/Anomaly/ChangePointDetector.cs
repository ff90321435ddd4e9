namespace ItOpsStream.Models.Anomaly;

/// <summary>Parameters of the change-point detector (<c>changepoint</c>).</summary>
public sealed record ChangePointOptions
{
    /// <summary>Defaults: reference level with α = 0.005, allowance 0.5 σ, restart at 24 σ of accumulated drift.</summary>
    public static ChangePointOptions Default { get; } = new();

    /// <summary>EWMA weight of the slow reference level the CUSUM measures departures from.</summary>
    public double ReferenceAlpha { get; init; } = 0.005;

    /// <summary>EWMA weight of the fast level the reference jumps to after a detected change.</summary>
    public double FastAlpha { get; init; } = 0.1;

    /// <summary>CUSUM allowance k in scales: drift smaller than this is ignored (detects shifts of about 2k).</summary>
    public double Allowance { get; init; } = 0.5;

    /// <summary>CUSUM value h at which a change is declared and the reference restarts at the fast level.</summary>
    public double RestartAt { get; init; } = 24;

    /// <summary>Points averaged plainly before scoring starts.</summary>
    public int WarmupPoints { get; init; } = 32;

    /// <summary>How the CUSUM value becomes a calibrated score.</summary>
    public CalibrationOptions Calibration { get; init; } = CalibrationOptions.Default;

    internal void Validate()
    {
        DetectorValidation.Fraction(ReferenceAlpha, nameof(ReferenceAlpha));
        DetectorValidation.Fraction(FastAlpha, nameof(FastAlpha));
        if (Allowance is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(Allowance), Allowance, "must be in [0, 10]");
        }

        if (RestartAt <= Allowance)
        {
            throw new ArgumentOutOfRangeException(nameof(RestartAt), RestartAt, "must exceed the allowance");
        }

        DetectorValidation.AtLeast(WarmupPoints, 2, nameof(WarmupPoints));
        Calibration.Validate();
    }
}

/// <summary>
/// Change-point detection by a two-sided CUSUM (Page 1954) of residuals standardized against a slow,
/// Huber-clipped reference level. The CUSUM value itself is the statistic, calibrated online; when it
/// passes <see cref="ChangePointOptions.RestartAt"/> the change is taken as real and the reference
/// restarts at the fast level, so the detector fires at the onset of a level shift or drift, not for
/// its whole duration. O(1) per point.
/// </summary>
internal sealed class ChangePointDetector : IStreamingDetector
{
    private readonly ChangePointOptions _options;
    private readonly TailCalibrator _calibrator;
    private RobustLevel _reference;
    private ScoreShaper _shaper;
    private double _fast;
    private bool _hasFast;
    private double _up;
    private double _down;

    public ChangePointDetector(ChangePointOptions? options = null)
    {
        _options = options ?? ChangePointOptions.Default;
        _options.Validate();
        _reference = NewReference();
        _calibrator = new TailCalibrator(_options.Calibration);
        _shaper = new ScoreShaper(_options.Calibration);
    }

    public string Name => DetectorFactory.ChangePoint;

    public double Score(long timestampMs, double value)
    {
        if (!double.IsFinite(value))
        {
            return 0;
        }

        return _shaper.Rest(_shaper.Surprise(TailProbability(value)));
    }

    internal double TailProbability(double value)
    {
        var p = 1.0;
        if (_reference.IsWarm)
        {
            var z = Math.Clamp(_reference.Z(value), -50, 50);
            var k = _options.Allowance;
            _up = Math.Max(0, _up + z - k);
            _down = Math.Max(0, _down - z - k);
            var stat = Math.Max(_up, _down);
            p = _calibrator.TailProbability(stat);
            _calibrator.Observe(stat);
            if (stat >= _options.RestartAt)
            {
                var scale = _reference.Scale;
                _reference = NewReference();
                _reference.Seed(_fast, scale);
                _up = 0;
                _down = 0;
            }
        }

        _fast = _hasFast ? _fast + (_options.FastAlpha * (value - _fast)) : value;
        _hasFast = true;
        _reference.Update(value);
        return p;
    }

    private RobustLevel NewReference() =>
        new(_options.ReferenceAlpha, _options.ReferenceAlpha, 3, _options.WarmupPoints);
}
