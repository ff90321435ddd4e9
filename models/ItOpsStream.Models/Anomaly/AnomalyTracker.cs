namespace ItOpsStream.Models.Anomaly;

/// <summary>Options of <see cref="AnomalyTracker"/>: the detector of a live series and the alert hysteresis.</summary>
public sealed record AnomalyTrackerOptions
{
    /// <summary>
    /// Defaults for the engine: the default ensemble with a 24-bucket daily profile and no weekly one
    /// (about 3 KB per series), open at 0.6 (p ≈ 1e-6), close after 10 points below 0.3 (p ≈ 1e-3).
    /// </summary>
    public static AnomalyTrackerOptions Default { get; } = new();

    /// <summary>The detector of each series.</summary>
    public EnsembleOptions Detector { get; init; } = EnsembleOptions.Default with
    {
        Seasonal = SeasonalBaselineOptions.Default with { DayBuckets = 24, WeekBuckets = 0 },
    };

    /// <summary>Score (without rest period) at which an alert opens.</summary>
    public double OpenScore { get; init; } = 0.6;

    /// <summary>Score below which a point counts as normal again; must be below <see cref="OpenScore"/> (hysteresis).</summary>
    public double CloseScore { get; init; } = 0.3;

    /// <summary>Consecutive normal points before an open alert resolves.</summary>
    public int ResolveAfterPoints { get; init; } = 10;

    /// <summary>Scores from which the severity is warning, minor, major and critical (ascending).</summary>
    public IReadOnlyList<double> SeverityScores { get; init; } = [0.6, 0.7, 0.8, 0.9];

    internal void Validate()
    {
        Detector.Validate();
        if (OpenScore is <= 0 or > 1 || CloseScore < 0 || CloseScore >= OpenScore)
        {
            throw new ArgumentOutOfRangeException(nameof(CloseScore), $"need 0 ≤ CloseScore < OpenScore ≤ 1, got {CloseScore} and {OpenScore}");
        }

        DetectorValidation.AtLeast(ResolveAfterPoints, 1, nameof(ResolveAfterPoints));
        if (SeverityScores.Count != 4 || SeverityScores.Zip(SeverityScores.Skip(1)).Any(p => p.First > p.Second))
        {
            throw new ArgumentException("SeverityScores must be 4 ascending scores (warning, minor, major, critical)", nameof(SeverityScores));
        }
    }
}

/// <summary>What one point did to a series' alert.</summary>
public enum AnomalyTransition : byte
{
    None = 0,
    Open = 1,
    Resolve = 2,
}

/// <summary>Severity of an anomaly alert, 1 (warning) to 4 (critical), from its peak score.</summary>
public enum AnomalySeverity : byte
{
    Warning = 1,
    Minor = 2,
    Major = 3,
    Critical = 4,
}

/// <summary>
/// One live series: the default detector plus the alert's open/resolve state machine with hysteresis
/// (<see cref="AnomalyAlertState"/>). An alert opens when the score (before the rest period) reaches
/// <see cref="AnomalyTrackerOptions.OpenScore"/> and resolves after <see cref="AnomalyTrackerOptions.ResolveAfterPoints"/>
/// consecutive points below <see cref="AnomalyTrackerOptions.CloseScore"/>, so a flapping series raises one alert, not many.
/// </summary>
/// <remarks>Single-writer, like every detector. O(1) per point, allocation-free.</remarks>
public sealed class AnomalyTracker
{
    private readonly EnsembleDetector _detector;
    private readonly AnomalyAlertState _state;
    private readonly double _invDecades;

    public AnomalyTracker(AnomalyTrackerOptions? options = null)
    {
        options ??= AnomalyTrackerOptions.Default;
        _state = new AnomalyAlertState(options);
        _detector = new EnsembleDetector(options.Detector);
        _invDecades = 1.0 / options.Detector.Calibration.MaxSurpriseDecades;
    }

    /// <summary>True while an alert is open.</summary>
    public bool IsOpen => _state.IsOpen;

    /// <summary>Score of the last point, before the rest period.</summary>
    public double LastScore => _state.LastScore;

    /// <summary>Highest score since the alert opened.</summary>
    public double PeakScore => _state.PeakScore;

    /// <summary>Severity from <see cref="PeakScore"/>.</summary>
    public AnomalySeverity Severity => _state.Severity;

    /// <summary>Scores one point and moves the alert state; a non-finite value changes nothing.</summary>
    public AnomalyTransition Observe(long timestampMs, double value)
    {
        if (!double.IsFinite(value))
        {
            return AnomalyTransition.None;
        }

        var p = _detector.TailProbability(timestampMs, value);
        return _state.Observe(p >= 1 ? 0 : Math.Min(1, -Math.Log10(p) * _invDecades));
    }
}
