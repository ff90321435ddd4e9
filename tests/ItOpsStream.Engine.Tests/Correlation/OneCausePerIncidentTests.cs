using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Tests.Support;
using ItOpsStream.Engine.Topology;
using static ItOpsStream.Engine.Tests.Support.TestRecords;

namespace ItOpsStream.Engine.Tests.Correlation;

/// <summary>
/// An incident is one cause and what follows from it: alerts upstream of its root that do not explain
/// it better stay out or leave, and an alert that links two cascades merges them.
/// </summary>
public sealed class OneCausePerIncidentTests
{
    /// <summary>
    /// host:h1 runs svc:a..svc:d; svc:front depends on svc:a; db:shared serves svc:a..svc:e;
    /// a chain svc:z → svc:y → svc:m → db:x.
    /// </summary>
    internal static readonly TopologyGraph Graph = TopologyGraph.Build(new TopologyDocument(
        [
            new CiRecord("host:h1", "host", "h1"),
            new CiRecord("svc:a", "service", "a", Owner: "team-a"),
            new CiRecord("svc:b", "service", "b"),
            new CiRecord("svc:c", "service", "c"),
            new CiRecord("svc:d", "service", "d"),
            new CiRecord("svc:e", "service", "e"),
            new CiRecord("svc:front", "service", "front"),
            new CiRecord("db:shared", "database", "shared"),
            new CiRecord("db:x", "database", "x"),
            new CiRecord("svc:m", "service", "m"),
            new CiRecord("svc:y", "service", "y"),
            new CiRecord("svc:z", "service", "z"),
        ],
        [
            new RelationRecord("svc:a", "host:h1", "runs_on"),
            new RelationRecord("svc:b", "host:h1", "runs_on"),
            new RelationRecord("svc:c", "host:h1", "runs_on"),
            new RelationRecord("svc:d", "host:h1", "runs_on"),
            new RelationRecord("svc:front", "svc:a"),
            new RelationRecord("svc:a", "db:shared"),
            new RelationRecord("svc:b", "db:shared"),
            new RelationRecord("svc:c", "db:shared"),
            new RelationRecord("svc:d", "db:shared"),
            new RelationRecord("svc:e", "db:shared"),
            new RelationRecord("svc:m", "db:x"),
            new RelationRecord("svc:y", "svc:m"),
            new RelationRecord("svc:z", "svc:y"),
        ]));

    private static readonly StaticTopology Estate = new(Graph);

    private static CorrelationDriver Driver(CorrelationOptions? options = null) => new(options, topology: Estate);

    [Fact]
    public void WarningOnAHost_JustBeforeAServiceFails_LeavesTheIncidentOnceTheHostsOtherWorkloadsStaySilent()
    {
        var driver = Driver();
        driver.Batch(Fire(0, "host:h1", "HighCpu", Severity.Warning));
        driver.Batch(Fire(30, "svc:a", "Down"));
        var early = Assert.Single(driver.Batch(Fire(60, "svc:front", "Errors")));
        // At first the host explains both and nothing says otherwise yet.
        Assert.Equal(3, early.Alerts.Count);
        Assert.Equal("host:h1", early.RootCause[0].Ci);

        // Four minutes on, svc:b, svc:c and svc:d still run fine on host:h1: the host did not fail.
        var records = driver.Batch(Fire(300, "svc:front", "Latency"));
        var update = Assert.Single(records, r => r.IncidentId == early.IncidentId);
        Assert.Equal("svc:a", update.RootCause[0].Ci);
        Assert.DoesNotContain(update.Alerts, a => a.Ci == "host:h1");
        Assert.Contains(update.Explanation, l => l.StartsWith("alert host:h1/HighCpu left the incident: host:h1 is upstream of svc:a, the most likely root cause (1 hop): not its symptom, and a less likely cause", StringComparison.Ordinal));

        var apart = Assert.Single(records, r => r.IncidentId != early.IncidentId);
        Assert.Equal(IncidentAction.Open, apart.Action);
        Assert.Equal("host:h1", Assert.Single(apart.Alerts).Ci);
        Assert.Contains(apart.Explanation, l => l.Contains($"it left {early.IncidentId}", StringComparison.Ordinal));
    }

    [Fact]
    public void HostDown_WithItsWorkloadsAlerting_StaysTheRootAndKeepsThem()
    {
        var driver = Driver();
        driver.Batch(Fire(0, "host:h1", "HostDown"));
        driver.Batch(Fire(20, "svc:a", "Down"), Fire(25, "svc:b", "Down"), Fire(40, "svc:c", "Down"));
        driver.Batch(Fire(60, "svc:front", "Errors"));
        driver.Batch(Fire(300, "svc:a", "Latency"));
        var incident = Assert.Single(driver.Latest().Values);
        Assert.Equal("host:h1", incident.RootCause[0].Ci);
        Assert.Equal(6, incident.Alerts.Count);
        Assert.Contains("infrastructure: 3 alerting CIs run on it", incident.RootCause[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void WarningOnASharedDatabase_AfterAServiceFailed_StaysApart()
    {
        var driver = Driver();
        driver.Batch(Fire(0, "svc:a", "Down"), Fire(20, "svc:front", "Errors"));
        // Upstream of svc:a, and within UpstreamLag of it, but a warning that came late and whose
        // other clients are fine: it would not lead the incident, so it does not join it.
        var records = driver.Batch(Fire(100, "db:shared", "SlowQueries", Severity.Warning));
        var opened = Assert.Single(records);
        Assert.Equal(IncidentAction.Open, opened.Action);
        Assert.Equal("db:shared", Assert.Single(opened.Alerts).Ci);
        Assert.Equal(2, driver.Stats.Opened);
    }

    [Fact]
    public void CriticalDatabaseAlert_UpstreamOfAFailingService_JoinsAsItsDeeperCause()
    {
        var driver = Driver();
        driver.Batch(Fire(0, "svc:a", "Errors", Severity.Major), Fire(20, "svc:front", "Errors"));
        var update = Assert.Single(driver.Batch(Fire(30, "db:shared", "DatabaseDown")));
        Assert.Equal(IncidentAction.Update, update.Action);
        Assert.Equal("db:shared", update.RootCause[0].Ci);
        Assert.Equal(3, update.Alerts.Count);
    }

    [Fact]
    public void AlertExplainedByOneIncident_AndExplainingAnother_MergesTheCascade()
    {
        // max_hops 1: svc:z (two hops above svc:m) opens apart; svc:y then links both.
        var driver = Driver(CorrelationOptions.Default with { MaxHops = 1 });
        driver.Batch(Fire(0, "db:x", "DatabaseDown"), Fire(10, "svc:m", "Errors"));
        driver.Batch(Fire(25, "svc:z", "Errors"));
        Assert.Equal(2, driver.Stats.Opened);

        var records = driver.Batch(Fire(30, "svc:y", "Errors"));
        var merge = Assert.Single(records, r => r.Action == IncidentAction.Merge);
        var survivor = Assert.Single(records, r => r.Action == IncidentAction.Update);
        Assert.Equal(survivor.IncidentId, merge.MergedInto);
        Assert.Equal(4, survivor.Alerts.Count);
        Assert.Equal("db:x", survivor.RootCause[0].Ci);
    }
}
