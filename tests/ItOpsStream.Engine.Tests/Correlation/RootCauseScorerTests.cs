using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Tests.Support;
using static ItOpsStream.Engine.Tests.Support.TestRecords;

namespace ItOpsStream.Engine.Tests.Correlation;

public sealed class RootCauseScorerTests
{
    private static RootCauseCi Ci(string id, double seconds, Severity severity = Severity.Critical)
    {
        TestTopology.Graph.TryGetNode(id, out int node);
        return new RootCauseCi(id, TestTopology.Graph.TryGetNode(id, out _) ? node : -1, severity, T(seconds), "Down", 1);
    }

    private static IReadOnlyList<Engine.Incidents.RootCauseCandidate> Rank(IReadOnlyList<ChangeEntry>? changes = null, params RootCauseCi[] cis) =>
        new RootCauseScorer().Rank(new RootCauseContext(TestTopology.Graph, cis, changes ?? [], cis.Min(c => c.FirstSeen), CorrelationOptions.Default));

    [Fact]
    public void MostUpstreamCi_ExplainingTheOthers_RanksFirst_WithScoreAndReason()
    {
        var ranked = Rank(null, Ci("svc:frontend", 20), Ci("svc:checkout", 10), Ci("db:orders", 0));
        Assert.Equal(["db:orders", "svc:checkout", "svc:frontend"], ranked.Select(r => r.Ci));
        // Posterior probabilities over the candidates: they sum to 1 (up to rounding), best first.
        Assert.InRange(ranked.Sum(r => r.Score), 0.998, 1.002);
        Assert.True(ranked[0].Score > 0.9, $"score {ranked[0].Score}");
        Assert.True(ranked[0].Score > ranked[1].Score && ranked[1].Score > ranked[2].Score);
        Assert.Equal("explains 2 of 2 other alerting CIs; 1 of 1 direct dependent alerting; first to alert; critical Down", ranked[0].Reason);
    }

