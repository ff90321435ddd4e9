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
        Assert.Equal(0.85, ranked[0].Score); // fan-in, most upstream, first, critical; no change, no hosted CI
        Assert.True(ranked[0].Score > ranked[1].Score && ranked[1].Score > ranked[2].Score);
        Assert.Equal("2 of 2 other alerting CIs depend on it; depends on no other alerting CI; first to alert; critical Down", ranked[0].Reason);
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
