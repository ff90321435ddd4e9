using System.Text;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.TestKit.Generators;

namespace ItOpsStream.Engine.Tests.TestKit;

public sealed class FaultScenarioGeneratorTests
{
    private static ScenarioOptions Options(TopologyShape shape, int seed, int services = 30, int faults = 8) => new()
    {
        Seed = seed,
        Faults = faults,
        Topology = new TopologyOptions { Shape = shape, Services = services, Seed = seed },
    };

    /// <summary>A few scenarios over every shape, generated once for the tests below.</summary>
    private static readonly Lazy<IReadOnlyList<GeneratedScenario>> Suite = new(() =>
        Enum.GetValues<TopologyShape>().SelectMany(shape => new[] { 1, 2, 3 }.Select(seed => FaultScenarioGenerator.Generate(Options(shape, seed)))).ToList());

    private static byte[] EventsBytes(GeneratedScenario scenario)
    {
        using var stream = new MemoryStream();
        ScenarioFiles.WriteEvents(scenario.Events, stream);
        return stream.ToArray();
    }

    [Fact]
    public void Generate_SameSeed_WritesIdenticalEventsAndTruth()
    {
        var a = FaultScenarioGenerator.Generate(Options(TopologyShape.Kubernetes, 5));
        var b = FaultScenarioGenerator.Generate(Options(TopologyShape.Kubernetes, 5));
        Assert.Equal(EventsBytes(a), EventsBytes(b));
        Assert.Equal(a.Truth.ToJson(), b.Truth.ToJson());
        Assert.NotEqual(EventsBytes(a), EventsBytes(FaultScenarioGenerator.Generate(Options(TopologyShape.Kubernetes, 6))));
    }