    [Fact]
    public void Host_TheServicesRunOn_IsRankedAsInfrastructure()
    {
        var ranked = Rank(null, Ci("svc:checkout", 0), Ci("svc:cart", 0), Ci("host:node-1", 5));
        Assert.Equal("host:node-1", ranked[0].Ci);
        Assert.Contains("infrastructure: 2 alerting CIs run on it", ranked[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void UpstreamAlert_StartingLongAfterItsDependents_ExplainsThemLess()
    {
        // db:payments is upstream of both, but alerted 4 min after them: payment (first, and explained
        // by nothing earlier) wins.
        var ranked = Rank(null, Ci("svc:payment", 0), Ci("svc:checkout", 20), Ci("db:payments", 240));
        Assert.Equal("svc:payment", ranked[0].Ci);
    }

    [Fact]
    public void UpstreamWarning_AlertingAloneLongBeforeTheFault_DoesNotOutrankTheCriticalServiceThatLeadsTheSymptoms()
    {
        // db:orders warned 3 min before anything it could explain; checkout then failed and frontend
        // followed within seconds: the warning is noise on a shared datastore, checkout is the cause.
        var ranked = Rank(null, Ci("db:orders", 0, Severity.Warning), Ci("svc:checkout", 180), Ci("svc:frontend", 190));
        Assert.Equal("svc:checkout", ranked[0].Ci);
        Assert.Contains(ranked, r => r.Ci == "db:orders" && r.Reason.Contains("alerted alone 190 s before the first alert it explains", StringComparison.Ordinal));
    }

    [Fact]
    public void UpstreamCause_FollowedQuicklyByItsSymptoms_KeepsFullCredit()
    {
        var ranked = Rank(null, Ci("db:orders", 0, Severity.Warning), Ci("svc:checkout", 45), Ci("svc:frontend", 50));
        Assert.Equal("db:orders", ranked[0].Ci);
        Assert.DoesNotContain("alerted alone", ranked[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RecentChange_BreaksTheTieBetweenEqualCandidates()
    {
        var change = new ChangeEntry("CHG7", "db:warehouse", T(-600), "migration");
        var ranked = Rank([change], Ci("db:orders", 0), Ci("db:warehouse", 0));
        Assert.Equal("db:warehouse", ranked[0].Ci);
        Assert.Contains("change CHG7 600 s before its alert", ranked[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownCi_IsACandidate_ButBelowKnownUpstreamCis()
    {
        var ranked = Rank(null, Ci("vm:legacy", 0), Ci("db:orders", 0), Ci("svc:checkout", 5));
        Assert.Equal("db:orders", ranked[0].Ci);
        Assert.Contains(ranked, r => r.Ci == "vm:legacy" && r.Reason.StartsWith("CI unknown to the topology", StringComparison.Ordinal));
    }

    [Fact]
    public void Host_WhoseOtherWorkloadsStaySilent_RanksBelowTheServiceItWouldExplain()
    {
        // host:h1 runs svc:a..svc:d; only svc:a (and svc:front above it) alert, and b, c, d are still
        // fine three minutes later: the host is less likely than svc:a itself.
        var graph = OneCausePerIncidentTests.Graph;
        RootCauseCi On(string id, double seconds, Severity severity = Severity.Critical) =>
            new(id, graph.TryGetNode(id, out int node) ? node : -1, severity, T(seconds), "Down", 1);
        var cis = new[] { On("host:h1", 0, Severity.Major), On("svc:a", 10), On("svc:front", 30) };
        var context = new RootCauseContext(graph, cis, [], T(0), CorrelationOptions.Default) { Now = T(200) };
        var ranked = new RootCauseScorer().Rank(context);
        Assert.Equal("svc:a", ranked[0].Ci);
        Assert.Contains(ranked, r => r.Ci == "host:h1" && r.Reason.Contains("1 of 4 direct dependents alerting", StringComparison.Ordinal));

        // The same alerts right after the host's: the silence is no evidence yet.
        var early = new RootCauseScorer().Rank(context with { Now = T(30) });
        Assert.Equal("host:h1", early[0].Ci);
    }

    [Fact]
    public void Dependent_AlertingInAnotherIncident_IsNotSilent()
    {
        var cis = new[] { Ci("host:node-1", 0, Severity.Major), Ci("svc:checkout", 10), Ci("svc:frontend", 30) };
        TestTopology.Graph.TryGetNode("svc:cart", out int cart);
        var context = new RootCauseContext(TestTopology.Graph, cis, [], T(0), CorrelationOptions.Default) { Now = T(200), AlertingElsewhere = node => node == cart };
        var ranked = new RootCauseScorer().Rank(context);
        Assert.Equal("host:node-1", ranked[0].Ci);
        Assert.Contains("2 of 2 direct dependents alerting", ranked[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Cause_ExplainsAlertsBeyondRootCauseMaxHops_ThroughAlertingCisInBetween()
    {
        // frontend is two hops above db:orders; with a one-hop limit it is explained through checkout.
        var options = CorrelationOptions.Default with { RootCauseMaxHops = 1 };
        var cis = new[] { Ci("db:orders", 0), Ci("svc:checkout", 20), Ci("svc:frontend", 40) };
        var ranked = new RootCauseScorer().Rank(new RootCauseContext(TestTopology.Graph, cis, [], T(0), options) { Now = T(60) });
        Assert.Equal("db:orders", ranked[0].Ci);
        Assert.StartsWith("explains 2 of 2 other alerting CIs", ranked[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeIncident_RanksOnlyItsEarliestCisAsHypotheses_ButCountsEveryoneAsEvidence()
    {
        var options = CorrelationOptions.Default with { RootCause = RootCauseModel.Default with { MaxCandidates = 2 } };
        // db:orders alerted last: it would explain both, but only the two earliest CIs are hypotheses.
        var cis = new[] { Ci("svc:frontend", 0), Ci("svc:checkout", 10), Ci("db:orders", 20) };
        var ranked = new RootCauseScorer(options.RootCause).Rank(new RootCauseContext(TestTopology.Graph, cis, [], T(0), options) { Now = T(60) });
        Assert.Equal("svc:checkout", ranked[0].Ci);
        Assert.StartsWith("explains 1 of 2 other alerting CIs", ranked[0].Reason, StringComparison.Ordinal);
        Assert.Equal(0, ranked.Single(r => r.Ci == "db:orders").Score);
    }

    [Fact]
    public void Model_RejectsProbabilitiesOutsideTheOpenUnitInterval()
    {
        Assert.Throws<ArgumentException>(() => new RootCauseScorer(RootCauseModel.Default with { NoiseProbability = 0 }));
        Assert.Throws<ArgumentException>(() => new RootCauseScorer(RootCauseModel.Default with { HopPropagation = 1.5 }));
    }

    [Theory]
    [InlineData(1, 1, "P1")]
    [InlineData(1, 2, "P2")]
    [InlineData(2, 1, "P2")]
    [InlineData(1, 3, "P3")]
    [InlineData(2, 2, "P3")]
    [InlineData(3, 1, "P3")]
    [InlineData(2, 3, "P4")]
    [InlineData(3, 2, "P4")]
    [InlineData(3, 3, "P5")]
    public void PriorityMatrix_FollowsItil(int impact, int urgency, string priority) =>
        Assert.Equal(priority, Engine.Incidents.IncidentPriority.Priority(impact, urgency));

    [Fact]
    public void ImpactAndUrgency_ComeFromCriticalityAndSeverity()
    {
        Assert.Equal(1, Engine.Incidents.IncidentPriority.Impact(Engine.Topology.Criticality.Critical));
        Assert.Equal(1, Engine.Incidents.IncidentPriority.Impact(Engine.Topology.Criticality.High));
        Assert.Equal(2, Engine.Incidents.IncidentPriority.Impact(Engine.Topology.Criticality.Medium));
        Assert.Equal(3, Engine.Incidents.IncidentPriority.Impact(null));
        Assert.Equal(1, Engine.Incidents.IncidentPriority.Urgency(Severity.Critical));
        Assert.Equal(2, Engine.Incidents.IncidentPriority.Urgency(Severity.Major));
        Assert.Equal(3, Engine.Incidents.IncidentPriority.Urgency(Severity.Warning));
    }
}
