using ItOpsStream.Models.Csv;
using ItOpsStream.Models.Logs.Evaluation;

namespace ItOpsStream.Models.Tests.Logs;

public sealed class GroupingMetricsTests
{
    [Fact]
    public void Compute_PerfectGrouping_WithOtherLabels_IsOne()
    {
        var m = GroupingMetrics.Compute(new[] { 7, 7, 9 }, new[] { "a", "a", "b" });
        Assert.Equal(1.0, m.GroupingAccuracy);
        Assert.Equal(1.0, m.GroupF1);
    }

    [Fact]
    public void Compute_SplitGroup_CountsNoneOfItsMessages()
    {
        // True group a (3 messages) is split: none of its messages counts; group b is exact.
        var m = GroupingMetrics.Compute(new[] { 1, 1, 2, 3 }, new[] { "a", "a", "a", "b" });
        Assert.Equal(0.25, m.GroupingAccuracy);
        Assert.Equal(1.0 / 3, m.GroupPrecision, 6);
        Assert.Equal(0.5, m.GroupRecall, 6);
    }

    [Fact]
    public void Compute_MergedGroups_CountsNoneOfThem()
    {
        var m = GroupingMetrics.Compute(new[] { 1, 1, 1 }, new[] { "a", "a", "b" });
        Assert.Equal(0.0, m.GroupingAccuracy);
    }

    [Fact]
    public void Compute_LengthMismatch_Throws()
    {
        Assert.Throws<ArgumentException>(() => GroupingMetrics.Compute(new[] { 1 }, new[] { "a", "b" }));
    }

    [Fact]
    public void Csv_QuotedFields_RoundTrip()
    {
        var builder = new System.Text.StringBuilder();
        CsvFields.Append(builder, "a, \"b\"");
        builder.Append(',');
        CsvFields.Append(builder, "plain");
        var record = CsvFields.ReadRecords(new StringReader(builder.ToString())).Single();
        Assert.Equal(["a, \"b\"", "plain"], record.Fields);
    }
}
