using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Rules;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Tests.Support;
using ItOpsStream.Engine.Topology;
using static ItOpsStream.Engine.Tests.Support.TestRecords;

namespace ItOpsStream.Engine.Tests.Rules;

public sealed class RuleEngineTests
{
    private static (CorrelationDriver Driver, RuleEngine Engine) Driver(string yaml)
    {
        var rules = RuleSetLoaderTests.Parse(yaml);
        var engine = new RuleEngine(new RulesProvider(rules), TestTopology.Provider);
        return (new CorrelationDriver(rules.Options.Correlation, rules.Options.Alerts, engine), engine);
    }

    private static LabelSet Env(string env) => LabelSet.From([new("env", env)]);

    [Fact]
    public void Suppress_ByMatcher_OpensNoIncident_AndIsCounted()
    {
        var (driver, engine) = Driver("suppress:\n  - name: no-cache\n    match: '{ci=\"cache:redis\", severity!=\"critical\"}'\n");
        driver.Batch(Fire(0, "cache:redis", "Evictions", Severity.Warning), Fire(1, "db:warehouse", "Slow", Severity.Warning));
        driver.Finish();
        var incident = Assert.Single(driver.Latest().Values);
        Assert.Equal("db:warehouse", incident.Alerts.Single().Ci);
        Assert.Equal(1, driver.Stats.Suppressed);
        Assert.Equal(1, engine.SuppressedByRule["no-cache"]);
    }

    [Fact]
    public void Suppress_WindowStartsAfterAlertFired_ResolveStillReachesTheIncident()
    {
        var (driver, _) = Driver("suppress:\n  - name: maint\n    match: '{ci=\"db:orders\"}'\n    windows: [{start: 2026-11-25T12:01:00Z, end: 2026-11-25T13:00:00Z}]\n");
        driver.Batch(Fire(0, "db:orders", "Down"));
        driver.Batch(Fire(120, "db:orders", "Replication"));
        driver.Batch(Resolve(180, "db:orders", "Down"));
        driver.Finish();
        var incident = Assert.Single(driver.Latest().Values);
        Assert.Equal("db:orders/Down", Assert.Single(incident.Alerts).Fingerprint);
        Assert.Equal(IncidentAction.Resolve, driver.Records.Last().Action);
        Assert.Equal(1, driver.Stats.Suppressed);
    }

    [Fact]
    public void Suppress_OutsideItsWindow_JudgedOnEventTime()
    {
        var (driver, _) = Driver("suppress:\n  - name: maint\n    match: '{ci=\"db:warehouse\"}'\n    windows: [{start: 2026-11-25T11:00:00Z, end: 2026-11-25T12:00:30Z}]\n");
        driver.Batch(Fire(10, "db:warehouse", "Slow"));
        driver.Batch(Resolve(20, "db:warehouse", "Slow"));
        driver.Batch(Fire(40, "db:warehouse", "Down"));
        driver.Finish();
        Assert.Equal("db:warehouse/Down", Assert.Single(driver.Latest().Values).Alerts.Single().Fingerprint);
    }

    [Fact]
    public void Suppress_CiSubtree_CoversTheCiAndEverythingDependingOnIt()
    {
        var (driver, _) = Driver("suppress:\n  - name: node-1-patching\n    ci_subtree: host:node-1\n");
        driver.Batch(
            Fire(0, "host:node-1", "Reboot"),
            Fire(1, "svc:cart", "Errors"),
            Fire(2, "svc:frontend", "Errors"),
            Fire(3, "db:orders", "Slow"));
        driver.Finish();
        Assert.Equal(["db:orders"], driver.Latest().Values.SelectMany(i => i.Alerts).Select(a => a.Ci));
        Assert.Equal(3, driver.Stats.Suppressed);
    }

