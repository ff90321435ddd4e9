namespace ItOpsStream.Models.Anomaly;

/// <summary>Parameters of the seasonality-aware baseline detector (<c>seasonal</c>).</summary>
public sealed record SeasonalBaselineOptions
{
    /// <summary>Defaults: 48 half-hour buckets per day, 168 hourly buckets per week, 3 visits before a bucket predicts.</summary>
    public static SeasonalBaselineOptions Default { get; } = new();

    /// <summary>Time-of-day buckets of the daily profile (UTC).</summary>
    public int DayBuckets { get; init; } = 48;

    /// <summary>Time-of-week buckets of the weekly profile (UTC).</summary>
    public int WeekBuckets { get; init; } = 168;

    /// <summary>Weight of a new visit in a bucket's level and scale (after the first visits, averaged plainly).</summary>
    public double ProfileAlpha { get; init; } = 0.1;

    /// <summary>Visits on distinct periods a bucket needs before its profile predicts.</summary>
    public int MinPeriods { get; init; } = 3;

    /// <summary>EWMA weight of each model's tracked absolute error, which picks the model that predicts best.</summary>
    public double SelectionAlpha { get; init; } = 0.01;

    /// <summary>The non-seasonal fallback used while profiles are short of history.</summary>
    public RobustBaselineOptions Fallback { get; init; } = RobustBaselineOptions.Default;

    /// <summary>How the residual z-score becomes a calibrated score.</summary>
    public CalibrationOptions Calibration { get; init; } = CalibrationOptions.Default;

