namespace ItOpsStream.Models.Anomaly;

/// <summary>
/// The open/resolve state machine of one anomaly alert, fed calibrated scores in [0, 1] taken
/// <em>before</em> the rest period. It is the hysteresis of every anomaly alert of the engine: the
/// per-series detectors (<see cref="AnomalyTracker"/>) and the promoted multivariate and ONNX models
/// use this one class, so they open, resolve and grade severity the same way.
/// </summary>
/// <remarks>
/// An alert opens when a score reaches <see cref="AnomalyTrackerOptions.OpenScore"/>, records the
/// peak score while open, and resolves after <see cref="AnomalyTrackerOptions.ResolveAfterPoints"/>
/// consecutive scores below <see cref="AnomalyTrackerOptions.CloseScore"/>. Only those fields and
/// <see cref="AnomalyTrackerOptions.SeverityScores"/> are used. Single-writer; O(1), allocation-free.
/// </remarks>
public sealed class AnomalyAlertState
{
    private readonly double _open;
    private readonly double _close;
    private readonly int _resolveAfter;
    private readonly IReadOnlyList<double> _severity;
    private int _normalRun;

    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public AnomalyAlertState(AnomalyTrackerOptions? options = null)
    {
        options ??= AnomalyTrackerOptions.Default;
        options.Validate();
        _open = options.OpenScore;
        _close = options.CloseScore;
        _resolveAfter = options.ResolveAfterPoints;
        _severity = options.SeverityScores;
    }

    /// <summary>True while an alert is open.</summary>
    public bool IsOpen { get; private set; }

    /// <summary>The last score observed.</summary>
    public double LastScore { get; private set; }

    /// <summary>Highest score since the alert opened.</summary>
    public double PeakScore { get; private set; }

    /// <summary>Severity from <see cref="PeakScore"/>.</summary>
    public AnomalySeverity Severity =>
        PeakScore >= _severity[3] ? AnomalySeverity.Critical
        : PeakScore >= _severity[2] ? AnomalySeverity.Major
        : PeakScore >= _severity[1] ? AnomalySeverity.Minor
        : AnomalySeverity.Warning;

    /// <summary>Moves the state with one score (before the rest period); returns what it did to the alert.</summary>
    public AnomalyTransition Observe(double score)
    {
        LastScore = score;
        if (!IsOpen)
        {
            if (score < _open)
            {
                return AnomalyTransition.None;
            }

            IsOpen = true;
            PeakScore = score;
            _normalRun = 0;
            return AnomalyTransition.Open;
        }

        PeakScore = Math.Max(PeakScore, score);
        _normalRun = score < _close ? _normalRun + 1 : 0;
        if (_normalRun < _resolveAfter)
        {
            return AnomalyTransition.None;
        }

        IsOpen = false;
        return AnomalyTransition.Resolve;
    }
}