    [Fact]
    public void Inhibit_DownHost_ServicesJoinItsIncidentInhibited_WithoutRaisingPriority()
    {
        const string Rules = "inhibit:\n  - name: host-down\n    source: '{check=\"HostDown\"}'\n    target: '{ci_class=\"service\"}'\n    topology: dependents\n";
        var (driver, engine) = Driver(Rules);
        driver.Batch(Fire(0, "host:node-1", "HostDown", Severity.Warning));
        driver.Batch(Fire(5, "svc:checkout", "Unavailable", Severity.Critical), Fire(6, "svc:cart", "Unavailable", Severity.Critical));
        driver.Finish();
        var incident = Assert.Single(driver.Latest().Values);
        Assert.Equal(3, incident.Alerts.Count);
        Assert.Equal([false, true, true], incident.Alerts.Select(a => a.Inhibited));
        Assert.Equal(3, incident.Urgency);
        Assert.Contains(incident.Explanation, l => l.Contains("inhibited by alert host:node-1/HostDown (rule host-down): svc:checkout depends on host:node-1 (1 hop)", StringComparison.Ordinal));
        Assert.Equal(2, engine.InhibitedByRule["host-down"]);

        // Without the rule the same alerts raise the urgency to 1.
        var plain = new CorrelationDriver();
        plain.Batch(Fire(0, "host:node-1", "HostDown", Severity.Warning));
        plain.Batch(Fire(5, "svc:checkout", "Unavailable", Severity.Critical));
        plain.Finish();
        Assert.Equal(1, plain.Latest().Values.Single().Urgency);
    }

    [Fact]
    public void Inhibit_TargetOutsideHopLimitOrSourceResolved_IsNotInhibited()
    {
        var (driver, _) = Driver("inhibit:\n  - source: '{check=\"HostDown\"}'\n    target: '{}'\n    topology: dependents\n    max_hops: 1\n");
        driver.Batch(Fire(0, "host:node-1", "HostDown"));
        driver.Batch(Fire(5, "svc:frontend", "Errors"));      // 2 hops away
        driver.Batch(Resolve(10, "host:node-1", "HostDown"));
        driver.Batch(Fire(15, "svc:cart", "Errors"));         // 1 hop, but the source resolved
        driver.Finish();
        Assert.DoesNotContain(driver.Latest().Values.SelectMany(i => i.Alerts), a => a.Inhibited);
    }

    [Fact]
    public void Inhibit_EqualLabels_OnlyInhibitsTargetsWithTheSameValues()
    {
        var (driver, _) = Driver("inhibit:\n  - name: cluster-down\n    source: '{check=\"ClusterDown\"}'\n    target: '{check!=\"ClusterDown\"}'\n    equal: [env]\n");
        driver.Batch(Fire(0, "db:orders", "ClusterDown", labels: Env("prod")));
        driver.Batch(Fire(5, "svc:checkout", "Errors", labels: Env("prod")), Fire(6, "svc:payment", "Errors", labels: Env("staging")));
        driver.Finish();
        var alerts = driver.Latest().Values.SelectMany(i => i.Alerts).ToDictionary(a => a.Ci!);
        Assert.True(alerts["svc:checkout"].Inhibited);
        Assert.False(alerts["svc:payment"].Inhibited);
    }

    [Fact]
    public void Inhibit_SeveralSources_AreAnded()
    {
        const string Rules = "inhibit:\n  - name: dc-out\n    sources: ['{check=\"PowerLoss\"}', '{check=\"NetworkDown\"}']\n    target: '{check=\"Errors\"}'\n";
        var (one, _) = Driver(Rules);
        one.Batch(Fire(0, "host:db-1", "PowerLoss"));
        one.Batch(Fire(5, "db:warehouse", "Errors"));
        one.Finish();
        Assert.DoesNotContain(one.Latest().Values.SelectMany(i => i.Alerts), a => a.Inhibited);

        var (both, _) = Driver(Rules);
        both.Batch(Fire(0, "host:db-1", "PowerLoss"), Fire(1, "host:db-1", "NetworkDown"));
        both.Batch(Fire(5, "db:warehouse", "Errors"));
        both.Finish();
        Assert.Contains(both.Latest().Values.SelectMany(i => i.Alerts), a => a.Ci == "db:warehouse" && a.Inhibited);
    }

    [Fact]
    public void Grouping_GroupBy_KeepsDifferentLabelValuesApart()
    {
        var (driver, engine) = Driver("grouping:\n  rules:\n    - name: per-env\n      group_by: [env]\n");
        driver.Batch(Fire(0, "db:orders", "Down", labels: Env("prod")));
        driver.Batch(Fire(10, "svc:checkout", "Errors", labels: Env("staging")), Fire(12, "svc:frontend", "Errors", labels: Env("prod")));
        driver.Finish();
        Assert.Equal(2, driver.Latest().Count);
        Assert.True(engine.GroupingRefusals["per-env"] >= 1);
    }

