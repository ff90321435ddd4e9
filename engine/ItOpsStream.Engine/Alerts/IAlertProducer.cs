using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Alerts;

/// <summary>
/// Turns metric and log records into alerts: anomaly detectors over metric series, log-derived
/// alerts over log records. The pipeline creates one producer per alert shard and routes every
/// metric and every log of a CI to the same shard, so a producer owns its per-series and per-CI
/// state alone. A producer that is <see cref="IDisposable"/> is disposed when its shard ends.
/// </summary>
/// <remarks>
/// Called on the shard's worker thread only, never concurrently. Emitted records are <c>event</c>
/// records; they go through dedup and correlation like any other event, in the emitting shard,
/// so their fingerprints (<c>dedup_key</c> or derived) must be specific to the producer (e.g. a
/// <c>source</c> of its own). An exception fails the pipeline: a producer handles bad data itself.
/// </remarks>
public interface IAlertProducer
{
    /// <summary>Sees one metric or log record, in input order; appends any alerts it raises.</summary>
    void OnRecord(in TelemetryRecord record, List<TelemetryRecord> emitted);

    /// <summary>Event time advanced to <paramref name="watermark"/>; appends alerts due by then (e.g. "no data").</summary>
    void OnWatermark(long watermark, List<TelemetryRecord> emitted);
}
