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

    /// <summary>
    /// Factor applied to non-exceeding scores during the rest period (0.1: low enough that a repeat of the anomaly
    /// never crosses a threshold the peak did, non-zero so the plots still show the shape; 0.25 re-reported some).
    /// </summary>
    public double RestFactor { get; init; } = 0.1;

    /// <summary>
    /// How much a later score must exceed the peak during its rest period to be reported in full (default 0.1, one
    /// decade of improbability): a burst that rises over a few points is one anomaly, not one per point that tops
    /// the last.
    /// </summary>
    public double RestMargin { get; init; } = 0.1;

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

        if (RestMargin is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RestMargin), RestMargin, "must be in [0, 1]");
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
/// threshold, as SPOT, Siffer et al. KDD 2017), fitted from quantiles of the tail (Pickands) every 32 points, so
/// values far beyond anything seen still get a graded, finite probability. Below the tail threshold
/// p is a monotone interpolation only: those points are normal by construction. O(1) amortized.
/// </remarks>
internal sealed class TailCalibrator
{
    /// <summary>
    /// Weight the single detectors (<c>seasonal</c>, <c>changepoint</c>) leave to the statistics of a predictor that a
    /// better one replaced: none. Its residuals described a model that no longer predicts (typically the level before
    /// a daily profile is learnt), and even a small weight of those large residuals keeps the fitted tail heavy for
    /// the rest of the series. The ensemble keeps them (see <see cref="EnsembleDetector"/>).
    /// </summary>
    public const double PromotionDiscount = 0;

    // 1e-4 … 4e9 in steps of 20 %: beyond the top, values share the top bin (and the tail fit).
    private const int Bins = 136;
    private const double MinValue = 1e-4;
    private const double Ratio = 1.2;
    private const int RefitEvery = 32;
    private static readonly double InvLogRatio = 1.0 / Math.Log(Ratio);

    // Floats halve a series' footprint; the decayed increments are rescaled long before float range ends.
    private readonly float[] _counts = new float[Bins];
    private readonly double _growth;
    private readonly double _tailFraction;
    private readonly int _warmup;
    private double _increment = 1;
    private double _total;

    // Peaks of past excursions above the tail threshold, one count per excursion, binned like _counts but coarser.
    private readonly float[] _runs = new float[(Bins + RunBinWidth - 1) / RunBinWidth];

    // Peak of the excursion in progress (0 when the latest observation was below the tail threshold).
    private double _runPeak;
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

    /// <summary>The tail threshold: statistics above it are the upper tail (infinite until warm).</summary>
    public double Threshold => _u;

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
        var p = Math.Max(_pu * tail, 1e-300);