    internal void Validate()
    {
        DetectorValidation.AtLeast(DayBuckets, 1, nameof(DayBuckets));
        DetectorValidation.AtLeast(WeekBuckets, 7, nameof(WeekBuckets));
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
/// Seasonality-aware baseline: daily and weekly profiles (level and scale per time bucket) learnt
/// online, plus a non-seasonal robust level as fallback. Each point is judged by whichever of the
/// three currently predicts the series best (lowest tracked absolute error), so a series without
/// seasonality, or with too little history, behaves like <c>robust</c>. O(1) per point.
/// </summary>
/// <remarks>
/// Buckets are keyed by event time in UTC; missing points simply leave buckets unvisited, and a
/// bucket predicts only after <see cref="SeasonalBaselineOptions.MinPeriods"/> distinct days (weeks).
/// </remarks>
internal sealed class SeasonalBaselineDetector : IStreamingDetector
{
    private const long DayMs = 86_400_000;
    private const long WeekMs = 7 * DayMs;
    private const double MadToSigma = 1.2533;

    private readonly SeasonalBaselineOptions _options;
    private readonly Profile _day;
    private readonly Profile _week;
    private readonly TailCalibrator _calibrator;
    private RobustLevel _fallback;
    private ScoreShaper _shaper;

    // Tracked mean absolute error of each model, in the order fallback, daily, weekly.
    private double _errFallback = double.PositiveInfinity;
    private double _errDay = double.PositiveInfinity;
    private double _errWeek = double.PositiveInfinity;
    private int _dayPredictions;
    private int _weekPredictions;

    public SeasonalBaselineDetector(SeasonalBaselineOptions? options = null)
    {
        _options = options ?? SeasonalBaselineOptions.Default;
        _options.Validate();
        var fb = _options.Fallback;
        _fallback = new RobustLevel(fb.LevelAlpha, fb.ScaleAlpha, fb.HuberK, fb.WarmupPoints);
        _day = new Profile(_options.DayBuckets, DayMs, _options.ProfileAlpha, _options.MinPeriods);
        _week = new Profile(_options.WeekBuckets, WeekMs, _options.ProfileAlpha, _options.MinPeriods);
        _calibrator = new TailCalibrator(_options.Calibration);
        _shaper = new ScoreShaper(_options.Calibration);
    }

    public string Name => DetectorFactory.Seasonal;

    public double Score(long timestampMs, double value)
    {
        if (!double.IsFinite(value))
        {
            return 0;
        }

        return _shaper.Rest(_shaper.Surprise(TailProbability(timestampMs, value)));
    }

    internal double TailProbability(long timestampMs, double value)
    {
        var p = 1.0;
        var dayBucket = _day.BucketOf(timestampMs);
        var weekBucket = _week.BucketOf(timestampMs);
        var alpha = _options.SelectionAlpha;

        if (_fallback.IsWarm)
        {
            // Pick the model with the lowest tracked error; seasonal models compete once they have a track record.
            var z = _fallback.Z(value);
            var best = _errFallback;
            const int minTrack = 50;
            if (_day.IsReady(dayBucket) && _dayPredictions >= minTrack && _errDay < best)
            {
                best = _errDay;
                z = _day.Z(dayBucket, value);
            }

            if (_week.IsReady(weekBucket) && _weekPredictions >= minTrack && _errWeek < best)
            {
                z = _week.Z(weekBucket, value);
            }

            var stat = Math.Abs(z);
            p = _calibrator.TailProbability(stat);
            _calibrator.Observe(stat);

            var cap = 3 * Math.Max(_fallback.Scale, 1e-300);
            _errFallback = Track(_errFallback, Math.Min(Math.Abs(value - _fallback.Mean), cap), alpha);
            if (_day.IsReady(dayBucket))
            {
                _errDay = Track(_errDay, Math.Min(Math.Abs(value - _day.Mean(dayBucket)), cap), alpha);
                _dayPredictions++;
            }

            if (_week.IsReady(weekBucket))
            {
                _errWeek = Track(_errWeek, Math.Min(Math.Abs(value - _week.Mean(weekBucket)), cap), alpha);
                _weekPredictions++;
            }
        }

        _fallback.Update(value);
        _day.Update(dayBucket, timestampMs, value);
        _week.Update(weekBucket, timestampMs, value);
        return p;
    }

    private static double Track(double current, double error, double alpha) =>
        double.IsPositiveInfinity(current) ? error : current + (alpha * (error - current));

    /// <summary>Level and scale per time bucket of one period, in floats to keep a series small.</summary>
    private sealed class Profile
    {
        private readonly float[] _mean;
        private readonly float[] _mad;
        private readonly byte[] _periods;
        private readonly ushort[] _count;
        private readonly int[] _lastPeriod;
        private readonly long _periodMs;
        private readonly long _bucketMs;
        private readonly double _alpha;
        private readonly int _minPeriods;

        public Profile(int buckets, long periodMs, double alpha, int minPeriods)
        {
            _mean = new float[buckets];
            _mad = new float[buckets];
            _periods = new byte[buckets];
            _count = new ushort[buckets];
            _lastPeriod = new int[buckets];
            _periodMs = periodMs;
            _bucketMs = periodMs / buckets;
            _alpha = alpha;
            _minPeriods = minPeriods;
        }

        public int BucketOf(long timestampMs)
        {
            var inPeriod = timestampMs % _periodMs;
            if (inPeriod < 0)
            {
                inPeriod += _periodMs;
            }

            return (int)Math.Min(inPeriod / _bucketMs, _mean.Length - 1);
        }

        public bool IsReady(int bucket) => _periods[bucket] >= _minPeriods;

        public double Mean(int bucket) => _mean[bucket];

        public double Z(int bucket, double x) =>
            (x - _mean[bucket]) / Math.Max(MadToSigma * _mad[bucket], 1e-9 * (Math.Abs(_mean[bucket]) + 1e-3));

        public void Update(int bucket, long timestampMs, double x)
        {
            var period = (int)Math.Min(int.MaxValue, Math.Max(0, (timestampMs / _periodMs) + 1));
            var visits = _periods[bucket];
            if (_lastPeriod[bucket] != period)
            {
                _lastPeriod[bucket] = period;
                if (visits < byte.MaxValue)
                {
                    _periods[bucket] = ++visits;
                }
            }

            double mean = _mean[bucket], mad = _mad[bucket];
            if (_count[bucket] == 0)
            {
                mean = x;
            }
            else if (visits <= _minPeriods)
            {
                // Until the bucket has seen enough periods, average its visits plainly (rate decays to alpha).
                var rate = Math.Max(_alpha, 1.0 / (_count[bucket] + 1));
                mad += rate * (Math.Abs(x - mean) - mad);
                mean += rate * (x - mean);
            }
            else
            {
                var limit = 3 * Math.Max(MadToSigma * mad, 1e-9 * (Math.Abs(mean) + 1e-3));
                var clipped = Math.Clamp(x - mean, -limit, limit);
                mean += _alpha * clipped;
                mad += _alpha * (Math.Abs(clipped) - mad);
            }

            _mean[bucket] = (float)mean;
            _mad[bucket] = (float)mad;
            if (_count[bucket] < ushort.MaxValue)
            {
                _count[bucket]++;
            }
        }
    }
}
