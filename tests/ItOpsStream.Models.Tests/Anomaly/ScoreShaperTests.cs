namespace ItOpsStream.Models.Tests.Anomaly;

public sealed class ScoreShaperTests
{
    [Fact]
    public void Rest_BurstRisingByLessThanTheMargin_IsReportedOnce()
    {
        var shaper = new ScoreShaper(CalibrationOptions.Default);
        var rising = new[] { 0.30, 0.33, 0.38, 0.40 }.Select(shaper.Rest).ToArray();

        Assert.Equal(0.30, rising[0]);
        Assert.All(rising.Skip(1), s => Assert.True(s < 0.15, $"later point of the burst reported at {s:0.###}"));
    }

    [Fact]
    public void Rest_ScoreClearlyAboveThePeak_IsReportedAgain_AndTheRestEndsAfterItsPoints()
    {
        var shaper = new ScoreShaper(CalibrationOptions.Default);
        Assert.Equal(0.30, shaper.Rest(0.30));
        Assert.Equal(0.45, shaper.Rest(0.45));
        for (var i = 0; i < CalibrationOptions.Default.RestPoints; i++)
        {
            shaper.Rest(0);
        }

        Assert.Equal(0.30, shaper.Rest(0.30));
    }

    [Fact]
    public void Rest_WithoutMargin_ReportsEachNewMaximum()
    {
        var shaper = new ScoreShaper(CalibrationOptions.Default with { RestMargin = 0 });
        Assert.Equal([0.30, 0.33, 0.38], new[] { 0.30, 0.33, 0.38 }.Select(shaper.Rest).ToArray());
    }
}
