namespace ItOpsStream.Models.Anomaly;

/// <summary>
/// Maps a tail probability to a score in [0, 1] and applies the rest period. Value type so that a
/// detector embeds it without an extra allocation.
/// </summary>
/// <remarks>
/// score = min(1, log10(1/p) / MaxSurpriseDecades): 0.5 means "one in 10^5" with the default of 10
/// decades. The rest period is threshold-free non-maximum suppression: whatever threshold the user
/// picks, a persisting anomaly crosses it once, and again only if it gets worse.
/// </remarks>
internal struct ScoreShaper
{
    private readonly double _invDecades;
    private readonly int _restPoints;
    private readonly double _restFactor;
    private readonly double _restMinPeak;
    private readonly double _restMargin;
    private double _peak;
    private int _age;

    public ScoreShaper(CalibrationOptions options)
    {
        _invDecades = 1.0 / options.MaxSurpriseDecades;
        _restPoints = options.RestPoints;
        _restFactor = options.RestFactor;
        _restMinPeak = options.RestMinPeak;
        _restMargin = options.RestMargin;
    }

    /// <summary>The calibrated score of a tail probability, before the rest period.</summary>
    public readonly double Surprise(double p) => p >= 1 ? 0 : Math.Min(1, -Math.Log10(p) * _invDecades);

    /// <summary>Applies the rest period to a calibrated score.</summary>
    public double Rest(double score)
    {
        if (_restPoints == 0)
        {
            return score;
        }

        if (++_age > _restPoints)
        {
            _peak = 0;
        }

        // Within a rest period a score must beat the peak by the margin: a burst that rises over a few points is
        // one anomaly, reported once, not once per point that tops the last.
        if (score > _peak + (_peak > 0 ? _restMargin : 0))
        {
            if (score >= _restMinPeak)
            {
                _peak = score;
                _age = 0;
            }

            return score;
        }

        return score * _restFactor;
    }
}
