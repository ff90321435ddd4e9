using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Tests.Support;
using static ItOpsStream.Engine.Tests.Support.TestRecords;

namespace ItOpsStream.Engine.Tests.Correlation;

public sealed class CorrelatorTests
{
    [Fact]
    public void FirstAlert_OpensIncident_WithVersionOneAndDeterministicId()
    {
        var driver = new CorrelationDriver();
        var record = Assert.Single(driver.Batch(Fire(0, "db:orders", "Down")));
        Assert.Equal(IncidentAction.Open, record.Action);
        Assert.Equal(1, record.Version);
        Assert.Equal(IncidentIds.Create("db:orders/Down", T(0)), record.IncidentId);
        Assert.Equal(T(0), record.OpenedAt);
        Assert.Null(record.ResolvedAt);
        Assert.Equal("db:orders", record.CmdbCi);
        Assert.Equal("team-data", record.AssignmentGroup);
        Assert.Equal(["bs:online-store"], record.ImpactedServices);
        Assert.Equal("P1", record.Priority);
        Assert.Equal("db:orders Down — 1 alert on 1 CI, Online Store impacted", record.Title);
    }

    [Fact]
    public void DependentAlert_WithinWindow_JoinsAndExplainsThePath()
    {
        var driver = new CorrelationDriver();
        driver.Batch(Fire(0, "db:orders", "Down"));
        var update = Assert.Single(driver.Batch(Fire(40, "svc:checkout", "HighErrorRate")));
        Assert.Equal(IncidentAction.Update, update.Action);
        Assert.Equal(2, update.Version);
        Assert.Equal(2, update.Alerts.Count);
        Assert.Contains("alert svc:checkout/HighErrorRate joined: svc:checkout depends on db:orders (1 hop), 40 s after", update.Explanation);
        Assert.Equal("db:orders", update.RootCause[0].Ci);
    }

    [Fact]
    public void RelatedAlert_OutsideWindow_OpensNewIncident()
    {
        var driver = new CorrelationDriver(CorrelationOptions.Default with { Window = TimeSpan.FromMinutes(5) });
        driver.Batch(Fire(0, "db:orders", "Down"));
        var records = driver.Batch(Fire(301, "svc:checkout", "HighErrorRate"));
        Assert.Equal(IncidentAction.Open, Assert.Single(records).Action);
        Assert.Equal(2, driver.Stats.Opened);
    }

    [Fact]
    public void UnrelatedAlert_OpensSeparateIncident()
    {
        var driver = new CorrelationDriver();
        driver.Batch(Fire(0, "db:orders", "Down"), Fire(5, "db:warehouse", "Down"));
        Assert.Equal(2, driver.Stats.Opened);
        Assert.Equal(2, driver.Latest().Count);
    }

    [Fact]
    public void UpstreamAlert_ExplainingTwoIncidents_MergesThemIntoTheOlder()
    {
        var driver = new CorrelationDriver(CorrelationOptions.Default with { SharedDependencyMaxDependents = 0, BusinessServiceMaxHops = 0 });
        driver.Batch(Fire(0, "svc:checkout", "Errors"));
        driver.Batch(Fire(10, "svc:cart", "Errors"));
        Assert.Equal(2, driver.Stats.Opened);

        var records = driver.Batch(Fire(20, "host:node-1", "Down"));
        var merge = Assert.Single(records, r => r.Action == IncidentAction.Merge);
        var survivor = Assert.Single(records, r => r.Action == IncidentAction.Update);
        Assert.Equal(survivor.IncidentId, merge.MergedInto);
        Assert.Empty(merge.Alerts);
        Assert.NotNull(merge.ResolvedAt);
        Assert.Equal(IncidentIds.Create("svc:checkout/Errors", T(0)), survivor.IncidentId);
        Assert.Equal(3, survivor.Alerts.Count);
        Assert.Equal("host:node-1", survivor.RootCause[0].Ci);
        Assert.Contains(survivor.Explanation, l => l.StartsWith($"incident {merge.IncidentId} merged in", StringComparison.Ordinal));
        Assert.Equal(1, driver.Stats.Merged);
    }