    [Fact]
    public void Events_DecodeWithTheEngineDecoder_AndMatchWhatWasGenerated()
    {
        var scenario = Suite.Value[0];
        var decoder = new TelemetryDecoder();
        var lines = Encoding.UTF8.GetString(EventsBytes(scenario)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(scenario.Events.Count, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            Assert.True(decoder.TryDecode(Encoding.UTF8.GetBytes(lines[i]), out var record, out var error), $"line {i + 1}: {error}");
            var expected = scenario.Events[i].Record;
            Assert.Equal((expected.Timestamp, expected.Kind, expected.Ci, expected.Check, expected.Status, expected.DedupKey, expected.Severity), (record.Timestamp, record.Kind, record.Ci, record.Check, record.Status, record.DedupKey, record.Severity));
        }
    }

    [Fact]
    public void Truth_AlertIdentitiesAreUnique_AndMostButNotAllHaveADedupKey()
    {
        foreach (var scenario in Suite.Value)
        {
            var alerts = scenario.Truth.Alerts;
            Assert.Equal(alerts.Count, alerts.Select(a => (a.Ci, a.Check)).Distinct().Count());
            var keys = alerts.Where(a => a.DedupKey is not null).Select(a => a.DedupKey).ToList();
            Assert.Equal(keys.Count, keys.Distinct().Count());
        }

        var all = Suite.Value.SelectMany(s => s.Truth.Alerts).ToList();
        double explicitShare = (double)all.Count(a => a.DedupKey is not null) / all.Count;
        Assert.InRange(explicitShare, 0.7, 0.97);
    }

    [Fact]
    public void Faults_RootAlerts_AndEveryAlertingCiDependsOnTheRootTransitively()
    {
        foreach (var scenario in Suite.Value)
        {
            foreach (var fault in scenario.Truth.Faults)
            {
                Assert.Equal(fault.RootCi, fault.AlertingCis[0]);
                Assert.Contains(scenario.Truth.Alerts, a => a.Fault == fault.Id && a.Ci == fault.RootCi && a.Hops == 0);
                var reach = Dependents(scenario.Topology, fault.RootCi);
                Assert.All(fault.AlertingCis.Skip(1), ci => Assert.Contains(ci, reach));
            }
        }
    }

    [Fact]
    public void Faults_NotEveryDependentAlerts()
    {
        int skipped = 0;
        foreach (var scenario in Suite.Value)
        {
            foreach (var fault in scenario.Truth.Faults)
            {
                skipped += scenario.Topology.DependentsOf(fault.RootCi).Count(d => !fault.AlertingCis.Contains(d.Ci));
            }
        }

        Assert.True(skipped > 0);
    }

    [Fact]
    public void Suite_CoversEveryFaultPattern()
    {
        var scenarios = Suite.Value;
        var alerts = scenarios.SelectMany(s => s.Truth.Alerts).ToList();
        var faults = scenarios.SelectMany(s => s.Truth.Faults).ToList();
        Assert.Contains(alerts, a => a.Events > 2 && !a.Flapping);                       // repeats
        Assert.Contains(alerts, a => a.Flapping);                                        // flapping
        Assert.Contains(alerts, a => a.Noise == NoiseKind.UnknownCi);                    // unknown CIs
        Assert.Contains(alerts, a => a.Noise == NoiseKind.Platform);                     // noise on shared platform CIs
        Assert.Contains(alerts, a => a.Noise == NoiseKind.Random);
        Assert.Contains(alerts, a => a.Hops > 1);                                        // transitive propagation
        Assert.Contains(faults, f => f.Overlaps.Count > 0);                              // overlapping faults
        Assert.Contains(faults, f => f.SuspectChanges.Count > 0);                        // changes before faults
        Assert.Contains(alerts, a => !a.Resolved);                                       // alerts that never resolve
        foreach (var kind in new[] { FaultKind.ServiceFailure, FaultKind.DatastoreFailure, FaultKind.HostFailure })
        {
            Assert.Contains(faults, f => f.Kind == kind);
        }

        // Host failures take several workloads down.
        Assert.Contains(scenarios, s => s.Truth.Faults.Any(f => f.Kind == FaultKind.HostFailure && f.AlertingCis.Count >= 3));
        // Metric and log records are sprinkled in.
        Assert.Contains(scenarios[0].Events, e => e.Record.Kind == TelemetryKind.Metric);
        Assert.Contains(scenarios[0].Events, e => e.Record.Kind == TelemetryKind.Log);
    }

    [Fact]
    public void UnknownCiNoise_IsOnCisMissingFromTheTopology()
    {
        foreach (var scenario in Suite.Value)
        {
            Assert.All(scenario.Truth.Alerts.Where(a => a.Noise == NoiseKind.UnknownCi), a => Assert.False(scenario.Topology.CiById.ContainsKey(a.Ci)));
        }
    }

    [Fact]
    public void SuspectChanges_AreOnTheRootShortlyBeforeTheFault()
    {
        foreach (var scenario in Suite.Value)
        {
            foreach (var fault in scenario.Truth.Faults.Where(f => f.SuspectChanges.Count > 0))
            {
                var change = scenario.Events.Single(e => e.Record.Kind == TelemetryKind.Change && e.Record.ChangeId == fault.SuspectChanges[0]).Record;
                Assert.Equal(fault.RootCi, change.Ci);
                long before = fault.Start.ToUnixTimeMilliseconds() - change.Timestamp;
                Assert.InRange(before, 60_000, 30 * 60_000);
            }
        }
    }

    [Fact]
    public void OverlappingFaults_TouchDisjointCis()
    {
        foreach (var scenario in Suite.Value)
        {
            var byId = scenario.Truth.Faults.ToDictionary(f => f.Id);
            foreach (var fault in scenario.Truth.Faults)
            {
                Assert.All(fault.Overlaps, other => Assert.Empty(fault.AlertingCis.Intersect(byId[other].AlertingCis)));
            }
        }
    }

    [Fact]
    public void Events_AreInTimeOrderExceptAFewSecondsOfLateness()
    {
        var scenario = FaultScenarioGenerator.Generate(Options(TopologyShape.Mesh, 4) with { LateRecordShare = 0.2, MaxLatenessSeconds = 10 });
        long maxSeen = 0;
        int late = 0;
        foreach (var e in scenario.Events)
        {
            Assert.True(e.Record.Timestamp >= maxSeen - 10_000, $"{e} trails {maxSeen} by more than the lateness bound");
            late += e.Record.Timestamp < maxSeen ? 1 : 0;
            maxSeen = Math.Max(maxSeen, e.Record.Timestamp);
        }

        Assert.True(late > 0);
    }

    [Fact]
    public void Alert_ResolvedAfterFlapping_EndsWithOneResolve()
    {
        var scenario = Suite.Value.First(s => s.Truth.Alerts.Any(a => a.Flapping && a.Resolved));
        var alert = scenario.Truth.Alerts.First(a => a.Flapping && a.Resolved);
        var events = scenario.Events.Where(e => e.Record.Kind == TelemetryKind.Event && e.Record.Ci == alert.Ci && e.Record.Check == alert.Check).Select(e => e.Record.Status).ToList();
        Assert.Equal(alert.Events, events.Count);
        Assert.Equal(AlertStatus.Resolved, events[^1]);
        Assert.True(events.Count(s => s == AlertStatus.Resolved) >= 3);
    }

    [Fact]
    public void Write_ProducesTheThreeFiles_AndTheTruthReadsBack()
    {
        var dir = Directory.CreateTempSubdirectory("itops-testkit-");
        try
        {
            var scenario = FaultScenarioGenerator.Generate(Options(TopologyShape.DeepChain, 2, services: 12, faults: 3));
            var paths = ScenarioFiles.Write(scenario, dir.FullName);
            var truth = ScenarioTruth.Read(paths.Truth);
            Assert.Equal(scenario.Truth.ToJson(), truth.ToJson());
            Assert.Equal(scenario.Events.Count, File.ReadLines(paths.Events).Count());
            Assert.True(File.Exists(paths.Topology));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Read_NotATruthFile_NamesTheFile()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "[1,2]");
            var ex = Assert.Throws<FormatException>(() => ScenarioTruth.Read(file));
            Assert.StartsWith(file, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void QualitySuite_CoversEveryShapeAndSize_AndTheLargeScenarioHasTenThousandAlerts()
    {
        var plan = QualitySuite.Plan(60, 1);
        Assert.Equal(60, plan.Count);
        Assert.Equal(Enum.GetValues<TopologyShape>().Length * QualitySuite.Sizes.Count, plan.Select(p => (p.Topology.Shape, p.Topology.Services)).Distinct().Count());
        var large = FaultScenarioGenerator.Generate(QualitySuite.Large(1));
        Assert.True(large.Truth.Alerts.Count >= 10_000, $"{large.Truth.Alerts.Count} alerts");
    }

    [Fact]
    public void ThroughputFile_WritesExactlyTheRequestedRecords_MostlyMetricsAndLogs()
    {
        var dir = Directory.CreateTempSubdirectory("itops-throughput-");
        try
        {
            var paths = ThroughputFile.Write(dir.FullName, 20_000, 3);
            var lines = File.ReadAllLines(paths.Events);
            Assert.Equal(20_000, lines.Length);
            double events = lines.Count(l => l.Contains("\"kind\":\"event\"", StringComparison.Ordinal)) / 20_000.0;
            Assert.InRange(events, 0.005, 0.1);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static HashSet<string> Dependents(GeneratedTopology topology, string root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { root };
        var queue = new Queue<string>([root]);
        while (queue.TryDequeue(out var ci))
        {
            foreach (var d in topology.DependentsOf(ci))
            {
                if (seen.Add(d.Ci))
                {
                    queue.Enqueue(d.Ci);
                }
            }
        }

        return seen;
    }
}
