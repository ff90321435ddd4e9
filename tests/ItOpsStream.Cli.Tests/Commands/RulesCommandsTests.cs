using System.Text.Json;

namespace ItOpsStream.Cli.Tests.Commands;

public sealed class RulesCommandsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("itops-rules-cli-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static string Scenario(string name) => Path.Combine(AppContext.BaseDirectory, "Scenarios", name);

    private string Temp(string name) => Path.Combine(_dir.FullName, name);

    private string Write(string name, string text)
    {
        string path = Temp(name);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task RulesCheck_ValidFile_ExitsZero()
    {
        var (code, stdout, stderr) = await Run("rules", "check", Scenario("shop-rules.yaml"), "--sample", Scenario("two-faults.jsonl"), "--topology", Scenario("shop-topology.json"));
        Assert.True(code == 0, stderr);
        Assert.Contains("shop-rules.yaml: valid, 1 suppress, 1 inhibit, 0 grouping, 1 remediation rules; 0 findings (5 sample alerts)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RulesCheck_InvalidFile_ExitsTwoWithLineAndColumn()
    {
        string rules = Write("bad.yaml", "grouping:\n  rules:\n    - name: by-env\n      grop_by: [env]\n");
        var (code, _, stderr) = await Run("rules", "check", rules);
        Assert.Equal(CliApp.ExitBadInput, code);
        Assert.Equal($"itopsstream: {rules}:4:7: unknown grouping rule key 'grop_by' (did you mean group_by?)", stderr.Trim());
    }

    [Fact]
    public async Task RulesCheck_FindingsWithStrict_ExitsOne()
    {
        string rules = Write("lint.yaml", "suppress:\n  - name: all-erp\n    match: '{ci=\"vm:legacy-erp\"}'\n  - name: erp-disk\n    match: '{ci=\"vm:legacy-erp\", check=\"DiskFull\"}'\n  - name: team\n    match: '{team=\"ops\"}'\n");
        var (code, stdout, _) = await Run("rules", "check", rules, "--sample", Scenario("two-faults.jsonl"));
        Assert.Equal(CliApp.ExitOk, code);
        Assert.Contains("lint.yaml:4:5: erp-disk: never decides", stdout, StringComparison.Ordinal);
        Assert.Contains("tests label 'team', which no sample alert has", stdout, StringComparison.Ordinal);
        (code, _, _) = await Run("rules", "check", rules, "--strict");
        Assert.Equal(CliApp.ExitFailure, code);
    }

    [Fact]
    public async Task Replay_WithRules_WritesReportAndRemediations()
    {
        string output = Temp("incidents.jsonl");
        string triggers = Temp("triggers.jsonl");
        var (code, stdout, stderr) = await Run("replay", "--topology", Scenario("shop-topology.json"), "--events", Scenario("two-faults.jsonl"), "--rules", Scenario("shop-rules.yaml"), "--out", output, "--remediations", triggers, "--report");
        Assert.True(code == 0, stderr);
        Assert.Contains("alerts in            5", stdout, StringComparison.Ordinal);
        Assert.Contains("incidents out        2", stdout, StringComparison.Ordinal);
        Assert.Contains("compression          60.0%", stdout, StringComparison.Ordinal);
        Assert.Contains("suppressed firings   1 (erp-maintenance: 1)", stdout, StringComparison.Ordinal);
        Assert.Contains("inhibited alerts     2 (host-down: 2)", stdout, StringComparison.Ordinal);
        Assert.Contains("Noisiest checks", stdout, StringComparison.Ordinal);

        var incidents = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var host = incidents.First(r => r.GetProperty("cmdb_ci").GetString() == "host:node-3");
        Assert.Equal(2, host.GetProperty("alerts").EnumerateArray().Count(a => a.TryGetProperty("inhibited", out var i) && i.GetBoolean()));

        var trigger = JsonDocument.Parse(Assert.Single(File.ReadAllLines(triggers))).RootElement;
        Assert.Equal(
            ["trigger_id", "ts", "rule", "runbook", "incident_id", "target_ci", "params", "requires_approval", "priority", "reason"],
            trigger.EnumerateObject().Select(p => p.Name));
        Assert.Equal("node-3", trigger.GetProperty("params").GetProperty("host").GetString());
        Assert.Equal(host.GetProperty("incident_id").GetString(), trigger.GetProperty("incident_id").GetString());

        // The report can go to a file instead, and a second run gives the same trigger ids.
        string report = Temp("report.txt");
        (code, stdout, _) = await Run("replay", "--topology", Scenario("shop-topology.json"), "--events", Scenario("two-faults.jsonl"), "--rules", Scenario("shop-rules.yaml"), "--out", Temp("again.jsonl"), "--remediations", Temp("again-triggers.jsonl"), "--report", report);
        Assert.Equal(0, code);
        Assert.DoesNotContain("Replay report", stdout, StringComparison.Ordinal);
        Assert.Contains("Replay report", File.ReadAllText(report), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(triggers), File.ReadAllBytes(Temp("again-triggers.jsonl")));
    }

    [Fact]
    public async Task Backtest_ShowsAppearedIncidentsAndCompression()
    {
        string none = Write("none.yaml", "correlation:\n  window: 5m\n");
        var (code, stdout, stderr) = await Run("backtest", "--topology", Scenario("shop-topology.json"), "--events", Scenario("two-faults.jsonl"), "--rules", Scenario("shop-rules.yaml"), "--against", none);
        Assert.True(code == 0, stderr);
        Assert.Contains("compression  60.0% -> 40.0%", stdout, StringComparison.Ordinal);
        Assert.Contains("appeared 1", stdout, StringComparison.Ordinal);
        Assert.Contains("vm:legacy-erp DiskFull", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backtest_SmallerWindow_SplitsAnIncident()
    {
        string wide = Write("wide.yaml", "correlation:\n  window: 5m\n");
        string narrow = Write("narrow.yaml", "correlation:\n  window: 5s\n");
        var (code, stdout, _) = await Run("backtest", "--topology", Scenario("shop-topology.json"), "--events", Scenario("orders-db-outage.jsonl"), "--rules", wide, "--against", narrow);
        Assert.Equal(0, code);
        Assert.Contains("split     INC-", stdout, StringComparison.Ordinal);
        (code, stdout, _) = await Run("backtest", "--topology", Scenario("shop-topology.json"), "--events", Scenario("orders-db-outage.jsonl"), "--rules", narrow, "--against", wide);
        Assert.Equal(0, code);
        Assert.Contains("merged    INC-", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_SaysWhyAlertsAreTogether_AndWhyAnotherIsNot()
    {
        string output = Temp("incidents.jsonl");
        await Run("replay", "--topology", Scenario("shop-topology.json"), "--events", Scenario("two-faults.jsonl"), "--rules", Scenario("shop-rules.yaml"), "--out", output);
        var latest = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        string hostIncident = latest.First(r => r.GetProperty("cmdb_ci").GetString() == "host:node-3").GetProperty("incident_id").GetString()!;
        string slowQueries = latest.First(r => r.GetProperty("cmdb_ci").GetString() == "db:orders").GetProperty("alerts")[0].GetProperty("fingerprint").GetString()!;

        var (code, stdout, stderr) = await Run("explain", "--incidents", output, "--id", hostIncident, "--alert", slowQueries, "--topology", Scenario("shop-topology.json"));
        Assert.True(code == 0, stderr);
        Assert.Contains("Why these alerts are together:", stdout, StringComparison.Ordinal);
        Assert.Contains("svc:checkout depends on host:node-3 (1 hop)", stdout, StringComparison.Ordinal);
        Assert.Contains($"not in {hostIncident}: outside the window", stdout, StringComparison.Ordinal);
        Assert.Contains("path to " + hostIncident + ": db:orders - svc:checkout (1 hop)", stdout, StringComparison.Ordinal);

        (code, stdout, _) = await Run("explain", "--incidents", output, "--id", hostIncident, "--alert", "fp-never-seen");
        Assert.Equal(0, code);
        Assert.Contains("is in no incident of this file", stdout, StringComparison.Ordinal);

        // The ERP alert was suppressed: with the events and rules, explain names the rule and its window.
        string events = Write("events.jsonl", File.ReadAllText(Scenario("two-faults.jsonl")).Replace("\"check\":\"DiskFull\",", "\"check\":\"DiskFull\",\"dedup_key\":\"erp-disk\",", StringComparison.Ordinal));
        await Run("replay", "--topology", Scenario("shop-topology.json"), "--events", events, "--rules", Scenario("shop-rules.yaml"), "--out", output);
        (code, stdout, stderr) = await Run("explain", "--incidents", output, "--id", hostIncident, "--alert", "erp-disk", "--events", events, "--rules", Scenario("shop-rules.yaml"), "--topology", Scenario("shop-topology.json"));
        Assert.True(code == 0, stderr);
        Assert.Contains("suppressed by rule erp-maintenance", stdout, StringComparison.Ordinal);
        Assert.Contains("window 2026-11-25T11:00:00", stdout, StringComparison.Ordinal);

        (code, _, stderr) = await Run("explain", "--incidents", output, "--id", "INC-nope");
        Assert.Equal(CliApp.ExitBadInput, code);
        Assert.Contains("incident INC-nope is not in", stderr, StringComparison.Ordinal);
    }
}