    [Fact]
    public void AlertDependingOnTwoIncidents_JoinsTheCloserOne_WithoutMerging()
    {
        var driver = new CorrelationDriver(CorrelationOptions.Default with { SharedDependencyMaxDependents = 0, BusinessServiceMaxHops = 0 });
        driver.Batch(Fire(0, "db:payments", "Down"));
        driver.Batch(Fire(5, "cache:redis", "Down"));
        var records = driver.Batch(Fire(30, "svc:frontend", "Errors"));
        var update = Assert.Single(records);
        Assert.Equal(IncidentAction.Update, update.Action);
        Assert.Contains(update.Alerts, a => a.Ci == "cache:redis");
        Assert.Equal(0, driver.Stats.Merged);
    }

    [Fact]
    public void LateUpstreamAlert_DoesNotMergeIncidentsOpenedLongBefore()
    {
        var driver = new CorrelationDriver(CorrelationOptions.Default with { SharedDependencyMaxDependents = 0, BusinessServiceMaxHops = 0, UpstreamLag = TimeSpan.FromMinutes(1) });
        driver.Batch(Fire(0, "svc:checkout", "Errors"));
        driver.Batch(Fire(10, "svc:cart", "Errors"));
        driver.Batch(Fire(200, "host:node-1", "Down"));
        Assert.Equal(0, driver.Stats.Merged);
    }

    [Fact]
    public void AllAlertsResolved_ResolvesIncident_ThenRefireWithinGraceReopens()
    {
        var driver = new CorrelationDriver();
        driver.Batch(Fire(0, "db:orders", "Down"), Fire(20, "svc:checkout", "Errors"));
        Assert.Equal(IncidentAction.Update, Assert.Single(driver.Batch(Resolve(60, "db:orders", "Down"))).Action);
        var resolve = Assert.Single(driver.Batch(Resolve(70, "svc:checkout", "Errors")));
        Assert.Equal(IncidentAction.Resolve, resolve.Action);
        Assert.Equal(T(70), resolve.ResolvedAt);

        var reopen = Assert.Single(driver.Batch(Fire(600, "db:orders", "Down")));
        Assert.Equal(IncidentAction.Reopen, reopen.Action);
        Assert.Equal(resolve.IncidentId, reopen.IncidentId);
        Assert.Null(reopen.ResolvedAt);
        Assert.Equal(resolve.Version + 1, reopen.Version);
    }

    [Fact]
    public void Refire_AfterGracePeriod_OpensNewIncident()
    {
        var driver = new CorrelationDriver(CorrelationOptions.Default with { ReopenGrace = TimeSpan.FromMinutes(5) });
        var first = driver.Batch(Fire(0, "db:orders", "Down"))[0].IncidentId;
        driver.Batch(Resolve(10, "db:orders", "Down"));
        driver.BatchAt(T(400), false);
        var open = Assert.Single(driver.Batch(Fire(500, "db:orders", "Down")));
        Assert.Equal(IncidentAction.Open, open.Action);
        Assert.NotEqual(first, open.IncidentId);
        Assert.Equal(T(0), open.Alerts[0].FirstSeen);
    }

    [Fact]
    public void ClosedIncident_IsForgotten_AndLateResolvesTrackNothing()
    {
        var driver = new CorrelationDriver(CorrelationOptions.Default with { ReopenGrace = TimeSpan.FromMinutes(5) }, rules: new SuppressCheck("Maintenance"));
        driver.Batch(Fire(0, "db:orders", "Down"), Fire(5, "svc:checkout", "Maintenance"));
        Assert.Equal(2, driver.Stats.TrackedAlerts);
        driver.Batch(Resolve(10, "db:orders", "Down"), Resolve(12, "svc:checkout", "Maintenance"));
        Assert.Equal(1, driver.Stats.TrackedAlerts);
        driver.BatchAt(T(400), false);
        Assert.Equal(0, driver.Stats.Live);
        Assert.Equal(0, driver.Stats.TrackedAlerts);
    }

    [Fact]
    public void Refire_PastGraceInTheSameBatch_OpensNewIncidentInsteadOfReopening()
    {
        var driver = new CorrelationDriver(CorrelationOptions.Default with { ReopenGrace = TimeSpan.FromMinutes(5) });
        driver.Batch(Fire(0, "db:orders", "Down"), Resolve(10, "db:orders", "Down"), Fire(400, "db:orders", "Down"));
        Assert.Equal(2, driver.Stats.Opened);
        Assert.Equal([IncidentAction.Open, IncidentAction.Resolve, IncidentAction.Open], driver.Records.Select(r => r.Action));
        Assert.Equal(T(10), driver.Records[1].ResolvedAt);
        Assert.Equal(1, driver.Stats.TrackedAlerts);
    }

