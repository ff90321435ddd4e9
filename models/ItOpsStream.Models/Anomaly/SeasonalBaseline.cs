namespace ItOpsStream.Models.Anomaly;

/// <summary>
/// The seasonality-aware baseline model shared by <c>seasonal</c>, <c>changepoint</c> and the
/// ensemble: it predicts each point, reports the standardized residual and a CUSUM of residuals,
/// and re-levels itself when the CUSUM declares a change. O(1) per point.
/// </summary>
/// <remarks>
/// Three predictors compete: a robust EWMA level (no seasonality), a daily profile and a weekly
/// profile (level and scale per UTC time bucket). Each tracks its mean absolute error and the best
/// predicts, so a series without seasonality, or with too little history, is judged by the level
/// alone. The profiles are additive (Holt-Winters style): each has its own deseasonalized level plus a
/// deviation per bucket. When the two-sided CUSUM of clipped residuals passes
/// <see cref="ChangePointOptions.RestartAt"/>, each predictor's recent mean residual is added to its level, so
/// after a level shift every predictor is right again at once instead of after days of relearning.
/// </remarks>
internal sealed class SeasonalBaseline
{
    private const long DayMs = 86_400_000;
    private const long WeekMs = 7 * DayMs;
    private const double MadToSigma = 1.2533;
    private const int MinTrack = 50;
    private const double RecentAlpha = 0.2;
    private const double SwitchMargin = 0.8;
    private const double RejectZ = 6;

    private readonly bool _seasonal;
    private readonly double _selectionAlpha;
    private readonly Profile? _day;
    private readonly Profile? _week;
    private readonly double _allowance;
    private readonly double _restartAt;
    private readonly double _cusumClip;
    private RobustLevel _level;

    private double _errLevel = double.PositiveInfinity;
    private double _errDay = double.PositiveInfinity;
    private double _errWeek = double.PositiveInfinity;
    private int _dayPredictions;
    private int _weekPredictions;

    private Predictor _predictor;
    private bool _daySelected;
    private bool _weekSelected;
    private double _recentLevel;
    private double _recentDay;
    private double _recentWeek;
    private double _up;
    private double _down;

    public SeasonalBaseline(SeasonalBaselineOptions? seasonal, ChangePointOptions changePoint)
    {
        var level = seasonal?.Fallback ?? RobustBaselineOptions.Default;
        _level = new RobustLevel(level.LevelAlpha, level.ScaleAlpha, level.HuberK, level.WarmupPoints);
        _seasonal = seasonal is not null;
        _selectionAlpha = seasonal?.SelectionAlpha ?? 0.01;
        if (seasonal is not null)
        {
            _day = new Profile(seasonal.DayBuckets, DayMs, seasonal.ProfileAlpha, seasonal.MinPeriods, level.LevelAlpha);
            _week = seasonal.WeekBuckets == 0 ? null : new Profile(seasonal.WeekBuckets, WeekMs, seasonal.ProfileAlpha, seasonal.MinPeriods, level.LevelAlpha);
        }

        _allowance = changePoint.Allowance;
        _restartAt = changePoint.RestartAt;
        _cusumClip = changePoint.ResidualClip;
    }

    public bool IsWarm => _level.IsWarm;

    /// <summary>
    /// True after the point on which a seasonal profile predicted for the first time: the residuals before
    /// came from a worse model, so whoever calibrates them should start over (and then clear this flag).
    /// </summary>
    public bool Promoted { get; set; }

    /// <summary>
    /// Smallest scale a residual is standardized by: the resolution below which deviations do not count (0, the
    /// default, leaves the learnt scale alone). The ensemble sets it from the series' range before each point.
    /// </summary>
    public double ScaleFloor { get; set; }

