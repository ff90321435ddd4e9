using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Alerts;

/// <summary>
/// Several alert producers behind one shard's hook (e.g. log-derived alerts and metric anomalies):
/// each sees every record and watermark, in the order given, so the output stays deterministic.
/// </summary>
public sealed class CompositeAlertProducer(params IAlertProducer[] producers) : IAlertProducer
{
    public void OnRecord(in TelemetryRecord record, List<TelemetryRecord> emitted)
    {
        foreach (var producer in producers)
        {
            producer.OnRecord(record, emitted);
        }
    }

    public void OnWatermark(long watermark, List<TelemetryRecord> emitted)
    {
        foreach (var producer in producers)
        {
            producer.OnWatermark(watermark, emitted);
        }
    }
}