    [Fact]
    public void FlappingAlert_DoesNotResolveOrReopenIncident()
    {
        var driver = new CorrelationDriver();
        driver.Batch(Fire(0, "db:orders", "Down"));
        driver.Batch(Resolve(10, "db:orders", "Down"));
        driver.Batch(Fire(20, "db:orders", "Down"));
        driver.Batch(Resolve(30, "db:orders", "Down"));
        driver.Batch(Fire(40, "db:orders", "Down"));   // fourth change: flapping
        var hidden = driver.Batch(Resolve(50, "db:orders", "Down"));
        Assert.Empty(hidden);
        var latest = driver.Latest().Values.Single();
        Assert.Null(latest.ResolvedAt);
        Assert.True(latest.Alerts[0].Flapping);
        var actions = driver.Records.Select(r => r.Action).ToList();
        Assert.Equal([IncidentAction.Open, IncidentAction.Resolve, IncidentAction.Reopen, IncidentAction.Resolve, IncidentAction.Reopen], actions);

        // Quiet for a flap window: the alert's own (resolved) state applies, once.
        var ended = driver.BatchAt(T(50) + (long)AlertOptions.Default.FlapWindow.TotalMilliseconds, false);
        Assert.Equal(IncidentAction.Resolve, Assert.Single(ended).Action);
    }

    [Fact]
    public void Repeats_AreCoalesced_AndWrittenAtTheEnd()
    {
        var driver = new CorrelationDriver();
        driver.Batch(Fire(0, "db:orders", "Down"));
        for (int i = 1; i <= 5; i++)
        {
            Assert.Empty(driver.Batch(Fire(i * 10, "db:orders", "Down")));
        }

        var final = Assert.Single(driver.Finish());
        Assert.Equal(IncidentAction.Update, final.Action);
        Assert.Equal(6, final.Alerts[0].Count);
        Assert.Equal(T(50), final.Alerts[0].LastSeen);
    }

    [Fact]
    public void ManyAlertsInOneBatch_GiveOneRecordPerIncident()
    {
        var driver = new CorrelationDriver();
        var records = driver.Batch(Fire(0, "db:orders", "Down"), Fire(5, "svc:checkout", "Errors"), Fire(9, "svc:frontend", "Errors"), Fire(9, "db:orders", "Down"));
        var open = Assert.Single(records);
        Assert.Equal(3, open.Alerts.Count);
        Assert.Equal(3, open.Explanation.Count);
    }

    [Fact]
    public void UnknownCis_AreKept_AndGroupedOnlyWithAlertsOnTheSameCi()
    {
        var driver = new CorrelationDriver();
        driver.Batch(Fire(0, "vm:legacy-1", "Down"), Fire(20, "vm:legacy-1", "DiskFull"), Fire(30, "vm:legacy-2", "Down"), Fire(40, "db:orders", "Down"));
        var latest = driver.Latest().Values.ToList();
        Assert.Equal(3, latest.Count);
        var legacy = Assert.Single(latest, r => r.Alerts.Count == 2);
        Assert.Equal("alert vm:legacy-1/Down opened the incident: Down on vm:legacy-1, a CI unknown to the topology", legacy.Explanation[0]);
        Assert.Contains("alert vm:legacy-1/DiskFull joined: same CI vm:legacy-1 as alert vm:legacy-1/Down, 20 s after", legacy.Explanation);
        Assert.Empty(legacy.ImpactedServices);
        Assert.Equal(3, legacy.Impact);
        Assert.Equal("P3", legacy.Priority);
        Assert.Equal("vm:legacy-1", legacy.CmdbCi);
        Assert.Null(legacy.AssignmentGroup);
    }

    [Fact]
    public void NewAlert_UpstreamOnlyOfSymptomsAlreadyExplained_OpensItsOwnIncident()
    {
        // frontend and checkout are explained by db:orders; db:payments is upstream of them too,
        // but not of db:orders: an independent fault, not a second cause of this incident.
        var driver = new CorrelationDriver();
        driver.Batch(Fire(0, "db:orders", "Down"), Fire(10, "svc:checkout", "Errors"), Fire(20, "svc:frontend", "Errors"));
        var records = driver.Batch(Fire(60, "db:payments", "Down"));
        Assert.Equal(IncidentAction.Open, Assert.Single(records).Action);
        Assert.Equal(2, driver.Stats.Opened);
    }

