namespace ItOpsStream.Models.Anomaly;

/// <summary>Parameters of the default ensemble (<c>default</c>, alias <c>ensemble</c>).</summary>
public sealed record EnsembleOptions
{
    /// <summary>Defaults: robust, seasonal, change-point and spectral residual members, each with its defaults.</summary>
    public static EnsembleOptions Default { get; } = new();

    /// <summary>Robust baseline member.</summary>
    public RobustBaselineOptions Robust { get; init; } = RobustBaselineOptions.Default;

    /// <summary>Seasonal member, or null to leave it out (it costs about 2 KB of profiles per series).</summary>
    public SeasonalBaselineOptions? Seasonal { get; init; } = SeasonalBaselineOptions.Default;

    /// <summary>Change-point member.</summary>
    public ChangePointOptions ChangePoint { get; init; } = ChangePointOptions.Default;

    /// <summary>Spectral residual member, or null to leave it out (it is the most expensive per point).</summary>
    public SpectralResidualOptions? Spectral { get; init; } = SpectralResidualOptions.Default;

    /// <summary>Score mapping and rest period of the combined score.</summary>
    public CalibrationOptions Calibration { get; init; } = CalibrationOptions.Default;

    internal void Validate()
    {
        Robust.Validate();
        Seasonal?.Validate();
        ChangePoint.Validate();
        Spectral?.Validate();
        Calibration.Validate();
    }
}

/// <summary>
/// The default detector: every member turns its own statistic into a tail probability calibrated on
/// this series; the ensemble takes the smallest, Bonferroni-corrected by the number of members
/// (p = min(1, m · min pᵢ)), maps it to a score with log10(1/p) / 10 and applies one rest period.
/// </summary>
/// <remarks>
/// The min-p rule keeps the false-alarm meaning of a threshold: if each member's p is calibrated,
/// P(combined p ≤ α) ≤ α whatever their dependence. Members disagree usefully: the robust baseline
/// sees spikes, the seasonal one sees a normal value at an abnormal hour, the CUSUM sees small
/// persistent shifts early, and the spectral residual sees changes of shape.
/// </remarks>
internal sealed class EnsembleDetector : IStreamingDetector
{
    private readonly RobustBaselineDetector _robust;
    private readonly SeasonalBaselineDetector? _seasonal;
    private readonly ChangePointDetector _changePoint;
    private readonly SpectralResidualDetector? _spectral;
    private readonly double _members;
    private ScoreShaper _shaper;

    public EnsembleDetector(EnsembleOptions? options = null)
    {
        options ??= EnsembleOptions.Default;
        options.Validate();
        _robust = new RobustBaselineDetector(options.Robust);
        _seasonal = options.Seasonal is null ? null : new SeasonalBaselineDetector(options.Seasonal);
        _changePoint = new ChangePointDetector(options.ChangePoint);
        _spectral = options.Spectral is null ? null : new SpectralResidualDetector(options.Spectral);
        _members = 2 + (_seasonal is null ? 0 : 1) + (_spectral is null ? 0 : 1);
        _shaper = new ScoreShaper(options.Calibration);
    }

    public string Name => DetectorFactory.Default;

    public double Score(long timestampMs, double value)
    {
        if (!double.IsFinite(value))
        {
            return 0;
        }

        return _shaper.Rest(_shaper.Surprise(TailProbability(timestampMs, value)));
    }

    /// <summary>Combined tail probability of this point; also the un-rested signal the engine resolves on.</summary>
    internal double TailProbability(long timestampMs, double value)
    {
        var p = _robust.TailProbability(value);
        p = Math.Min(p, _changePoint.TailProbability(value));
        if (_seasonal is not null)
        {
            p = Math.Min(p, _seasonal.TailProbability(timestampMs, value));
        }

        if (_spectral is not null)
        {
            p = Math.Min(p, _spectral.TailProbability(value));
        }

        return Math.Min(1, p * _members);
    }
}
