using System.Threading.Channels;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Pipeline;

/// <summary>One raw record as a source delivers it, before decoding.</summary>
/// <param name="Payload">The bytes of one message or one line.</param>
/// <param name="Origin">Where it came from, for dead letters and offsets.</param>
/// <param name="Format">A format name when the source knows it (per topic config); null to detect from content.</param>
public readonly record struct RawRecord(ReadOnlyMemory<byte> Payload, RecordOrigin Origin, string? Format = null);

/// <summary>
/// Acknowledges a batch once everything it produced has been delivered downstream. Sources commit
/// offsets from here (at-least-once); file sources need nothing.
/// </summary>
public interface IBatchCheckpoint
{
    /// <summary>Called once, on the pipeline's delivery thread, after all output of the batch is delivered.</summary>
    void Complete();
}

/// <summary>A batch of raw records with the checkpoint to complete after delivery.</summary>
public sealed record RawBatch(IReadOnlyList<RawRecord> Records, IBatchCheckpoint? Checkpoint = null);

/// <summary>Where telemetry comes from: files in replay, Kafka when live.</summary>
public interface ITelemetrySource
{
    /// <summary>
    /// Writes batches into <paramref name="output"/> until the input ends (file) or
    /// <paramref name="cancellationToken"/> fires (live). A full channel blocks the source: that is
    /// the backpressure path. Returns without completing the writer; the pipeline owns it.
    /// </summary>
    Task RunAsync(ChannelWriter<RawBatch> output, CancellationToken cancellationToken);
}

/// <summary>Where records of one type go: a JSON Lines file, a Kafka topic, memory in tests.</summary>
public interface IRecordSink<in T>
{
    /// <summary>Writes a batch. Called from one thread at a time.</summary>
    ValueTask WriteAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken);

    /// <summary>Returns once everything written so far is durable or delivered.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}
