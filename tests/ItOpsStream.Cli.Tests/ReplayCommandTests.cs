using System.Text.Json;

namespace ItOpsStream.Cli.Tests;

public sealed class ReplayCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("itops-replay-").FullName;

    private static string Scenario(string name) => Path.Combine(AppContext.BaseDirectory, "Scenarios", name);

    private string Temp(string name) => Path.Combine(_dir, name);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Code, string Stderr)> Run(params string[] args)
    {
        var stderr = new StringWriter();
        int code = await CliApp.RunAsync(args, new StringWriter(), stderr);
        return (code, stderr.ToString());
    }

    private static List<JsonElement> ReadRecords(string path) =>
        File.ReadAllLines(path).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    [Fact]
    public async Task Replay_WritesContractIncidentRecords_WithRootCauseAndExplanation()
    {
        string output = Temp("incidents.jsonl");
        var (code, stderr) = await Run("replay", "--topology", Scenario("shop-topology.json"), "--events", Scenario("orders-db-outage.jsonl"), "--out", output, "--dead-letters", Temp("dead.jsonl"));
        Assert.Equal(CliApp.ExitOk, code);
        var records = ReadRecords(output);
        Assert.Equal(["open", "resolve"], records.Select(r => r.GetProperty("action").GetString()));
        var last = records[^1];
        Assert.Equal(
            ["incident_id", "version", "action", "opened_at", "updated_at", "resolved_at", "title", "priority", "impact", "urgency", "root_cause", "impacted_services", "cmdb_ci", "assignment_group", "alerts", "changes", "explanation"],
            last.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, last.GetProperty("version").GetInt32());
        Assert.Equal("2026-11-25T12:00:05Z", last.GetProperty("opened_at").GetString());
        Assert.Equal("2026-11-25T12:10:20Z", last.GetProperty("resolved_at").GetString());
        Assert.Equal("db:orders", last.GetProperty("cmdb_ci").GetString());
        Assert.Equal("team-data", last.GetProperty("assignment_group").GetString());
        Assert.Equal("P1", last.GetProperty("priority").GetString());
        Assert.Equal("db:orders Down — 3 alerts on 3 CIs, Online Store impacted", last.GetProperty("title").GetString());
        Assert.Equal("db:orders", last.GetProperty("root_cause")[0].GetProperty("ci").GetString());
        Assert.Equal("CHG0042", last.GetProperty("changes")[0].GetProperty("change_id").GetString());
        Assert.Contains("alert prom-checkout-errors joined: svc:checkout depends on db:orders (1 hop), 40 s after",
            last.GetProperty("explanation").EnumerateArray().Select(e => e.GetString()));
        var orders = last.GetProperty("alerts")[0];
        Assert.Equal("prom-orders-down", orders.GetProperty("fingerprint").GetString());
        Assert.Equal(3, orders.GetProperty("count").GetInt32());

        Assert.Contains("replay: 10 records read, 1 dead letters, 3 alerts, 1 incidents", stderr, StringComparison.Ordinal);
        var dead = ReadRecords(Temp("dead.jsonl"));
        Assert.Single(dead);
    }

    [Fact]
    public async Task Replay_TwiceOnTheSameInput_GivesIdenticalBytes()
    {
        foreach (var name in new[] { "a.jsonl", "b.jsonl" })
        {
            var (code, _) = await Run("replay", "--topology", Scenario("shop-topology.json"), "--events", Scenario("two-faults.jsonl"), "--out", Temp(name));
            Assert.Equal(CliApp.ExitOk, code);
        }

        Assert.Equal(File.ReadAllBytes(Temp("a.jsonl")), File.ReadAllBytes(Temp("b.jsonl")));
    }

    [Fact]
    public async Task Replay_SeparatesFaults_AndKeepsUnknownCis()
    {
        string output = Temp("incidents.jsonl");
        var (code, _) = await Run("replay", "--topology", Scenario("shop-topology.json"), "--events", Scenario("two-faults.jsonl"), "--out", output);
        Assert.Equal(CliApp.ExitOk, code);
        var latest = ReadRecords(output).GroupBy(r => r.GetProperty("incident_id").GetString()).Select(g => g.Last()).ToList();
        Assert.Equal(3, latest.Count);
        var host = Assert.Single(latest, r => r.GetProperty("alerts").GetArrayLength() == 3);
        Assert.Equal("host:node-3", host.GetProperty("root_cause")[0].GetProperty("ci").GetString());
        Assert.Contains(latest, r => r.GetProperty("alerts")[0].GetProperty("ci").GetString() == "vm:legacy-erp");
    }

    [Fact]
    public async Task Replay_WithSettingsFile_AppliesTheCorrelationWindow()
    {
        string rules = Temp("rules.yaml");
        File.WriteAllText(rules, "correlation:\n  window: 5s\n  shared_dependency_max_dependents: 0\n");
        string output = Temp("incidents.jsonl");
        var (code, _) = await Run("replay", "--topology", Scenario("shop-topology.json"), "--events", Scenario("two-faults.jsonl"), "--rules", rules, "--out", output);
        Assert.Equal(CliApp.ExitOk, code);
        // host:node-3 (12:00:00) and svc:checkout (12:00:10) are now too far apart; frontend still joins checkout.
        var ids = ReadRecords(output).Select(r => r.GetProperty("incident_id").GetString()).Distinct().Count();
        Assert.Equal(4, ids);
    }

    [Theory]
    [InlineData("topology", "topology file not found")]
    [InlineData("events", "events file not found")]
    [InlineData("rules", "rules file not found")]
    public async Task Replay_MissingFile_ExitsTwoWithOneLine(string missing, string expected)
    {
        string nowhere = Temp("missing.json");
        var args = new List<string>
        {
            "replay",
            "--topology", missing == "topology" ? nowhere : Scenario("shop-topology.json"),
            "--events", missing == "events" ? nowhere : Scenario("two-faults.jsonl"),
            "--out", Temp("out.jsonl"),
        };
        if (missing == "rules")
        {
            args.AddRange(["--rules", nowhere]);
        }

        var (code, stderr) = await Run([.. args]);
        Assert.Equal(CliApp.ExitBadInput, code);
        var line = Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_MalformedTopology_ExitsTwoWithFileLineColumn()
    {
        string topology = Temp("bad.json");
        File.WriteAllText(topology, "{\"cis\":[{\"id\":\"a\",\"class\":\"host\"},]}");
        var (code, stderr) = await Run("replay", "--topology", topology, "--events", Scenario("two-faults.jsonl"), "--out", Temp("out.jsonl"));
        Assert.Equal(CliApp.ExitBadInput, code);
        var line = Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.StartsWith($"itopsstream: {topology}:1:", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_BadSettings_ExitsTwoWithLineAndColumn()
    {
        string rules = Temp("rules.yaml");
        File.WriteAllText(rules, "correlation:\n  window: soon\n");
        var (code, stderr) = await Run("replay", "--topology", Scenario("shop-topology.json"), "--events", Scenario("two-faults.jsonl"), "--rules", rules, "--out", Temp("out.jsonl"));
        Assert.Equal(CliApp.ExitBadInput, code);
        var line = Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.StartsWith("itopsstream: ", line, StringComparison.Ordinal);
        Assert.EndsWith("rules.yaml:2:11: 'window' must be a duration like 90s, 10m or 2h, not 'soon'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_UnknownOption_ExitsTwo()
    {
        var (code, stderr) = await Run("replay", "--topology", Scenario("shop-topology.json"), "--events", Scenario("two-faults.jsonl"), "--out", Temp("out.jsonl"), "--fast");
        Assert.Equal(CliApp.ExitBadInput, code);
        Assert.Contains("--fast", Assert.Single(stderr.TrimEnd().Split('\n')), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_WithoutDeadLetterFile_PrintsDeadLettersOnStderr()
    {
        var (code, stderr) = await Run("replay", "--topology", Scenario("shop-topology.json"), "--events", Scenario("orders-db-outage.jsonl"), "--out", Temp("out.jsonl"));
        Assert.Equal(CliApp.ExitOk, code);
        Assert.Contains("orders-db-outage.jsonl:4: json.syntax", stderr, StringComparison.Ordinal);
    }
}
