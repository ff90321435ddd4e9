using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Tests.Alerts;

public sealed class CompositeAlertProducerTests
{
    private sealed class Tagging(string tag, TelemetryKind handles) : IAlertProducer
    {
        public void OnRecord(in TelemetryRecord record, List<TelemetryRecord> emitted)
        {
            if (record.Kind == handles)
            {
                emitted.Add(new TelemetryRecord(record.Timestamp, TelemetryKind.Event, record.Ci, Source: tag, Check: "c"));
            }
        }

        public void OnWatermark(long watermark, List<TelemetryRecord> emitted) =>
            emitted.Add(new TelemetryRecord(watermark, TelemetryKind.Event, null, Source: tag, Check: "tick"));
    }

    [Fact]
    public void OnRecord_OffersEachRecordToEveryProducer_InOrder()
    {
        var composite = new CompositeAlertProducer(new Tagging("metrics", TelemetryKind.Metric), new Tagging("logs", TelemetryKind.Log));
        var emitted = new List<TelemetryRecord>();

        composite.OnRecord(new TelemetryRecord(1, TelemetryKind.Metric, "host:a", Name: "cpu", Value: 1), emitted);
        composite.OnRecord(new TelemetryRecord(2, TelemetryKind.Log, "svc:b", Message: "boom"), emitted);

        Assert.Equal(["metrics", "logs"], emitted.Select(e => e.Source));
        Assert.Equal(["host:a", "svc:b"], emitted.Select(e => e.Ci));
    }

    [Fact]
    public void OnWatermark_ReachesEveryProducer()
    {
        var composite = new CompositeAlertProducer(new Tagging("a", TelemetryKind.Metric), new Tagging("b", TelemetryKind.Log));
        var emitted = new List<TelemetryRecord>();

        composite.OnWatermark(42, emitted);

        Assert.Equal(["a", "b"], emitted.Select(e => e.Source));
        Assert.All(emitted, e => Assert.Equal(42, e.Timestamp));
    }
}
