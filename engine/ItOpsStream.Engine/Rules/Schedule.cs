namespace ItOpsStream.Engine.Rules;

/// <summary>
/// When a suppression (maintenance) window is active. Judged on event time, never the wall clock,
/// so replay and backtests give the same answer as the live run did.
/// </summary>
public abstract class Schedule
{
    /// <summary>Whether the window covers the event time (Unix ms).</summary>
    public abstract bool IsActive(long epochMs);

    /// <summary>How the window reads in the rules file, for lint and explain output.</summary>
    public abstract string Describe();
}

/// <summary>A one-off window <c>[start, end)</c>.</summary>
internal sealed class OneOffSchedule(DateTimeOffset start, DateTimeOffset end) : Schedule
{
    private readonly long _start = start.ToUnixTimeMilliseconds();
    private readonly long _end = end.ToUnixTimeMilliseconds();

    public override bool IsActive(long epochMs) => epochMs >= _start && epochMs < _end;

    public override string Describe() => $"{start:yyyy-MM-dd'T'HH:mm:ssK}..{end:yyyy-MM-dd'T'HH:mm:ssK}";
}

/// <summary>
/// Weekly ranges in a time zone: on the given days, from <c>from</c> to <c>to</c> local time. A range
/// whose <c>to</c> is not after its <c>from</c> runs past midnight into the next day (22:00–02:00).
/// </summary>
internal sealed class WeeklySchedule(IReadOnlyList<WeeklyRange> ranges, TimeZoneInfo zone) : Schedule
{
    public override bool IsActive(long epochMs)
    {
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(epochMs), zone);
        var time = local.TimeOfDay;
        var day = local.DayOfWeek;
        var yesterday = (DayOfWeek)(((int)day + 6) % 7);
        foreach (var range in ranges)
        {
            if (range.From < range.To)
            {
                if (range.Days.Contains(day) && time >= range.From && time < range.To)
                {
                    return true;
                }
            }
            else if ((range.Days.Contains(day) && time >= range.From) || (range.Days.Contains(yesterday) && time < range.To))
            {
                return true;
            }
        }

        return false;
    }

    public override string Describe() => string.Join("; ", ranges.Select(r => $"{string.Join(",", r.Days.Select(d => d.ToString()[..3].ToLowerInvariant()))} {r.From:hh\\:mm}-{r.To:hh\\:mm}")) + $" {zone.Id}";
}

/// <summary>One weekly range: days and local times of day.</summary>
internal sealed record WeeklyRange(IReadOnlySet<DayOfWeek> Days, TimeSpan From, TimeSpan To);

/// <summary>
/// A cron window: each time the 5-field cron expression (minute hour day-of-month month day-of-week,
/// in the time zone) fires, the window opens for <c>duration</c>. Checking walks back minute by
/// minute over at most the duration, which is capped (7 days), so the cost is bounded.
/// </summary>
internal sealed class CronSchedule : Schedule
{
    /// <summary>Longest window a cron occurrence may open.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(7);

    private readonly ulong _minutes;
    private readonly uint _hours;
    private readonly uint _days;
    private readonly ushort _months;
    private readonly byte _weekdays;
    private readonly bool _dayRestricted;
    private readonly bool _weekdayRestricted;
    private readonly string _text;
    private readonly TimeSpan _duration;
    private readonly TimeZoneInfo _zone;

    public CronSchedule(string expression, TimeSpan duration, TimeZoneInfo zone)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            throw new FormatException($"cron '{expression}' must have 5 fields (minute hour day-of-month month day-of-week)");
        }

        if (duration <= TimeSpan.Zero || duration > MaxDuration)
        {
            throw new FormatException("a cron window's duration must be positive and at most 7d");
        }

        _minutes = Field(fields[0], 0, 59, "minute");
        _hours = (uint)Field(fields[1], 0, 23, "hour");
        _days = (uint)Field(fields[2], 1, 31, "day-of-month");
        _months = (ushort)Field(fields[3], 1, 12, "month");
        ulong weekdays = Field(fields[4], 0, 7, "day-of-week");
        if ((weekdays & (1UL << 7)) != 0)
        {
            weekdays |= 1; // 7 is Sunday too
        }

        _weekdays = (byte)(weekdays & 0x7F);
        _dayRestricted = fields[2] != "*";
        _weekdayRestricted = fields[4] != "*";
        _text = expression;
        _duration = duration;
        _zone = zone;
    }

    public override bool IsActive(long epochMs)
    {
        var instant = DateTimeOffset.FromUnixTimeMilliseconds(epochMs);
        var minute = new DateTimeOffset(instant.Year, instant.Month, instant.Day, instant.Hour, instant.Minute, 0, TimeSpan.Zero);
        long steps = (long)Math.Ceiling(_duration.TotalMinutes);
        for (long i = 0; i < steps; i++)
        {
            var candidate = minute.AddMinutes(-i);
            if (Fires(TimeZoneInfo.ConvertTime(candidate, _zone)) && epochMs < candidate.Add(_duration).ToUnixTimeMilliseconds())
            {
                return true;
            }
        }

        return false;
    }

    public override string Describe() => $"cron '{_text}' for {_duration} in {_zone.Id}";

    private bool Fires(DateTimeOffset local)
    {
        if ((_minutes & (1UL << local.Minute)) == 0 || (_hours & (1U << local.Hour)) == 0 || (_months & (1 << local.Month)) == 0)
        {
            return false;
        }

        bool day = (_days & (1U << local.Day)) != 0;
        bool weekday = (_weekdays & (1 << (int)local.DayOfWeek)) != 0;

        // Vixie cron: when both day fields are restricted, either may match.
        return _dayRestricted && _weekdayRestricted ? day || weekday : day && weekday;
    }

    private static ulong Field(string text, int min, int max, string what)
    {
        ulong bits = 0;
        foreach (var part in text.Split(','))
        {
            string range = part;
            int step = 1;
            int slash = part.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                if (!int.TryParse(part[(slash + 1)..], out step) || step < 1)
                {
                    throw new FormatException($"cron {what} step '{part}' is not a positive number");
                }

                range = part[..slash];
            }

            int lo, hi;
            if (range == "*")
            {
                (lo, hi) = (min, max);
            }
            else if (range.Split('-') is [var a, var b])
            {
                lo = Number(a, min, max, what);
                hi = Number(b, min, max, what);
                if (hi < lo)
                {
                    throw new FormatException($"cron {what} range '{range}' runs backwards");
                }
            }
            else
            {
                lo = Number(range, min, max, what);
                hi = slash >= 0 ? max : lo;
            }

            for (int v = lo; v <= hi; v += step)
            {
                bits |= 1UL << v;
            }
        }

        return bits;
    }

    private static int Number(string text, int min, int max, string what) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int v) && v >= min && v <= max
            ? v
            : throw new FormatException($"cron {what} '{text}' must be a number from {min} to {max}");
}