    [Fact]
    public void RelatedAlert_StartingLongAfterItsNeighbour_DoesNotChainIntoALongIncident()
    {
        var driver = new CorrelationDriver(CorrelationOptions.Default with { Window = TimeSpan.FromMinutes(5) });
        driver.Batch(Fire(0, "db:orders", "Down"));
        driver.Batch(Fire(200, "svc:checkout", "Errors"));     // joins: 200 s after db:orders
        var records = driver.Batch(Fire(560, "svc:frontend", "Errors"));   // 360 s after checkout: too late
        Assert.Equal(IncidentAction.Open, Assert.Single(records).Action);
    }

    [Fact]
    public void SharedBusinessService_FarAway_DoesNotGlueAlerts()
    {
        var driver = new CorrelationDriver(CorrelationOptions.Default with { SharedDependencyMaxDependents = 0 });
        driver.Batch(Fire(0, "db:payments", "Down"), Fire(5, "cache:redis", "Down"));
        Assert.Equal(2, driver.Stats.Opened);
    }

    [Fact]
    public void BusinessService_RelatesCisCloseToIt_WhenNothingElseDoes()
    {
        var driver = new CorrelationDriver(CorrelationOptions.Default with { SharedDependencyMaxDependents = 0, BusinessServiceMaxHops = 2 });
        var open = Assert.Single(driver.Batch(Fire(0, "svc:checkout", "Errors"), Fire(5, "svc:cart", "Errors")));
        Assert.Contains("alert svc:cart/Errors joined: svc:cart and svc:checkout both serve bs:online-store (4 hops apart), 5 s after", open.Explanation);
    }

    [Fact]
    public void SharedDependency_WhenEnabled_RelatesServicesOnOneHost()
    {
        var driver = new CorrelationDriver(CorrelationOptions.Default with { SharedDependencyMaxDependents = 25 });
        var records = driver.Batch(Fire(0, "svc:checkout", "Errors"), Fire(5, "svc:cart", "Errors"));
        var open = Assert.Single(records);
        Assert.Contains("alert svc:cart/Errors joined: svc:cart and svc:checkout both depend on host:node-1, 5 s after", open.Explanation);
    }

    [Fact]
    public void Change_OnAlertingCi_IsListedAndRaisesItsRootCauseScore()
    {
        var driver = new CorrelationDriver();
        var record = Assert.Single(driver.Batch(Change(-300, "svc:payment", "CHG0042"), Fire(0, "svc:checkout", "Errors"), Fire(0, "svc:payment", "Errors")));
        var change = Assert.Single(record.Changes);
        Assert.Equal("CHG0042", change.ChangeId);
        Assert.Equal("svc:payment", record.RootCause[0].Ci);
        Assert.Contains("change CHG0042 300 s before its alert", record.RootCause[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SuppressedAlert_OpensNothing()
    {
        var driver = new CorrelationDriver(rules: new SuppressCheck("Maintenance"));
        Assert.Empty(driver.Batch(Fire(0, "db:orders", "Maintenance")));
        Assert.Equal(1, driver.Stats.Suppressed);
    }

    [Fact]
    public void Rules_CanRefuseAJoin()
    {
        var driver = new CorrelationDriver(rules: new MaxAlerts(1));
        driver.Batch(Fire(0, "db:orders", "Down"), Fire(5, "svc:checkout", "Errors"));
        Assert.Equal(2, driver.Stats.Opened);
    }

    private sealed class SuppressCheck(string check) : ICorrelationRules
    {
        public bool IsSuppressed(in AlertSnapshot alert) => alert.Check == check;

        public bool AllowJoin(in AlertSnapshot alert, IIncidentView incident) => true;
    }

    private sealed class MaxAlerts(int max) : ICorrelationRules
    {
        public bool IsSuppressed(in AlertSnapshot alert) => false;

        public bool AllowJoin(in AlertSnapshot alert, IIncidentView incident) => incident.Alerts.Count < max;
    }
}