    [Fact]
    public void Grouping_MaxAlerts_OpensANewIncidentWhenFull()
    {
        var (driver, _) = Driver("grouping:\n  rules:\n    - name: small\n      max_alerts: 2\n");
        driver.Batch(Fire(0, "db:orders", "Down"));
        driver.Batch(Fire(10, "db:orders", "Slow"));
        driver.Batch(Fire(20, "db:orders", "Replication"));
        driver.Finish();
        Assert.Equal([2, 1], driver.Latest().Values.OrderBy(i => i.OpenedAt).Select(i => i.Alerts.Count));
    }

    [Fact]
    public void Grouping_LockAfter_QuietIncidentTakesNoNewAlerts()
    {
        var (driver, _) = Driver("grouping:\n  rules:\n    - name: lock\n      lock_after: 1m\n");
        driver.Batch(Fire(0, "db:orders", "Down"));
        driver.Batch(Fire(120, "db:orders", "Slow"));
        driver.Finish();
        Assert.Equal(2, driver.Latest().Count);
    }

    [Fact]
    public void Grouping_MaxDuration_OldIncidentTakesNoNewAlerts()
    {
        var (driver, _) = Driver("grouping:\n  rules:\n    - name: short\n      max_duration: 90s\n");
        driver.Batch(Fire(0, "db:orders", "Down"));
        driver.Batch(Fire(60, "db:orders", "Slow"));
        driver.Batch(Fire(120, "db:orders", "Replication"));
        driver.Finish();
        Assert.Equal([2, 1], driver.Latest().Values.OrderBy(i => i.OpenedAt).Select(i => i.Alerts.Count));
    }

    [Fact]
    public void Grouping_FirstMatchingRuleDecides()
    {
        var (driver, _) = Driver("grouping:\n  rules:\n    - name: databases-free\n      match: '{ci_class=\"database\"}'\n    - name: tiny\n      max_alerts: 1\n");
        driver.Batch(Fire(0, "db:orders", "Down"));
        driver.Batch(Fire(10, "db:orders", "Slow"));
        driver.Finish();
        Assert.Single(driver.Latest());
    }

    [Fact]
    public void ReopenNew_AlertFiringAfterResolve_OpensANewIncident()
    {
        var (driver, _) = Driver("grouping:\n  reopen: new\n");
        driver.Batch(Fire(0, "db:orders", "Down"));
        driver.Batch(Resolve(30, "db:orders", "Down"));
        driver.Batch(Fire(60, "db:orders", "Down"));
        driver.Finish();
        Assert.Equal(2, driver.Latest().Count);
        Assert.DoesNotContain(driver.Records, r => r.Action == IncidentAction.Reopen);
    }

    [Fact]
    public void PriorityMatrix_OverridesTheItilDefault()
    {
        var (driver, _) = Driver("priority:\n  matrix:\n    - [P1, P1, P1]\n    - [P2, P2, P2]\n    - [P3, P3, P4]\n");
        driver.Batch(Fire(0, "svc:checkout", "Slow", Severity.Warning));
        driver.Finish();
        var incident = driver.Latest().Values.Single();
        Assert.Equal((1, 3), (incident.Impact, incident.Urgency));
        Assert.Equal("P1", incident.Priority);
    }

    [Fact]
    public void Matchers_ReadCiFieldsAndAttributes_FromTheTopology()
    {
        var graph = TopologyGraph.Build(new TopologyDocument(
            [new CiRecord("host:a", "host", "a", Criticality.High, "team-infra", new Dictionary<string, string> { ["dc"] = "fra1" })], []));
        var alert = new AlertSnapshot("fp", "zabbix", "host:a", "Down", Severity.Major, AlertStatus.Firing, false, 0, 0, 1, 0, "down", LabelSet.From([new("team", "ops")]));
        var subject = AlertSubject.Of(alert, graph);
        Assert.True(MatcherSet.Parse("{ci_class=\"host\", ci_owner=\"team-infra\", ci_criticality=\"high\", ci_name=\"a\", ci_attr_dc=\"fra1\", ci.attributes.dc=\"fra1\"}").Matches(subject));
        Assert.True(MatcherSet.Parse("{check=\"Down\", severity=\"major\", status=\"firing\", source=\"zabbix\", ci=\"host:a\", fingerprint=\"fp\", message=~\"do.*\", team=\"ops\"}").Matches(subject));
        Assert.False(MatcherSet.Parse("{ci_attr_rack=~\".+\"}").Matches(subject));
    }
}
