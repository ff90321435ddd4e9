namespace ItOpsStream.Cli.Tests;

public sealed class CliAppTests
{
    [Fact]
    public async Task UnknownOption_ExitsWithTwoAndOneLine()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await CliApp.RunAsync(["version", "--no-such-option"], stdout, stderr);
        Assert.Equal(CliApp.ExitBadInput, code);
        var lines = stderr.ToString().TrimEnd().Split('\n');
        Assert.Single(lines);
        Assert.Contains("--no-such-option", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_PrintsProgramName()
    {
        var stdout = new StringWriter();
        int code = await CliApp.RunAsync(["version"], stdout, new StringWriter());
        Assert.Equal(CliApp.ExitOk, code);
        Assert.StartsWith("itopsstream ", stdout.ToString(), StringComparison.Ordinal);
    }
}
