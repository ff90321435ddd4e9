namespace ItOpsStream.Cli.Tests;

/// <summary>
/// The README's first command, end to end: embedded broker, bundled CMDB, simulator, the engine
/// consuming from Kafka, incidents read back from the incidents topic.
/// </summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_ShowsCorrelatedIncidentsWithRootCauseAndLogAlerts_ThenStops()
    {
        // The view and the status loop write from different threads.
        var buffer = new StringWriter();
        var stdout = TextWriter.Synchronized(buffer);
        var stderr = new StringWriter();

        int code = await CliApp.RunAsync(["demo", "--duration", "45"], stdout, stderr);

        string output = buffer.ToString();
        Assert.True(code == CliApp.ExitOk, $"exit {code}: {stderr}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var opened = lines.Where(l => l.Contains(" OPEN ", StringComparison.Ordinal)).ToList();
        Assert.True(opened.Count > 0, $"no incident opened; output was:\n{output}\nstderr:\n{stderr}");
        Assert.All(opened, l => Assert.Matches(@" P[1-5] INC-\S+ v1 .*\| root cause: \S+ \(\d\.\d\d\) \| impacted: .* \| alerts: [1-9]\d* of [1-9]\d* firing, ", l));

        // A resolved incident has no alert firing any more (the count is what changes as its alerts resolve one by one).
        Assert.All(lines.Where(l => l.Contains(" RESOLVE ", StringComparison.Ordinal)), l => Assert.Matches(@"\| alerts: 0 of [1-9]\d* firing, ", l));

        // Correlation, not one incident per alert: some incident grows past its first alert.
        Assert.Contains(lines, l => l.Contains(" UPDATE ", StringComparison.Ordinal) && l.Contains(" alerts on ", StringComparison.Ordinal));

        // The simulated faults make services log errors: the log-derived alerts join the incidents.
        Assert.Contains(lines, l => l.Contains("| alerts: ", StringComparison.Ordinal) && l.Contains("LogErrorBurst", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("status: ", StringComparison.Ordinal) && l.Contains("records/s", StringComparison.Ordinal));
        Assert.Matches(@"demo: stopped after \d+ s: [1-9]\d* records read, [1-9]\d* alerts, [1-9]\d* incidents opened", lines[^1]);
    }

    [Fact]
    public async Task Demo_NonPositiveDuration_ExitsTwoWithOneLine()
    {
        var stderr = new StringWriter();
        int code = await CliApp.RunAsync(["demo", "--duration", "0"], new StringWriter(), stderr);
        Assert.Equal(CliApp.ExitBadInput, code);
        Assert.Contains("--duration", Assert.Single(stderr.ToString().TrimEnd().Split('\n')), StringComparison.Ordinal);
    }
}
