using ItOpsStream.Engine.Rules;

namespace ItOpsStream.Engine.Tests.Rules;

public sealed class ScheduleTests
{
    private static long At(string time) => DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    [Fact]
    public void OneOff_CoversStartButNotEnd()
    {
        var window = new OneOffSchedule(DateTimeOffset.Parse("2026-11-25T22:00:00Z", System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse("2026-11-26T02:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(window.IsActive(At("2026-11-25T22:00:00Z")));
        Assert.True(window.IsActive(At("2026-11-26T01:59:59Z")));
        Assert.False(window.IsActive(At("2026-11-26T02:00:00Z")));
        Assert.False(window.IsActive(At("2026-11-25T21:59:59Z")));
    }

    [Fact]
    public void Weekly_InTimeZone_RunsPastMidnight()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        // Saturday 22:00 to 02:00 Berlin time (UTC+1 in November).
        var window = new WeeklySchedule([new WeeklyRange(new HashSet<DayOfWeek> { DayOfWeek.Saturday }, TimeSpan.FromHours(22), TimeSpan.FromHours(2))], zone);
        Assert.True(window.IsActive(At("2026-11-28T21:30:00Z")));  // Sat 22:30 Berlin
        Assert.True(window.IsActive(At("2026-11-29T00:30:00Z")));  // Sun 01:30 Berlin
        Assert.False(window.IsActive(At("2026-11-29T01:30:00Z"))); // Sun 02:30 Berlin
        Assert.False(window.IsActive(At("2026-11-28T20:30:00Z"))); // Sat 21:30 Berlin
    }

    [Fact]
    public void Cron_OpensForTheDurationAfterEachOccurrence()
    {
        // Every day at 02:00 UTC for 90 minutes; weekdays only.
        var window = new CronSchedule("0 2 * * 1-5", TimeSpan.FromMinutes(90), TimeZoneInfo.Utc);
        Assert.True(window.IsActive(At("2026-11-25T02:00:00Z")));   // Wednesday
        Assert.True(window.IsActive(At("2026-11-25T03:29:59Z")));
        Assert.False(window.IsActive(At("2026-11-25T03:30:00Z")));
        Assert.False(window.IsActive(At("2026-11-25T01:59:00Z")));
        Assert.False(window.IsActive(At("2026-11-28T02:10:00Z")));  // Saturday
    }

    [Theory]
    [InlineData("0 2 * *")]
    [InlineData("61 2 * * *")]
    [InlineData("*/0 * * * *")]
    [InlineData("5-1 * * * *")]
    public void Cron_BadExpression_IsRefused(string expression) =>
        Assert.Throws<FormatException>(() => new CronSchedule(expression, TimeSpan.FromMinutes(10), TimeZoneInfo.Utc));
}
