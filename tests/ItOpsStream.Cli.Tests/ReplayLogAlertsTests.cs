using System.Text.Json;

namespace ItOpsStream.Cli.Tests;

public sealed class ReplayLogAlertsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("itops-replay-logs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Scenario(string name) => Path.Combine(AppContext.BaseDirectory, "Scenarios", name);

    [Fact]
    public async Task Replay_ErrorLogBurst_OpensIncidentWithTemplateAlert()
    {
        string output = Path.Combine(_dir, "incidents.jsonl");
        int code = await CliApp.RunAsync(
            ["replay", "--topology", Scenario("shop-topology.json"), "--events", Scenario("checkout-log-burst.jsonl"), "--out", output],
            new StringWriter(),
            new StringWriter());
        Assert.Equal(CliApp.ExitOk, code);

        var records = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var opened = Assert.Single(records, r => r.GetProperty("action").GetString() == "open");
        Assert.Equal("svc:checkout", opened.GetProperty("cmdb_ci").GetString());
        var alerts = opened.GetProperty("alerts").EnumerateArray().ToDictionary(a => a.GetProperty("check").GetString()!);

        // 20 minutes of info logs are the warm-up: the first error template is new, then 20 errors in a minute burst.
        Assert.Equal(["LogNewErrorTemplate", "LogErrorBurst"], alerts.Keys);
        Assert.Equal("2026-11-25T11:50:00Z", alerts["LogNewErrorTemplate"].GetProperty("first_seen").GetString());
        Assert.Equal("2026-11-25T11:50:38Z", alerts["LogErrorBurst"].GetProperty("first_seen").GetString());
        Assert.StartsWith("logs/LogErrorBurst/svc:checkout/", alerts["LogErrorBurst"].GetProperty("fingerprint").GetString(), StringComparison.Ordinal);
    }
}
