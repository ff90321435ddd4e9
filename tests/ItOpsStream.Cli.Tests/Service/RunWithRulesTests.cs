using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ItOpsStream.Cli.Service;
using Microsoft.Extensions.Logging;

namespace ItOpsStream.Cli.Tests.Service;

/// <summary>
/// <c>itopsstream run</c> with the <c>rules</c> key: remediation triggers on the remediations topic,
/// a bad rules file refused at start, and a bad reload that keeps the rules in force.
/// </summary>
[Collection(CmdbWiringCollection.Name)]
public sealed class RunWithRulesTests(CmdbWiringFixture env) : IDisposable
{
    private const string TopologyJson = """
        {"cis":[
          {"id":"bs:shop","class":"business_service","criticality":"critical"},
          {"id":"svc:web","class":"service"},
          {"id":"db:main","class":"database","owner":"team-data"}],
         "relations":[{"from":"bs:shop","to":"svc:web"},{"from":"svc:web","to":"db:main"}]}
        """;

    private const string RemediationRules = """
        remediation:
          - name: restart-db
            match: '{check="DatabaseDown"}'
            runbook: db.restart
            params: {host: "{{ci.id}}", owner: "{{ci.owner}}"}
        """;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("itops-runrules-").FullName;

    [Fact]
    public async Task Run_WithARemediationRule_ProducesATriggerKeyedByTriggerIdOnTheRemediationsTopic()
    {
        string events = env.Kafka.NewTopic("events", 1);
        string incidents = env.Kafka.NewTopic("incidents", 1);
        string remediations = env.Kafka.NewTopic("remediations", 1);
        await File.WriteAllTextAsync(Path.Combine(_dir, "rules.yaml"), RemediationRules);
        var config = await WriteConfigAsync(events, incidents, remediations, "rules.yaml");

        using var stop = new CancellationTokenSource();
        var stderr = new StringWriter();
        var run = Task.Run(() => CliApp.RunAsync(["run", "--config", config], new StringWriter(), stderr, stop.Token));

        long ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 10_000;
        await env.ProduceAsync(events, Event(ts, "db:main", "DatabaseDown", "critical", "main"));
        var read = env.ReadUntil(remediations, r => r.Count > 0, Timeout);
        await stop.CancelAsync();
        Assert.Equal(CliApp.ExitOk, await run);

        var record = Assert.Single(read);
        var trigger = JsonDocument.Parse(record.Message.Value).RootElement;
        Assert.Equal(trigger.GetProperty("trigger_id").GetString(), Encoding.UTF8.GetString(record.Message.Key!));
        Assert.Equal("restart-db", trigger.GetProperty("rule").GetString());
        Assert.Equal("db.restart", trigger.GetProperty("runbook").GetString());
        Assert.Equal("db:main", trigger.GetProperty("target_ci").GetString());
        Assert.Equal("team-data", trigger.GetProperty("params").GetProperty("owner").GetString());
        Assert.StartsWith("INC-", trigger.GetProperty("incident_id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithAnInvalidRulesFile_ExitsWithTwoAndOneLineWithFileLineAndColumn()
    {
        var rules = Path.Combine(_dir, "rules.yaml");
        await File.WriteAllTextAsync(rules, "remediation:\n  - name: x\n    runbok: db.restart\n");
        var config = await WriteConfigAsync("events", "incidents", "remediations", "rules.yaml", bootstrap: "127.0.0.1:1");
        var stderr = new StringWriter();

        int code = await CliApp.RunAsync(["run", "--config", config], new StringWriter(), stderr);

        Assert.Equal(CliApp.ExitBadInput, code);
        var line = Assert.Single(stderr.ToString().TrimEnd().Split('\n'));
        Assert.Matches(@$"{System.Text.RegularExpressions.Regex.Escape(rules)}:\d+:\d+: ", line);
    }

    [Fact]
    public async Task Run_WithAMissingRulesFile_ExitsWithTwoNamingTheKey()
    {
        var config = await WriteConfigAsync("events", "incidents", "remediations", "no-such-rules.yaml", bootstrap: "127.0.0.1:1");
        var stderr = new StringWriter();

        int code = await CliApp.RunAsync(["run", "--config", config], new StringWriter(), stderr);

        Assert.Equal(CliApp.ExitBadInput, code);
        Assert.Contains("config: rules: ", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_BadReload_KeepsTheRulesInForceAndLogsWhy_ThenAGoodOneSwapsInAndNamesTheRestart()
    {
        var rules = Path.Combine(_dir, "rules.yaml");
        await File.WriteAllTextAsync(rules, RemediationRules);
        var config = await WriteConfigAsync("events", "incidents", "remediations", "rules.yaml", bootstrap: "127.0.0.1:1");
        using var wiring = RulesWiring.Load(EngineConfig.Load(config, new Dictionary<string, string>()))!;
        var logger = new ListLogger();
        wiring.Watch(logger, TimeSpan.FromMilliseconds(50));
        var before = wiring.Provider.Current;

        await File.WriteAllTextAsync(rules, "remediation:\n  - name: restart-db\n    runbook: [oops\n");
        await WaitForAsync(() => logger.Entries.Any(e => e.Level == LogLevel.Error));

        Assert.Same(before, wiring.Provider.Current);
        // Editors may write in steps: every refusal is one line naming the position and what stays in force.
        Assert.All(logger.Entries.Where(e => e.Level == LogLevel.Error), e => Assert.Matches(@"rules\.yaml:\d+:\d+: .*\(keeping the previous rules\)$", e.Message));

        await File.WriteAllTextAsync(rules, RemediationRules + "\n  - name: page\n    incident: '{priority=\"P1\"}'\n    runbook: pagerduty.page\nalerts:\n  flap_threshold: 9\n");
        await WaitForAsync(() => wiring.Provider.Current.Remediations.Count == 2);
        await WaitForAsync(() => logger.Entries.Any(e => e.Level == LogLevel.Warning), () => string.Join(" | ", logger.Entries));
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("after a restart", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Config_RulesPathComesFromTheEnvironmentOverride()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "other.yaml"), RemediationRules);
        var config = await WriteConfigAsync("events", "incidents", "remediations", "rules.yaml", bootstrap: "127.0.0.1:1");
        var other = Path.Combine(_dir, "other.yaml");

        var loaded = EngineConfig.Load(config, new Dictionary<string, string> { ["ITOPS__RULES"] = other });

        Assert.Equal(other, loaded.RulesFile);
        Assert.Equal("remediations", loaded.RemediationsTopic);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<string> WriteConfigAsync(string events, string incidents, string remediations, string rules, string? bootstrap = null)
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "topology.json"), TopologyJson);
        var config = Path.Combine(_dir, "engine.yaml");
        await File.WriteAllTextAsync(config, $"""
            kafka:
              bootstrap: {bootstrap ?? env.Kafka.BootstrapServers}
              group_id: {env.Kafka.UniqueName("run")}
              topics:
                {events}: auto
              incidents_topic: {incidents}
              remediations_topic: {remediations}
              cmdb_topic: ""
              client:
                session.timeout.ms: "6000"
            topology:
              file: topology.json
            rules: {rules}
            pipeline:
              idle_advance_ms: 1000
            """);
        return config;
    }

    private static async Task WaitForAsync(Func<bool> condition, Func<string>? state = null)
    {
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); !condition(); await Task.Delay(20))
        {
            Assert.True(clock.Elapsed < Timeout, $"timed out {state?.Invoke()}");
        }
    }

    private static string Event(long ts, string ci, string check, string severity, string key) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"ts":{{ts}},"kind":"event","source":"test","ci":"{{ci}}","check":"{{check}}","severity":"{{severity}}","status":"firing","dedup_key":"{{key}}"}""");

    /// <summary>Keeps every log line.</summary>
    private sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
