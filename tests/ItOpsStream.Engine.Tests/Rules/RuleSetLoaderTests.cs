using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Rules;

namespace ItOpsStream.Engine.Tests.Rules;

public sealed class RuleSetLoaderTests
{
    internal static RuleSet Parse(string yaml) => RuleSetLoader.Parse(new StringReader(yaml), "rules.yaml");

    private static string Error(string yaml) => Assert.Throws<SettingsFormatException>(() => Parse(yaml)).Message;

    [Fact]
    public void Parse_FullFile_ReadsEverySection()
    {
        var rules = Parse("""
            alerts:
              flap_threshold: 6
            correlation:
              window: 2m
              max_hops: 4
            priority:
              matrix:
                - [P1, P1, P2]
                - [P2, P3, P4]
                - [P3, P4, P5]
            suppress:
              - name: nightly-backup
                match: '{check="BackupRunning"}'
                ci_subtree: host:db-1
                time_zone: Europe/Berlin
                windows:
                  - {days: [mon, tue], from: "01:00", to: "03:00"}
                  - {cron: "0 4 * * *", duration: 30m}
                  - {start: 2026-11-25T22:00:00Z, end: 2026-11-26T02:00:00Z}
            inhibit:
              - name: host-down
                sources: ['{check="HostDown"}', '{check="PingLoss"}']
                target: '{ci_class="service"}'
                equal: [env]
                topology: dependents
                max_hops: 2
            grouping:
              reopen: new
              rules:
                - name: per-env
                  match: '{env=~".+"}'
                  group_by: [env]
                  max_alerts: 50
                  max_duration: 4h
                  lock_after: 30m
            remediation:
              - name: restart-pod
                match: '{check="CrashLoop"}'
                incident: '{priority=~"P1|P2"}'
                runbook: k8s.restart_pod
                params: {pod: "{{ci.name}}", ns: "{{labels.namespace}}"}
                dedup_window: 1h
                rate_limit: {per_ci: 1/10m, per_runbook: 5/1h}
                requires_approval: true
            """);
        Assert.Equal(6, rules.Options.Alerts.FlapThreshold);
        Assert.Equal(TimeSpan.FromMinutes(2), rules.Options.Correlation.Window);
        Assert.Equal(4, rules.Options.Correlation.MaxHops);
        Assert.Equal(TimeSpan.Zero, rules.Options.Correlation.ReopenGrace);
        Assert.Equal("P1", rules.Options.Correlation.PriorityMatrix![1]);
        var suppress = Assert.Single(rules.Suppressions);
        Assert.Equal(("nightly-backup", "host:db-1", 3), (suppress.Name, suppress.CiSubtree, suppress.Windows.Count));
        Assert.Equal(new RulePosition("rules.yaml", 12, 5), suppress.Position);
        var inhibit = Assert.Single(rules.Inhibitions);
        Assert.Equal((2, InhibitTopology.Dependents, 2), (inhibit.Sources.Count, inhibit.Topology, inhibit.MaxHops));
        var grouping = Assert.Single(rules.Groupings);
        Assert.Equal((50, TimeSpan.FromHours(4), TimeSpan.FromMinutes(30)), (grouping.MaxAlerts!.Value, grouping.MaxDuration!.Value, grouping.LockAfter!.Value));
        var remediation = Assert.Single(rules.Remediations);
        Assert.Equal((RemediationTarget.Alert, true, 1, 5), (remediation.Target, remediation.RequiresApproval, remediation.PerCi!.Count, remediation.PerRunbook!.Count));
    }

    [Fact]
    public void Parse_MisspelledKey_GivesLineColumnAndSuggestion() =>
        Assert.Equal("rules.yaml:4:7: unknown grouping rule key 'grop_by' (did you mean group_by?)", Error("""
            grouping:
              rules:
                - name: by-env
                  grop_by: [env]
            """));

    [Fact]
    public void Parse_BadMatcher_PointsAtTheColumnInsideTheString() =>
        Assert.StartsWith("rules.yaml:2:19: bad matcher: expected =, !=, =~ or !~", Error("""
            suppress:
              - match: '{check>"x"}'
            """), StringComparison.Ordinal);

