using ItOpsStream.Engine.Pipeline;

namespace ItOpsStream.Engine.Tests.Pipeline;

public sealed class EventTimeWatermarkTests
{
    [Fact]
    public void Watermark_IsMaxEventTimeMinusLateness_AndNeverGoesBack()
    {
        var watermark = new EventTimeWatermark(10_000);
        Assert.Equal(long.MinValue, watermark.Current);
        watermark.Observe(100_000);
        watermark.Observe(50_000);
        watermark.Advance();
        Assert.Equal(90_000, watermark.Current);
        watermark.Observe(95_000);
        watermark.Advance();
        Assert.Equal(90_000, watermark.Current);
    }

    [Fact]
    public void Observe_ReportsRecordsOlderThanTheWatermarkAsLate()
    {
        var watermark = new EventTimeWatermark(10_000);
        watermark.Observe(100_000);
        watermark.Advance();
        Assert.False(watermark.Observe(90_000));
        Assert.True(watermark.Observe(89_999));
    }

    [Fact]
    public void AdvanceIdle_MovesByWallTime_FlushDropsLateness()
    {
        var watermark = new EventTimeWatermark(10_000);
        watermark.AdvanceIdle(5_000);
        Assert.Equal(long.MinValue, watermark.Current);
        watermark.Observe(100_000);
        watermark.Advance();
        watermark.AdvanceIdle(60_000);
        Assert.Equal(150_000, watermark.Current);
        var flushed = new EventTimeWatermark(10_000);
        flushed.Observe(100_000);
        flushed.Flush();
        Assert.Equal(100_000, flushed.Current);
    }
}