    /// <summary>Standardized residual of the point and the CUSUM after it (both 0 while warming up); then learns the point.</summary>
    public (double Z, double Cusum) Observe(long timestampMs, double x)
    {
        var y = x;
        double z = 0, cusum = 0;
        var dayBucket = _seasonal ? _day!.BucketOf(timestampMs) : 0;
        var weekBucket = _week?.BucketOf(timestampMs) ?? 0;
        if (_level.IsWarm)
        {
            var prediction = _level.Mean;
            var scale = _level.Scale;
            if (_seasonal)
            {
                var dayReady = _day!.IsReady(dayBucket);
                var weekReady = _week?.IsReady(weekBucket) ?? false;
                var dayUsable = dayReady && _dayPredictions >= MinTrack;
                var weekUsable = weekReady && _weekPredictions >= MinTrack;

                // The predictor with the lowest tracked error predicts, with hysteresis: a challenger must beat the
                // current one by SwitchMargin, so that near-equal predictors do not take turns point by point.
                var candidate = Predictor.Level;
                var candidateErr = _errLevel;
                if (dayUsable && _errDay < candidateErr)
                {
                    candidate = Predictor.Day;
                    candidateErr = _errDay;
                }

                if (weekUsable && _errWeek < candidateErr)
                {
                    candidate = Predictor.Week;
                    candidateErr = _errWeek;
                }

                var current = _predictor switch
                {
                    Predictor.Day when dayUsable => Predictor.Day,
                    Predictor.Week when weekUsable => Predictor.Week,
                    _ => Predictor.Level,
                };
                var currentErr = current switch { Predictor.Day => _errDay, Predictor.Week => _errWeek, _ => _errLevel };
                if (candidate != current && (current != _predictor || candidateErr < SwitchMargin * currentErr))
                {
                    current = candidate;
                }

                if (current != _predictor && current != Predictor.Level)
                {
                    // First time a profile predicts: the statistics so far came from a worse model.
                    Promoted |= current == Predictor.Day ? !_daySelected : !_weekSelected;
                    _daySelected |= current == Predictor.Day;
                    _weekSelected |= current == Predictor.Week;
                }

                if (_predictor == Predictor.Level || current != Predictor.Level)
                {
                    // A profile that is merely not ready at this bucket is not demoted, only skipped for this point.
                    _predictor = current;
                }

                // A bucket's scale comes from few visits: it is floored at a quarter of the model's tracked error so
                // that a bucket that happened to be quiet does not turn ordinary noise into a huge z.
                if (current == Predictor.Day)
                {
                    prediction = _day.Mean(dayBucket);
                    scale = Math.Max(_day.Scale(dayBucket), 0.25 * MadToSigma * _errDay);
                }
                else if (current == Predictor.Week)
                {
                    prediction = _week!.Mean(weekBucket);
                    scale = Math.Max(_week.Scale(weekBucket), 0.25 * MadToSigma * _errWeek);
                }

                _errLevel = Track(_errLevel, Math.Abs(y - _level.Mean));
                if (dayReady)
                {
                    var r = y - _day.Mean(dayBucket);
                    _errDay = Track(_errDay, Math.Abs(r));
                    _recentDay += RecentAlpha * (r - _recentDay);
                    _dayPredictions++;
                }

                if (weekReady)
                {
                    var r = y - _week!.Mean(weekBucket);
                    _errWeek = Track(_errWeek, Math.Abs(r));
                    _recentWeek += RecentAlpha * (r - _recentWeek);
                    _weekPredictions++;
                }
            }

            var residual = y - prediction;
            z = residual / Math.Max(scale, ScaleFloor);
            var clipped = Math.Clamp(z, -_cusumClip, _cusumClip);
            _up = Math.Max(0, _up + clipped - _allowance);
            _down = Math.Max(0, _down - clipped - _allowance);
            cusum = Math.Max(_up, _down);
            _recentLevel += RecentAlpha * (y - _level.Mean - _recentLevel);
            if (cusum >= _restartAt)
            {
                // A change: each predictor's own recent mean residual becomes part of its level. Each its own, so
                // that a "change" which is only the level predictor missing the daily cycle leaves the profiles alone.
                _level.Shift(_recentLevel);
                _day?.Shift(_recentDay);
                _week?.Shift(_recentWeek);
                _recentLevel = 0;
                _recentDay = 0;
                _recentWeek = 0;
                _up = 0;
                _down = 0;
            }
        }

        _level.Update(y);
        if (_seasonal)
        {
            // The profile that predicts does not learn from a point it finds grossly anomalous (a flat day, an outage):
            // Huber clipping alone would still bend a day's worth of buckets towards it. If the pattern really changed,
            // the profile's error grows, the level predictor takes over, and the profile learns again.
            var reject = Math.Abs(z) > RejectZ;
            if (!(reject && _predictor == Predictor.Day))
            {
                _day!.Update(dayBucket, timestampMs, y);
            }

            if (!(reject && _predictor == Predictor.Week))
            {
                _week?.Update(weekBucket, timestampMs, y);
            }
        }

        return (z, cusum);
    }

