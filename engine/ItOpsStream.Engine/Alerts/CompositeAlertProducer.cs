using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Alerts;

/// <summary>
/// Several alert producers behind the one <see cref="IAlertProducer"/> slot of a pipeline shard (metric anomalies and
/// log alerts, say). Each sees every record and watermark, in the order given; each ignores the kinds it does not
/// handle. Alerts come out in producer order, so the output stays deterministic.
/// </summary>
/// <remarks>Called on the shard's thread only, like the producers it holds.</remarks>
public sealed class CompositeAlertProducer(params IAlertProducer[] producers) : IAlertProducer
{
    private readonly IAlertProducer[] _producers = producers ?? throw new ArgumentNullException(nameof(producers));

    /// <inheritdoc/>
    public void OnRecord(in TelemetryRecord record, List<TelemetryRecord> emitted)
    {
        foreach (var producer in _producers)
        {
            producer.OnRecord(record, emitted);
        }
    }

    /// <inheritdoc/>
    public void OnWatermark(long watermark, List<TelemetryRecord> emitted)
    {
        foreach (var producer in _producers)
        {
            producer.OnWatermark(watermark, emitted);
        }
    }
}
