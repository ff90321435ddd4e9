namespace ItOpsStream.Cli.Tests;

public sealed class LogsCommandTests
{
    [Fact]
    public async Task Mine_WritesOneRowPerLineInOrder_WithQuotedTemplates()
    {
        string dir = Directory.CreateTempSubdirectory("itops-logs-").FullName;
        try
        {
            string input = Path.Combine(dir, "in.txt");
            string output = Path.Combine(dir, "out.csv");
            await File.WriteAllLinesAsync(input,
            [
                "close, 0 bytes sent, 0 bytes received, lifetime 00:01",
                "user 7 logged in",
                "close, 451 bytes sent, 18846 bytes (18.4 KB) received, lifetime <1 sec",
                "",
            ]);
            int code = await CliApp.RunAsync(["logs", "mine", "--in", input, "--out", output], new StringWriter(), new StringWriter());
            Assert.Equal(CliApp.ExitOk, code);
            var lines = await File.ReadAllLinesAsync(output);
            Assert.Equal("line,template_id,template", lines[0]);
            Assert.Equal("1,1,\"close, <*> sent, <*> received, lifetime <*>\"", lines[1]);
            Assert.Equal("2,2,user <*> logged in", lines[2]);
            Assert.Equal("3,1,\"close, <*> sent, <*> received, lifetime <*>\"", lines[3]);
            Assert.Equal("4,3,", lines[4]);
            Assert.Equal(5, lines.Length);

            string again = Path.Combine(dir, "again.csv");
            await CliApp.RunAsync(["logs", "mine", "--in", input, "--out", again], new StringWriter(), new StringWriter());
            Assert.Equal(await File.ReadAllBytesAsync(output), await File.ReadAllBytesAsync(again));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Mine_MissingInput_ExitsTwoWithOneLine()
    {
        var stderr = new StringWriter();
        int code = await CliApp.RunAsync(["logs", "mine", "--in", "/nonexistent/in.txt", "--out", "out.csv"], new StringWriter(), stderr);
        Assert.Equal(CliApp.ExitBadInput, code);
        Assert.Single(stderr.ToString().TrimEnd().Split('\n'));
        Assert.Contains("input file not found", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_Generated_PrintsGaPerCorpusAndMean()
    {
        var stdout = new StringWriter();
        int code = await CliApp.RunAsync(["logs", "eval", "--generated", "500"], stdout, new StringWriter());
        Assert.Equal(CliApp.ExitOk, code);
        var lines = stdout.ToString().TrimEnd().Split('\n');
        Assert.StartsWith("dataset,messages,ga", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("mean,2500,", lines[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("LineId,Content,EventId\n1,\"open,E1\n", "logs eval: Bad_2k.log_structured.csv line 2: unterminated quoted field")]
    [InlineData("LineId,Content,EventId\n1,ok,E1\n2,short\n", "logs eval: Bad_2k.log_structured.csv line 3: 2 fields, the header has Content and EventId at columns 2 and 3")]
    public async Task Eval_MalformedStructuredFile_ExitsTwoWithOneLineNamingFileAndLine(string csv, string expected)
    {
        string dir = Directory.CreateTempSubdirectory("itops-logs-eval-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "Bad_2k.log_structured.csv"), csv);
            var stderr = new StringWriter();
            int code = await CliApp.RunAsync(["logs", "eval", "--data", dir], new StringWriter(), stderr);
            Assert.Equal(CliApp.ExitBadInput, code);
            Assert.Equal($"itopsstream: {expected}", Assert.Single(stderr.ToString().TrimEnd().Split('\n')));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
