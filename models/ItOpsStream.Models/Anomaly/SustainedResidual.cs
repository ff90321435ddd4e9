namespace ItOpsStream.Models.Anomaly;

/// <summary>
/// One memory of the default detector's sustained residual (see <see cref="EnsembleOptions.Sustained"/>).
/// </summary>
/// <param name="Alpha">Weight of the newest point in the exponentially weighted mean: a memory of about 2 / α points.</param>
/// <param name="Clip">Clip of each standardized residual before it enters the mean, in scales: one spike moves the mean by at most α · Clip.</param>
public sealed record SustainedScale(double Alpha, double Clip)
{
    internal void Validate()
    {
        if (Alpha is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "must be in (0, 1)");
        }

        if (Clip is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(Clip), Clip, "must be in [1, 100]");
        }
    }
}

/// <summary>
/// An exponentially weighted mean of clipped standardized residuals and the calibrated tail probability of its size:
/// a run of residuals on one side, none remarkable alone, adds up; a single spike, clipped, barely moves it. O(1).
/// </summary>
internal sealed class SustainedResidual
{
    private readonly double _alpha;
    private readonly double _clip;
    private readonly double _invSd;
    private readonly TailCalibrator _calibrator;
    private double _mean;

    public SustainedResidual(SustainedScale scale, CalibrationOptions calibration)
    {
        scale.Validate();
        _alpha = scale.Alpha;
        _clip = scale.Clip;

        // Standard deviation of an EWMA of independent unit-variance values: sqrt(α / (2 − α)). The residuals are
        // not independent (which is what the calibration learns); this only puts the statistic in familiar units.
        _invSd = 1 / Math.Sqrt(scale.Alpha / (2 - scale.Alpha));
        _calibrator = new TailCalibrator(calibration);
    }

    /// <summary>Adds the standardized residual <paramref name="z"/>; returns the tail probability of the mean it makes (judged before it is learnt).</summary>
    public double Observe(double z)
    {
        _mean += _alpha * (Math.Clamp(z, -_clip, _clip) - _mean);
        var statistic = Math.Abs(_mean) * _invSd;
        var p = _calibrator.TailProbability(statistic);
        _calibrator.Observe(statistic);
        return p;
    }
}
