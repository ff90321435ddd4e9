namespace ItOpsStream.Models.Anomaly;

/// <summary>Options of the online tail calibration shared by every detector.</summary>
public sealed record CalibrationOptions
{
    /// <summary>Defaults: memory of about 10 000 points, a 5 % tail, 64 points of warm-up.</summary>
    public static CalibrationOptions Default { get; } = new();

    /// <summary>Effective memory of the statistic's distribution in points (exponential forgetting).</summary>
    public int MemoryPoints { get; init; } = 10_000;

    /// <summary>Fraction of the observed statistic modelled as the tail (peaks over threshold).</summary>
    public double TailFraction { get; init; } = 0.05;

    /// <summary>Observations before any probability below 1 is reported.</summary>
    public int WarmupPoints { get; init; } = 64;

    /// <summary>Surprise, in decades of improbability, that maps to score 1: score = log10(1/p) / this.</summary>
    public double MaxSurpriseDecades { get; init; } = 10;

    /// <summary>
    /// Rest period in points after a peak: a later score that does not exceed the peak is multiplied by
    /// <see cref="RestFactor"/>, so one anomaly raises one alarm rather than a burst (0 disables).
    /// </summary>
    public int RestPoints { get; init; } = 100;

    /// <summary>Factor applied to non-exceeding scores during the rest period.</summary>
    public double RestFactor { get; init; } = 0.25;

    /// <summary>Score from which a peak starts a rest period (default 0: every new running maximum does, which makes the rest period threshold-free).</summary>
    public double RestMinPeak { get; init; }

    internal void Validate()
    {
        if (MemoryPoints < 100)
        {
            throw new ArgumentOutOfRangeException(nameof(MemoryPoints), MemoryPoints, "must be at least 100");
        }

        if (TailFraction is <= 0 or >= 0.5)
        {
            throw new ArgumentOutOfRangeException(nameof(TailFraction), TailFraction, "must be in (0, 0.5)");
        }

        if (WarmupPoints < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(WarmupPoints), WarmupPoints, "must be at least 16");
        }

        if (MaxSurpriseDecades is < 1 or > 300)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSurpriseDecades), MaxSurpriseDecades, "must be in [1, 300]");
        }

        if (RestPoints < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RestPoints), RestPoints, "must be non-negative");
        }

        if (RestFactor is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RestFactor), RestFactor, "must be in [0, 1]");
        }

        if (RestMinPeak is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RestMinPeak), RestMinPeak, "must be in [0, 1]");
        }
    }
}

/// <summary>
/// Turns a detector's raw, non-negative statistic into a tail probability p = P(S ≥ s) learnt online
/// from the same series, so that scores of different detectors and different series are comparable
/// and a single threshold means the same false-alarm rate everywhere.
/// </summary>
/// <remarks>
/// The statistic's distribution is a log-binned histogram with exponential forgetting. Its upper
/// <see cref="CalibrationOptions.TailFraction"/> is modelled as a generalized Pareto tail (peaks over
/// threshold, as SPOT, Siffer et al. KDD 2017), fitted by the method of moments every 32 points, so
/// values far beyond anything seen still get a graded, finite probability. Below the tail threshold
/// p is a monotone interpolation only: those points are normal by construction. O(1) amortized.
/// </remarks>
internal sealed class TailCalibrator
{
    // 1e-4 … 4e9 in steps of 20 %: beyond the top, values share the top bin (and the tail fit).
    private const int Bins = 136;
    private const double MinValue = 1e-4;
    private const double Ratio = 1.2;
    private const int RefitEvery = 32;
    private static readonly double InvLogRatio = 1.0 / Math.Log(Ratio);

    private readonly double[] _counts = new double[Bins];
    private readonly double _growth;
    private readonly double _tailFraction;
    private readonly int _warmup;
    private double _increment = 1;
    private double _total;
    private int _seen;
    private int _sinceFit;

    private double _u = double.PositiveInfinity;
    private double _pu = 1;
    private double _sigma = 1;
    private double _xi;

    public TailCalibrator(CalibrationOptions options)
    {
        options.Validate();
        _growth = 1.0 / (1.0 - (1.0 / options.MemoryPoints));
        _tailFraction = options.TailFraction;
        _warmup = options.WarmupPoints;
    }

    public bool IsWarm => _seen >= _warmup;

    /// <summary>P(S ≥ s) under the learnt distribution; 1 while warming up.</summary>
    public double TailProbability(double s)
    {
        if (_seen < _warmup || !(s > 0))
        {
            return 1;
        }

        if (s <= _u)
        {
            return 1 - ((1 - _pu) * (s / _u));
        }

        var excess = (s - _u) / _sigma;
        var tail = _xi > 1e-6 ? Math.Pow(1 + (_xi * excess), -1 / _xi) : Math.Exp(-excess);
        return Math.Max(_pu * tail, 1e-300);
    }

    /// <summary>Adds one observation of the statistic.</summary>
    public void Observe(double s)
    {
        if (!double.IsFinite(s) || s < 0)
        {
            return;
        }

        _counts[BinOf(s)] += _increment;
        _total += _increment;
        _increment *= _growth;
        if (_increment > 1e150)
        {
            Rescale();
        }

        _seen++;
        if (++_sinceFit >= RefitEvery || _seen == _warmup)
        {
            _sinceFit = 0;
            Fit();
        }
    }

    private static int BinOf(double s)
    {
        if (s < MinValue)
        {
            return 0;
        }

        var b = 1 + (int)(Math.Log(s / MinValue) * InvLogRatio);
        return b >= Bins ? Bins - 1 : b;
    }

    private static double LowerEdge(int bin) => bin == 0 ? 0 : MinValue * Math.Pow(Ratio, bin - 1);

    private static double Center(int bin) => bin == 0 ? MinValue / 2 : MinValue * Math.Pow(Ratio, bin - 0.5);

    private void Rescale()
    {
        var inv = 1.0 / _increment;
        for (var i = 0; i < Bins; i++)
        {
            _counts[i] *= inv;
        }

        _total *= inv;
        _increment = 1;
    }

    private void Fit()
    {
        if (_total <= 0)
        {
            return;
        }

        // Lowest bin whose upper mass reaches the tail fraction: the tail threshold u is its lower edge.
        var target = _tailFraction * _total;
        var mass = 0.0;
        var bu = Bins - 1;
        for (; bu >= 0; bu--)
        {
            mass += _counts[bu];
            if (mass >= target)
            {
                break;
            }
        }

        bu = Math.Max(bu, 0);
        var u = LowerEdge(bu);
        double sum = 0, sum2 = 0;
        for (var b = bu; b < Bins; b++)
        {
            var c = _counts[b];
            if (c <= 0)
            {
                continue;
            }

            var e = Center(b) - u;
            sum += c * e;
            sum2 += c * e * e;
        }

        var mean = sum / mass;
        var variance = (sum2 / mass) - (mean * mean);
        // Method of moments for the generalized Pareto: r = mean²/variance is 1 for an exponential tail,
        // below 1 for a heavier one (ξ > 0). A lighter-than-exponential tail (r ≥ 1, e.g. Gaussian) is taken
        // as exponential with the same mean: conservative, and never inflating σ.
        double xi = 0, sigma = mean;
        if (variance > 1e-12 * mean * mean)
        {
            var r = mean * mean / variance;
            if (r < 1)
            {
                xi = Math.Min(0.5 * (1 - r), 0.45);
                sigma = 0.5 * mean * (r + 1);
            }
        }

        _u = u;
        _pu = Math.Min(1, mass / _total);
        _sigma = Math.Max(sigma, MinValue / 4);
        _xi = xi;
    }
}
