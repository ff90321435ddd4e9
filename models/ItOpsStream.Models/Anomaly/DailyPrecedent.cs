namespace ItOpsStream.Models.Anomaly;

/// <summary>
/// Remembers at which time of day a series' residual left its normal range, so that an excursion that recurs every
/// day (a nightly batch, a daily report's spike) stops being an anomaly once it happened on two earlier days.
/// </summary>
/// <remarks>
/// The day is cut into <see cref="Buckets"/> UTC buckets of 30 minutes. An excursion (a statistic above the
/// calibrator's tail threshold) has a precedent when, in its bucket or a neighbouring one (the daily job drifts by
/// minutes), excursions happened on at least <see cref="MinDays"/> earlier days, the last at most
/// <see cref="MaxGapDays"/> days ago, and reached at least half this one's size. Excursions of the
/// current day never vouch for each other, so a sustained anomaly stays one. A daily profile cannot learn such spikes:
/// they are a few points wide, the profile's buckets are robust to them, and their minutes drift. 8 bytes per bucket.
/// </remarks>
internal sealed class DailyPrecedent
{
    private const long DayMs = 86_400_000;
    private const int Buckets = 48;
    private const long BucketMs = DayMs / Buckets;
    private const int MinDays = 2;
    private const int MaxGapDays = 2;
    private const float Similar = 0.5f;

    // A bucket's peak fades by this per day with an excursion: the same job's statistic varies from day to day (the
    // daily profile half-learns a spike that keeps to its bucket, not one that drifts to the next), so the peak
    // remembers the larger ones for a few days.
    private const float PeakDecay = 0.8f;

    private readonly Entry[] _entries = new Entry[Buckets];

    /// <summary>
    /// Records an excursion of size <paramref name="stat"/> at <paramref name="timestampMs"/> and tells whether earlier
    /// days had a similar one at about the same time.
    /// </summary>
    public bool Recurs(long timestampMs, double stat)
    {
        // Days since the epoch modulo 2^16: only differences of a few days are ever used.
        var day = (ushort)(long)Math.Floor(timestampMs / (double)DayMs);
        var bucket = (int)((((timestampMs % DayMs) + DayMs) % DayMs) / BucketMs);
        var recurs = false;
        for (var d = -1; d <= 1 && !recurs; d++)
        {
            ref readonly var e = ref _entries[(bucket + d + Buckets) % Buckets];
            var gap = (ushort)(day - e.Day);
            recurs = e.Days >= MinDays && gap is > 0 and <= MaxGapDays && stat * Similar <= e.Peak;
        }

        ref var own = ref _entries[bucket];
        var ownGap = (ushort)(day - own.Day);
        if (own.Days > 0 && ownGap == 0)
        {
            own.Peak = Math.Max(own.Peak, (float)stat);
        }
        else
        {
            // A new day with an excursion here: the run of days goes on if the last one was recent, else starts over.
            var continues = own.Days > 0 && ownGap is > 0 and <= MaxGapDays;
            own.Days = (byte)(continues ? Math.Min(own.Days + 1, byte.MaxValue) : 1);
            own.Peak = continues ? Math.Max(own.Peak * PeakDecay, (float)stat) : (float)stat;
            own.Day = day;
        }

        return recurs;
    }

    private struct Entry
    {
        public float Peak;
        public ushort Day;
        public byte Days;
    }
}
