using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Logs;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Tests.Alerts;

public sealed class CompositeAlertProducerTests
{
    [Fact]
    public void OnRecord_FeedsEveryProducerInOrder()
    {
        var composite = new CompositeAlertProducer(new Tagging("first"), new Tagging("second"));
        var emitted = new List<TelemetryRecord>();
        composite.OnRecord(new TelemetryRecord(1, TelemetryKind.Metric, "host:a", Name: "cpu", Value: 1), emitted);
        composite.OnWatermark(5, emitted);
        Assert.Equal(["first@1", "second@1", "first@5", "second@5"], emitted.Select(e => e.Check));
    }

    [Fact]
    public void LogProducer_InComposite_StillSeesLogs()
    {
        var composite = new CompositeAlertProducer(new Tagging("metrics"), new LogAlertProducer(LogAlertOptions.Default with { BurstCount = 3 }));
        var emitted = new List<TelemetryRecord>();
        for (int i = 0; i < 3; i++)
        {
            composite.OnRecord(new TelemetryRecord(1_000 + i, TelemetryKind.Log, "svc:a", Level: LogLevel.Error, Message: $"write {i} failed"), emitted);
        }

        Assert.Single(emitted, e => e.Check == "LogErrorBurst");
    }

    private sealed class Tagging(string tag) : IAlertProducer
    {
        public void OnRecord(in TelemetryRecord record, List<TelemetryRecord> emitted) =>
            emitted.Add(new TelemetryRecord(record.Timestamp, TelemetryKind.Event, record.Ci, Check: $"{tag}@{record.Timestamp}"));

        public void OnWatermark(long watermark, List<TelemetryRecord> emitted) =>
            emitted.Add(new TelemetryRecord(watermark, TelemetryKind.Event, null, Check: $"{tag}@{watermark}"));
    }
}