    // Errors are capped at 3× the tracked error, so an anomaly (large errors for every predictor, most for the one
    // that was right until then) does not swing the choice of predictor in the middle of the anomaly.
    private double Track(double current, double error) =>
        double.IsPositiveInfinity(current) ? error : current + (_selectionAlpha * (Math.Min(error, 3 * current) - current));

    private enum Predictor : byte
    {
        Level,
        Day,
        Week,
    }

    /// <summary>
    /// One additive seasonal profile: a deseasonalized level plus a deviation and a scale per time bucket,
    /// in floats to keep a series small.
    /// </summary>
    private sealed class Profile
    {
        private readonly float[] _deviation;
        private readonly float[] _mad;
        private readonly ushort[] _count;
        private readonly byte[] _periods;
        private readonly int[] _lastPeriod;
        private readonly long _periodMs;
        private readonly long _bucketMs;
        private readonly double _alpha;
        private readonly double _levelAlpha;
        private readonly int _minPeriods;
        private double _level;
        private bool _hasLevel;

        public Profile(int buckets, long periodMs, double alpha, int minPeriods, double levelAlpha)
        {
            _deviation = new float[buckets];
            _mad = new float[buckets];
            _count = new ushort[buckets];
            _periods = new byte[buckets];
            _lastPeriod = new int[buckets];
            _periodMs = periodMs;
            _bucketMs = periodMs / buckets;
            _alpha = alpha;
            _levelAlpha = levelAlpha;
            _minPeriods = minPeriods;
        }

        public int BucketOf(long timestampMs)
        {
            var inPeriod = timestampMs % _periodMs;
            if (inPeriod < 0)
            {
                inPeriod += _periodMs;
            }

            return (int)Math.Min(inPeriod / _bucketMs, _deviation.Length - 1);
        }

        public bool IsReady(int bucket) => _periods[bucket] >= _minPeriods;

        public double Mean(int bucket) => _level + _deviation[bucket];

        public double Scale(int bucket) => Math.Max(MadToSigma * _mad[bucket], 1e-9 * (Math.Abs(Mean(bucket)) + 1e-3));

        public void Shift(double delta) => _level += delta;

        public void Update(int bucket, long timestampMs, double x)
        {
            if (!_hasLevel)
            {
                _level = x;
                _hasLevel = true;
            }

            var period = (int)Math.Clamp((timestampMs / _periodMs) + 1, 1, int.MaxValue);
            if (_lastPeriod[bucket] != period)
            {
                _lastPeriod[bucket] = period;
                if (_periods[bucket] < byte.MaxValue)
                {
                    _periods[bucket]++;
                }
            }

            double deviation = _deviation[bucket], mad = _mad[bucket];
            var count = _count[bucket];
            var residual = x - _level - deviation;
            if (count == 0)
            {
                deviation = x - _level;
                residual = 0;
            }
            else if (_periods[bucket] <= _minPeriods)
            {
                // Until the bucket has seen enough periods, its visits are averaged plainly (the rate decays to alpha).
                var rate = Math.Max(_alpha, 1.0 / (count + 1));
                mad += rate * (Math.Abs(residual) - mad);
                deviation += rate * residual;
            }
            else
            {
                var limit = 3 * Scale(bucket);
                residual = Math.Clamp(residual, -limit, limit);
                deviation += _alpha * residual;
                mad += _alpha * (Math.Abs(residual) - mad);
            }

            // The level follows what the profile does not explain (clipped like the deviation).
            _level += _levelAlpha * residual;
            _deviation[bucket] = (float)deviation;
            _mad[bucket] = (float)mad;
            if (count < ushort.MaxValue)
            {
                _count[bucket] = (ushort)(count + 1);
            }
        }
    }
}
