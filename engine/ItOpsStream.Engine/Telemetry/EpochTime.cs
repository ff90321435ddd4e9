namespace ItOpsStream.Engine.Telemetry;

/// <summary>
/// Timestamp parsing for decoders: RFC 3339 text straight from UTF-8 bytes, and the range every
/// timestamp must fall in (years 1 to 9999, what <see cref="DateTimeOffset"/> can represent).
/// </summary>
internal static class EpochTime
{
    /// <summary>0001-01-01T00:00:00Z in Unix epoch milliseconds.</summary>
    public const long MinMs = -62_135_596_800_000;

    /// <summary>9999-12-31T23:59:59.999Z in Unix epoch milliseconds.</summary>
    public const long MaxMs = 253_402_300_799_999;

    /// <summary>
    /// Parses <c>YYYY-MM-DD(T|t| )hh:mm:ss[.fraction](Z|z|±hh:mm)</c> (RFC 3339 §5.6). Fractions of any
    /// length are truncated to milliseconds. Leap seconds (<c>:60</c>) and missing offsets are refused:
    /// a time without an offset is ambiguous and RFC 3339 does not allow it.
    /// </summary>
    public static bool TryParseRfc3339(ReadOnlySpan<byte> s, out long epochMs)
    {
        epochMs = 0;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
        {
            return false;
        }

        if (!TryDigits(s, 0, 4, out int year) || !TryDigits(s, 5, 2, out int month) || !TryDigits(s, 8, 2, out int day)
            || !TryDigits(s, 11, 2, out int hour) || !TryDigits(s, 14, 2, out int minute) || !TryDigits(s, 17, 2, out int second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        int i = 19;
        int millis = 0;
        if (s[i] == '.')
        {
            i++;
            int start = i;
            while (i < s.Length && IsDigit(s[i]))
            {
                if (i - start < 3)
                {
                    millis = (millis * 10) + (s[i] - '0');
                }

                i++;
            }

            int digits = i - start;
            if (digits == 0)
            {
                return false;
            }

            for (int d = digits; d < 3; d++)
            {
                millis *= 10;
            }
        }

        if (i >= s.Length)
        {
            return false;
        }

        int offsetMinutes;
        if (s[i] is (byte)'Z' or (byte)'z')
        {
            offsetMinutes = 0;
            i++;
        }
        else if (s[i] is (byte)'+' or (byte)'-')
        {
            if (s.Length - i != 6 || s[i + 3] != ':' || !TryDigits(s, i + 1, 2, out int oh) || !TryDigits(s, i + 4, 2, out int om) || oh > 23 || om > 59)
            {
                return false;
            }

            offsetMinutes = ((oh * 60) + om) * (s[i] == '-' ? -1 : 1);
            i += 6;
        }
        else
        {
            return false;
        }

        if (i != s.Length)
        {
            return false;
        }

        long days = DaysFromCivil(year, month, day);
        long ms = (((((days * 24) + hour) * 60) + minute - offsetMinutes) * 60_000L) + (second * 1000L) + millis;
        if (ms is < MinMs or > MaxMs)
        {
            return false;
        }

        epochMs = ms;
        return true;
    }

    public static bool InRange(long epochMs) => epochMs is >= MinMs and <= MaxMs;

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static bool TryDigits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        for (int i = start; i < start + count; i++)
        {
            if (!IsDigit(s[i]))
            {
                return false;
            }

            value = (value * 10) + (s[i] - '0');
        }

        return true;
    }

    private static int DaysInMonth(int year, int month) => month switch
    {
        2 => (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    private static long DaysFromCivil(int year, int month, int day)
    {
        long y = month <= 2 ? year - 1 : year;
        long era = (y >= 0 ? y : y - 399) / 400;
        long yoe = y - (era * 400);
        long doy = ((153 * (month > 2 ? month - 3 : month + 9)) + 2) / 5 + day - 1;
        long doe = (yoe * 365) + (yoe / 4) - (yoe / 100) + doy;
        return (era * 146_097) + doe - 719_468;
    }
}