    [Theory]
    [InlineData("suprress: []", "rules.yaml:1:1: unknown section 'suprress' (did you mean suppress?)")]
    [InlineData("suppress:\n  - name: x", "rules.yaml:2:5: a suppress rule needs 'match' or 'ci_subtree'")]
    [InlineData("suppress:\n  - match: '{}'\n    time_zone: Mars/Base", "rules.yaml:3:16: unknown time zone 'Mars/Base'")]
    [InlineData("suppress:\n  - match: '{}'\n    windows: [{start: 2026-11-25T10:00:00Z, end: 2026-11-25T09:00:00Z}]", "'end' must be after 'start'")]
    [InlineData("suppress:\n  - match: '{}'\n    windows: [{cron: '0 2 * *', duration: 1h}]", "must have 5 fields")]
    [InlineData("inhibit:\n  - source: '{check=\"A\"}'", "needs 'source' (or 'sources') and 'target'")]
    [InlineData("remediation:\n  - runbook: x\n    params: {a: '{{ci.secret()}}'}", "rules.yaml:3:18: unknown template reference 'ci.secret()'")]
    [InlineData("remediation:\n  - runbook: x\n    incident: '{severity=\"critical\"}'", "an incident matcher cannot test 'severity'")]
    [InlineData("remediation:\n  - runbook: x\n    rate_limit: {per_ci: lots}", "a rate limit is COUNT/DURATION")]
    [InlineData("correlation:\n  window: soon", "rules.yaml:2:11:")]
    [InlineData("priority:\n  matrix: [[P1, P2, P3]]", "'matrix' must have 3 rows")]
    [InlineData("suppress: [\n", "rules.yaml:")]
    public void Parse_InvalidFile_OneLineWithPosition(string yaml, string expected)
    {
        string message = Error(yaml);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void Parse_MoreRulesThanTheLimit_IsRefused()
    {
        string yaml = "suppress:\n" + string.Concat(Enumerable.Range(0, RuleSet.MaxRules + 1).Select(i => $"  - match: '{{check=\"c{i}\"}}'\n"));
        Assert.Contains("more than the limit", Error(yaml), StringComparison.Ordinal);
    }

    [Fact]
    public void TryLoad_BadFile_KeepsPreviousRulesAndSaysWhy()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("itops-rules-").FullName, "rules.yaml");
        try
        {
            File.WriteAllText(path, "suppress:\n  - name: a\n    match: '{check=\"A\"}'\n");
            var provider = new RulesProvider(RuleSetLoader.Load(path));
            File.WriteAllText(path, "suppress:\n  - name: a\n    mtach: '{check=\"A\"}'\n");
            var result = provider.TryReload(path);
            Assert.False(result.Loaded);
            Assert.Contains("rules.yaml:3:5: unknown suppress key 'mtach' (did you mean match?)", result.Error, StringComparison.Ordinal);
            Assert.Equal("a", Assert.Single(provider.Current.Suppressions).Name);

            File.WriteAllText(path, "correlation:\n  window: 1m\nsuppress:\n  - name: b\n    match: '{check=\"B\"}'\n");
            result = provider.TryReload(path);
            Assert.True(result.Loaded);
            Assert.NotNull(result.Warning);
            Assert.Equal("b", Assert.Single(provider.Current.Suppressions).Name);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public async Task Watcher_ReloadsWhenTheFileChanges()
    {
        string dir = Directory.CreateTempSubdirectory("itops-watch-").FullName;
        string path = Path.Combine(dir, "rules.yaml");
        try
        {
            File.WriteAllText(path, "suppress:\n  - name: a\n    match: '{}'\n");
            var provider = new RulesProvider(RuleSetLoader.Load(path));
            var reloaded = new TaskCompletionSource<ReloadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var watcher = new RulesWatcher(path, provider, r => reloaded.TrySetResult(r), TimeSpan.FromMilliseconds(50));
            await File.WriteAllTextAsync(path, "suppress:\n  - name: b\n    match: '{}'\n");
            var result = await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(result.Loaded);
            Assert.Equal("b", provider.Current.Suppressions[0].Name);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
