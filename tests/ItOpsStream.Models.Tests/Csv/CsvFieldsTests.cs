using ItOpsStream.Models.Csv;

namespace ItOpsStream.Models.Tests.Csv;

public sealed class CsvFieldsTests
{
    private static List<CsvRecord> Read(string text) => [.. CsvFields.ReadRecords(new StringReader(text))];

    [Fact]
    public void ReadRecords_QuotedFieldSpanningLines_ReportsTheLineEachRecordStartsOn()
    {
        var records = Read("id,message\r\n1,\"first\nsecond\"\r\n2,\"say \"\"hi\"\", then go\"\n");

        Assert.Equal([1, 2, 4], records.Select(r => r.Line));
        Assert.Equal(["1", "first\nsecond"], records[1].Fields);
        Assert.Equal(["2", "say \"hi\", then go"], records[2].Fields);
    }

    [Fact]
    public void ReadRecords_BlankLinesByteOrderMarkAndMissingFinalNewline_AreHandled()
    {
        var records = Read("\uFEFFa,b\n\n1,2\n\r\n3,\n,");

        Assert.Equal(["a", "b"], records[0].Fields);
        Assert.Equal([["1", "2"], ["3", ""], ["", ""]], records.Skip(1).Select(r => r.Fields.ToArray()));
        Assert.Equal([3, 5, 6], records.Skip(1).Select(r => r.Line));
    }

    [Fact]
    public void ReadRecords_QuoteInsideAField_IsText()
    {
        var record = Assert.Single(Read("5\" disk,x\"y\n"));

        Assert.Equal(["5\" disk", "x\"y"], record.Fields);
    }

    [Fact]
    public void ReadRecords_UnterminatedQuote_NamesTheLineItsRecordStartsOn()
    {
        var ex = Assert.Throws<InvalidDataException>(() => Read("a,b\n1,2\n3,\"open\nstill open\n"));

        Assert.Equal("line 3: unterminated quoted field", ex.Message);
    }
}
