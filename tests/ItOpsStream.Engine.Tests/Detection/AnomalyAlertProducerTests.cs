using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Detection;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Tests.Support;
using static ItOpsStream.Engine.Tests.Support.TestRecords;

namespace ItOpsStream.Engine.Tests.Detection;

public sealed class AnomalyAlertProducerTests
{
    /// <summary>cpu of one CI every 60 s: noise around 40, then from point <paramref name="from"/> <paramref name="length"/> points at 95.</summary>
    private static List<TelemetryRecord> Cpu(string ci, int points, int from, int length, int seed = 1)
    {
        var rng = new Random(seed);
        var records = new List<TelemetryRecord>(points);
        for (var i = 0; i < points; i++)
        {
            var value = i >= from && i < from + length ? 95 : 40 + (4 * rng.NextDouble());
            records.Add(Metric(i * 60, ci, "cpu", value));
        }

        return records;
    }

    private static List<TelemetryRecord> Run(AnomalyAlertProducer producer, IEnumerable<TelemetryRecord> records)
    {
        var emitted = new List<TelemetryRecord>();
        foreach (var r in records)
        {
            producer.OnRecord(r, emitted);
        }

        return emitted;
    }

    [Fact]
    public void Anomaly_OpensOneAlertThenResolvesOnce_WithCheckSeverityAndStableFingerprint()
    {
        var emitted = Run(new AnomalyAlertProducer(), Cpu("host:node-1", 1500, 1000, 20));

        Assert.Equal(2, emitted.Count);
        var (open, resolve) = (emitted[0], emitted[1]);
        Assert.Equal(AlertStatus.Firing, open.Status);
        Assert.Equal(AlertStatus.Resolved, resolve.Status);
        Assert.Equal("anomaly:cpu", open.Check);
        Assert.Equal("host:node-1", open.Ci);
        Assert.Equal(T(1000 * 60), open.Timestamp);
        Assert.Equal(open.DedupKey, resolve.DedupKey);
        Assert.True(open.Severity >= Severity.Warning);
        Assert.True(resolve.Timestamp > T(1019 * 60));
    }

    [Fact]
    public void FlappingSeries_RaisesOneAlertNotOnePerFlap()
    {
        var records = Cpu("host:node-1", 1300, 5000, 0);
        for (var i = 1000; i < 1040; i += 4)
        {
            // Anomalous, normal, normal, normal: never ten normal points in a row, so the alert stays open.
            records[i] = Metric(i * 60, "host:node-1", "cpu", 95);
        }

        var emitted = Run(new AnomalyAlertProducer(), records);
        Assert.Single(emitted, e => e.Status == AlertStatus.Firing);
        Assert.Single(emitted, e => e.Status == AlertStatus.Resolved);
    }

    [Fact]
    public void NormalSeries_RaisesNothing_AndNonMetricRecordsAreIgnored()
    {
        var records = Cpu("host:node-1", 3000, 99_999, 0);
        records.Add(Fire(1, "db:orders", "Down"));
        Assert.Empty(Run(new AnomalyAlertProducer(), records));
    }

    [Fact]
    public void Registry_AtCapacity_EvictsLeastRecentSeriesAndResolvesItsOpenAlert()
    {
        var producer = new AnomalyAlertProducer(AnomalyAlertOptions.Default with { MaxSeries = 2 });
        var emitted = Run(producer, Cpu("a", 1100, 1097, 3));
        Assert.Single(emitted);
        emitted.AddRange(Run(producer, Cpu("b", 10, 999, 0)));
        emitted.AddRange(Run(producer, Cpu("c", 1, 999, 0)));
        Assert.Equal(2, producer.SeriesCount);
        Assert.Equal(2, emitted.Count);
        Assert.Equal(AlertStatus.Resolved, emitted[1].Status);
        Assert.Equal("a", emitted[1].Ci);
    }

    [Fact]
    public void Composite_GivesEveryRecordToEachProducerInOrder()
    {
        var composite = new CompositeAlertProducer(new AnomalyAlertProducer(), new AnomalyAlertProducer(AnomalyAlertOptions.Default with { Source = "second" }));
        var emitted = new List<TelemetryRecord>();
        foreach (var r in Cpu("host:node-1", 1100, 1050, 3))
        {
            composite.OnRecord(r, emitted);
        }

        Assert.Equal(["itopsstream.anomaly", "second"], emitted.Where(e => e.Status == AlertStatus.Firing).Select(e => e.Source));
    }

    [Fact]
    public async Task AnomalyAlerts_FlowThroughDedupAndCorrelation_IntoAnIncident()
    {
        var records = Cpu("host:node-1", 1200, 1100, 30).Select(r => (TelemetryRecord?)r).ToList();
        var incidents = new MemorySink<IncidentRecord>();
        var pipeline = new TelemetryPipeline(PipelineOptions.Default with { AlertShards = 2 }, new PipelinePorts
        {
            Source = new MemorySource(records, 64),
            DecoderFactory = () => new IndexDecoder(records),
            Topology = TestTopology.Provider,
            Incidents = incidents,
            DeadLetters = new MemorySink<DeadLetter>(),
            AlertProducerFactory = _ => new AnomalyAlertProducer(),
        });
        await pipeline.RunAsync();

        var alert = incidents.Flushed.SelectMany(i => i.Alerts).First(a => a.Check == "anomaly:cpu");
        Assert.Equal("host:node-1", alert.Ci);
    }
}
