namespace ItOpsStream.Models.Tests.Anomaly;

public sealed class ValueRangeTests
{
    [Fact]
    public void Span_CoversTheRecentValues_AndForgetsAnOldExtremeAfterTwoHorizons()
    {
        var range = new ValueRange(100);
        Assert.Equal(0, range.Span);
        range.Add(500);
        for (var i = 0; i < 99; i++)
        {
            range.Add(i % 10);
        }

        Assert.Equal(500, range.Max);
        Assert.Equal(500, range.Span);
        for (var i = 0; i < 100; i++)
        {
            range.Add(i % 10);
        }

        Assert.Equal(9, range.Max);
        Assert.Equal(0, range.Min);
        Assert.Equal(9, range.Span);
    }
}