        // The fitted tail extrapolates beyond what was seen; it never makes a value rarer than the rate at which
        // past excursions at least as large recurred (a series of regular spikes over a flat zero line would
        // otherwise keep every spike at the same extreme improbability: the quantiles of a tail that is mostly
        // ties say nothing about its spread). An excursion is a run of consecutive tail observations, counted
        // once at its peak when it ends, so a sustained anomaly never vouches for itself; one of at least Similar
        // times the size counts, and the first RegularAfter excursions do not count at all: a few earlier
        // anomalies must not make every later one look ordinary, what recurs more often than that is the series'
        // normal behaviour. Only points above the tail threshold (a few per cent) pay for the scan of the run bins
        // above.
        return Math.Max(p, Math.Max(0, RunsAbove(s * Similar) - (RegularAfter * _increment)) / _total);
    }

    /// <summary>Past excursions of similar size that are discounted before they vouch for a value (see <see cref="TailProbability"/>).</summary>
    private const double RegularAfter = 4;

    /// <summary>
    /// An earlier excursion vouches for a value if its peak reached this share of it: recurring spikes are never
    /// exactly alike, and the statistic of the same spike grows while a quiet series' scale shrinks.
    /// </summary>
    private const double Similar = 0.7;

    /// <summary>Histogram bins per bin of the excursion histogram (coarser: excursions are few).</summary>
    private const int RunBinWidth = 2;

    /// <summary>The (decayed) number of past excursions whose peak is at least <paramref name="s"/>, interpolated geometrically within its bin.</summary>
    private double RunsAbove(double s)
    {
        var bin = BinOf(s);
        var runBin = bin / RunBinWidth;
        var runs = 0.0;
        for (var b = _runs.Length - 1; b > runBin; b--)
        {
            runs += _runs[b];
        }

        // The share of the run bin above s, assuming its peaks spread evenly on a log scale.
        var lower = LowerEdge(runBin * RunBinWidth);
        var above = bin == 0 || lower <= 0 ? 1 : 1 - (Math.Log(s / lower) * InvLogRatio / RunBinWidth);
        return runs + (_runs[runBin] * Math.Clamp(above, 0, 1));
    }

    /// <summary>
    /// Down-weights everything seen so far by <paramref name="factor"/>: the statistic's meaning changed (a better
    /// model took over), so new observations should dominate soon, without a blind warm-up in between.
    /// </summary>
    public void Discount(double factor)
    {
        for (var i = 0; i < Bins; i++)
        {
            _counts[i] = (float)(_counts[i] * factor);
        }

        _total *= factor;
        for (var i = 0; i < _runs.Length; i++)
        {
            _runs[i] = (float)(_runs[i] * factor);
        }
        if (factor == 0)
        {
            // Nothing left: warm up again rather than fit a tail to nothing.
            _seen = 0;
            _sinceFit = 0;
            _increment = 1;
            _u = double.PositiveInfinity;
            _pu = 1;
        }
    }

    /// <summary>Adds one observation of the statistic.</summary>
    public void Observe(double s)
    {
        if (!double.IsFinite(s) || s < 0)
        {
            return;
        }

        _counts[BinOf(s)] += (float)_increment;
        _total += _increment;
        if (s > _u)
        {
            _runPeak = Math.Max(_runPeak, s);
        }
        else if (_runPeak > 0)
        {
            _runs[BinOf(_runPeak) / RunBinWidth] += (float)_increment;
            _runPeak = 0;
        }
        _increment *= _growth;
        if (_increment > 1e25)
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

    /// <summary>The value above which <paramref name="target"/> of the (decayed) mass lies, interpolated geometrically within a bin.</summary>
    private double ValueWithUpperMass(double target)
    {
        var above = 0.0;
        for (var b = Bins - 1; b >= 0; b--)
        {
            var c = _counts[b];
            if (above + c >= target)
            {
                var lower = LowerEdge(b);
                var upper = b == 0 ? MinValue : lower * Ratio;
                var fraction = c > 0 ? (target - above) / c : 0;

                // fraction of the bin's mass is above the value: 0 → its upper edge, 1 → its lower edge.
                return b == 0 ? upper * (1 - fraction) : upper * Math.Pow(1 / Ratio, fraction);
            }

            above += c;
        }

        return 0;
    }

    private void Rescale()
    {
        var inv = 1.0 / _increment;
        for (var i = 0; i < Bins; i++)
        {
            _counts[i] = (float)(_counts[i] * inv);
        }

        _total *= inv;
        for (var i = 0; i < _runs.Length; i++)
        {
            _runs[i] = (float)(_runs[i] * inv);
        }
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

        // Generalized Pareto tail from quantiles of the tail (Pickands): with q1 = u and q2, q4 the values above which
        // a half and a quarter of the tail mass lie, ξ = log2((q4 − q2) / (q2 − q1)) and σ = ξ (q2 − q1) / (2^ξ − 1).
        // Quantiles ignore a handful of extreme points that the method of moments would let dominate the fit.
        var q2 = ValueWithUpperMass(mass / 2);
        var q4 = ValueWithUpperMass(mass / 4);
        double xi = 0, sigma;
        var d1 = Math.Max(q2 - u, 1e-12);
        var d2 = q4 - q2;
        if (d2 > d1)
        {
            xi = Math.Min(Math.Log2(d2 / d1), 0.5);
            sigma = xi * d1 / (Math.Pow(2, xi) - 1);
        }
        else
        {
            // Lighter than exponential (e.g. Gaussian): taken as exponential, conservative.
            sigma = d1 / Math.Log(2);
        }

        _u = u;
        _pu = Math.Min(1, mass / _total);
        _sigma = Math.Max(sigma, MinValue / 4);
        _xi = xi;
    }
}
