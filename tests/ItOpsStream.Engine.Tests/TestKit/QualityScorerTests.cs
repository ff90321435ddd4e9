using ItOpsStream.TestKit.Generators;
using ItOpsStream.TestKit.Scoring;

namespace ItOpsStream.Engine.Tests.TestKit;

public sealed class QualityScorerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    private static AlertTruth Alert(string key, string ci, string? fault, bool derived = false, int events = 1) => new()
    {
        DedupKey = derived ? null : key,
        Source = "prometheus",
        Ci = ci,
        Check = "Check-" + key,
        Labels = new Dictionary<string, string>(),
        Fault = fault,
        Noise = fault is null ? NoiseKind.Random : null,
        Hops = fault is null ? null : 0,
        FirstFiring = T0,
        Flapping = false,
        Resolved = true,
        Events = events,
    };

    private static FaultTruth Fault(string id, string root) => new()
    {
        Id = id,
        Kind = FaultKind.DatastoreFailure,
        RootCi = root,
        Start = T0,
        End = T0.AddMinutes(10),
        SuspectChanges = [],
        AlertingCis = [root],
        Overlaps = [],
    };

    /// <summary>Fault A = {a1, a2, a3} rooted at db:a, fault B = {b1, b2} rooted at db:b, one noise alert n1.</summary>
    private static ScenarioTruth Truth() => new()
    {
        Scenario = "tiny",
        Shape = "mesh",
        Seed = 1,
        Services = 3,
        Start = T0,
        End = T0.AddHours(1),
        Faults = [Fault("A", "db:a"), Fault("B", "db:b")],
        Alerts =
        [
            Alert("a1", "db:a", "A", events: 4), Alert("a2", "svc:x", "A", events: 4), Alert("a3", "svc:y", "A", derived: true, events: 4),
            Alert("b1", "db:b", "B", events: 4), Alert("b2", "svc:z", "B", events: 4),
            Alert("n1", "host:h", null, events: 4),
        ],
    };

    private static string Incident(string id, int version, string action, string[] rootCause, params string[] alerts) =>
        $$"""{"incident_id":"{{id}}","version":{{version}},"action":"{{action}}","root_cause":[{{string.Join(",", rootCause.Select(c => $$"""{"ci":"{{c}}","score":0.5,"reason":"r"}"""))}}],"alerts":[{{string.Join(",", alerts.Select(AlertJson))}}]}""";

    // "a3" is written the way an engine reports a derived fingerprint: its own hash, with ci and check.
    private static string AlertJson(string key) => key == "a3"
        ? """{"fingerprint":"engine-hash-91f2","ci":"svc:y","check":"Check-a3"}"""
        : $$"""{"fingerprint":"{{key}}","ci":"ci-{{key}}","check":"Check-{{key}}"}""";

    private static ScenarioScore Score(params string[] lines) => QualityScorer.Score(Truth(), IncidentFile.Read(new StringReader(string.Join("\n", lines)), "incidents.jsonl"));

    [Fact]
    public void Score_PerfectGrouping_GivesOneEverywhere()
    {
        var score = Score(
            Incident("I1", 1, "open", ["db:a"], "a1", "a2", "a3"),
            Incident("I2", 1, "open", ["db:b", "svc:z"], "b1", "b2"),
            Incident("I3", 1, "open", ["host:h"], "n1"));
        Assert.Equal((1.0, 1.0, 1.0), (score.Precision, score.Recall, score.F1));
        Assert.Equal(3, score.Incidents);
        Assert.Equal(1 - (3 / 24.0), score.Compression, 9);
        Assert.Equal(0.5, score.AlertCompression, 9);
        Assert.Equal((2, 2), (score.Top1Hits, score.Top3Hits));
    }

    [Fact]
    public void Score_SplitAndMergedFaults_GivesThePairCountsWorkedOutByHand()
    {
        // True pairs: A has 3 (a1a2, a1a3, a2a3), B has 1 (b1b2) = 4.
        // Predicted pairs: I1 {a1,a2} has 1, I2 {a3,b1,b2} has 3 = 4. Correct: a1a2 and b1b2 = 2.
        var score = Score(
            Incident("I1", 1, "open", ["svc:x", "svc:q", "db:a"], "a1", "a2"),
            Incident("I2", 1, "open", ["db:b"], "a3", "b1", "b2"),
            Incident("I3", 1, "open", ["host:h"], "n1"));
        Assert.Equal((4L, 4L, 2L), (score.TruePairs, score.PredictedPairs, score.CorrectPairs));
        Assert.Equal((0.5, 0.5, 0.5), (score.Precision, score.Recall, score.F1));
        var a = score.Faults.Single(f => f.Fault == "A");
        Assert.Equal((2, "svc:x", false, true), (a.Incidents, a.PredictedRoot, a.Top1, a.Top3));
        var b = score.Faults.Single(f => f.Fault == "B");
        Assert.Equal((true, 1), (b.Top1, b.ForeignAlerts));
    }

    [Fact]
    public void Score_NoiseGluedIntoAFault_CostsPrecisionOnly()
    {
        // Predicted pairs: 3 + 1 within A plus n1 = C(4,2) = 6 for I1, 1 for I2; correct 3 + 1.
        var score = Score(
            Incident("I1", 1, "open", ["db:a"], "a1", "a2", "a3", "n1"),
            Incident("I2", 1, "open", ["db:b"], "b1", "b2"));
        Assert.Equal(4.0 / 7, score.Precision, 9);
        Assert.Equal(1.0, score.Recall);
        Assert.Equal(1, score.Faults.Single(f => f.Fault == "A").NoiseAlerts);
    }

    [Fact]
    public void Read_KeepsTheLatestVersion_AndDropsIncidentsMergedAway()
    {
        var score = Score(
            Incident("I1", 1, "open", ["svc:x"], "a1"),
            Incident("I2", 1, "open", ["db:a"], "a2", "a3"),
            Incident("I2", 2, "merge", ["db:a"], "a2", "a3"),
            Incident("I1", 3, "update", ["db:a"], "a1", "a2", "a3"),
            Incident("I1", 2, "update", ["svc:x"], "a1"),
            Incident("I3", 1, "open", ["db:b"], "b1", "b2"),
            Incident("I4", 1, "open", ["host:h"], "n1"));
        Assert.Equal(1.0, score.F1);
        Assert.Equal(3, score.Incidents);
        Assert.True(score.Faults.Single(f => f.Fault == "A").Top1);
    }

    [Fact]
    public void Score_AlertsInNoIncident_AreSingletonsThatCountAsIncidents()
    {
        var score = Score(Incident("I1", 1, "open", ["db:a"], "a1", "a2", "a3"));
        Assert.Equal(3, score.UnmatchedAlerts);
        Assert.Equal(4, score.Incidents);
        Assert.Equal(3.0 / 4, score.Recall, 9);
        var b = score.Faults.Single(f => f.Fault == "B");
        Assert.Equal((null, false, 2), (b.PredictedRoot, b.Top3, b.Incidents));
    }

    [Fact]
    public void Score_IncidentsOfEngineOnlyAlerts_AreExtraAndIgnored()
    {
        var score = Score(
            Incident("I1", 1, "open", ["db:a"], "a1", "a2", "a3", "anomaly-1"),
            Incident("I2", 1, "open", ["db:b"], "b1", "b2"),
            Incident("I3", 1, "open", ["host:h"], "n1"),
            Incident("I4", 1, "open", ["svc:k"], "anomaly-2"));
        Assert.Equal(1.0, score.F1);
        Assert.Equal((3, 1), (score.Incidents, score.ExtraIncidents));
    }

    [Fact]
    public void Read_MalformedLine_ThrowsWithFileAndLine()
    {
        var ex = Assert.Throws<FormatException>(() => Score(Incident("I1", 1, "open", ["db:a"], "a1"), "{\"incident_id\":"));
        Assert.StartsWith("incidents.jsonl:2:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oracle_ScoresOneOnAGeneratedScenario()
    {
        var scenario = FaultScenarioGenerator.Generate(new ScenarioOptions { Seed = 8, Faults = 6, Topology = new TopologyOptions { Shape = TopologyShape.Kubernetes, Services = 30, Seed = 8 } });
        var file = Path.GetTempFileName();
        try
        {
            BaselineIncidents.WriteOracle(scenario.Truth, file);
            var score = QualityScorer.Score(scenario.Truth, file);
            Assert.Equal((1.0, 6, 6), (score.F1, score.Top1Hits, score.Top3Hits));
            Assert.Equal(0, score.UnmatchedAlerts);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void TimeWindowBaseline_StartsANewIncidentAfterTheWindow()
    {
        // Fault A fires at 0-1 min, fault B at 30 min, noise at 31 min: two windows of 10 minutes.
        var truth = Truth() with
        {
            Alerts = Truth().Alerts.Select(a => a with { FirstFiring = T0.AddMinutes(a.Fault == "A" ? 0.5 : a.Fault == "B" ? 30 : 31) }).ToList(),
        };
        var file = Path.GetTempFileName();
        try
        {
            BaselineIncidents.WriteTimeWindow(truth, TimeSpan.FromMinutes(10), file);
            var score = QualityScorer.Score(truth, file);
            Assert.Equal(2, score.Incidents);
            Assert.Equal((4L, 6L), (score.CorrectPairs, score.PredictedPairs)); // {a1,a2,a3}: 3 pairs; {b1,b2,n1}: 3 pairs, 1 correct
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Report_AveragesScenariosAndPoolsFaults()
    {
        var perfect = Score(
            Incident("I1", 1, "open", ["db:a"], "a1", "a2", "a3"),
            Incident("I2", 1, "open", ["db:b"], "b1", "b2"),
            Incident("I3", 1, "open", ["host:h"], "n1"));
        var half = Score(
            Incident("I1", 1, "open", ["svc:x"], "a1", "a2"),
            Incident("I2", 1, "open", ["db:b"], "a3", "b1", "b2"),
            Incident("I3", 1, "open", ["host:h"], "n1"));
        var row = QualityReport.Summarize("mesh", [perfect, half]);
        Assert.Equal(0.75, row.F1, 9);
        Assert.Equal(3.0 / 4, row.Top1, 9);
        Assert.Contains("| mesh | 2 | 4 | 12 | 0.750 |", QualityReport.ToMarkdown([row]), StringComparison.Ordinal);
    }
}
