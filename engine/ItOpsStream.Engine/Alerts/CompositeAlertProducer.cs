using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Alerts;

/// <summary>
/// Several alert producers behind one shard's <see cref="IAlertProducer"/>: each record is offered to
/// every producer in order (each ignores the kinds it does not handle), so metric anomalies and
/// log-derived alerts run side by side in the same shard.
/// </summary>
/// <remarks>Called on the shard's worker thread only, like the producers it holds. Disposing it disposes those that are <see cref="IDisposable"/>.</remarks>
public sealed class CompositeAlertProducer(params IAlertProducer[] producers) : IAlertProducer, IDisposable
{
    private readonly IAlertProducer[] _producers = producers ?? throw new ArgumentNullException(nameof(producers));

    /// <summary>The producers, in the order records are offered to them.</summary>
    public IReadOnlyList<IAlertProducer> Producers => _producers;

    public void OnRecord(in TelemetryRecord record, List<TelemetryRecord> emitted)
    {
        foreach (var producer in _producers)
        {
            producer.OnRecord(record, emitted);
        }
    }

    public void OnWatermark(long watermark, List<TelemetryRecord> emitted)
    {
        foreach (var producer in _producers)
        {
            producer.OnWatermark(watermark, emitted);
        }
    }

    public void Dispose()
    {
        foreach (var producer in _producers)
        {
            (producer as IDisposable)?.Dispose();
        }
    }
}
