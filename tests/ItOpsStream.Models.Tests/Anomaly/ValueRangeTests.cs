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

    [Fact]
    public void LaggedRange_JudgesAgainstTheValuesBeforeTheHeldOnes()
    {
        var range = new LaggedRange(1000, lagPoints: 2);
        foreach (var v in new double[] { 0, 100, 50, 50 })
        {
            range.Add(v);
        }

        // 0..100 is in the range, the two 50s are held: a step to -4 is within 5 % of it, -6 beyond.
        Assert.False(range.IsBeyond(-4, 0.05));
        Assert.True(range.IsBeyond(-6, 0.05));
        range.Add(-4);
        range.Add(-5);

        // -4 and -5 are held: still judged against 0..100, while the span counts them.
        Assert.False(range.IsBeyond(-5, 0.05));
        Assert.Equal(105, range.Span);

        // One more value and -4 enters the range (span 104): -9 is within 5 % of it, -9.3 beyond.
        range.Add(-6);
        Assert.False(range.IsBeyond(-9, 0.05));
        Assert.True(range.IsBeyond(-9.3, 0.05));
        Assert.Equal(106, range.Span);
    }
}
