using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Pipeline;

// The messages that cross the internal stage channels. Each is one batch; arrays are handed over,
// never written again by the sender, so readers need no copies and no locks.

/// <summary>A raw batch waiting for a decode worker; the result is awaited in input order.</summary>
internal sealed class DecodeJob(RawBatch raw)
{
    public RawBatch Raw { get; } = raw;

    public TaskCompletionSource<DecodedBatch> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Decoded records of one raw batch, with their routing keys and the batch's dead letters.</summary>
internal sealed record DecodedBatch(
    TelemetryRecord[] Records,
    ulong[] RouteKeys,
    int Count,
    int RawCount,
    IReadOnlyList<DeadLetter> DeadLetters,
    IBatchCheckpoint? Checkpoint);

/// <summary>The part of one batch that belongs to one alert shard: indices into the shared arrays.</summary>
internal sealed record ShardWork(
    long Seq,
    TelemetryRecord[] Records,
    ulong[] RouteKeys,
    int[] Indices,
    int IndexCount,
    long Watermark);

/// <summary>What one shard made of one batch, in the shard's order (see <see cref="AlertTransition.Compare"/>).</summary>
internal sealed record ShardOutput(long Seq, List<AlertTransition> Transitions);

/// <summary>
/// The router's per-batch message to the correlation stage: everything of the batch that does not
/// go through the shards, and the batch's watermark. The correlation stage reads one envelope and
/// then exactly one <see cref="ShardOutput"/> of the same sequence number from every shard.
/// </summary>
internal sealed record BatchEnvelope(
    long Seq,
    long Watermark,
    bool Final,
    IReadOnlyList<TelemetryRecord> Changes,
    IReadOnlyList<DeadLetter> DeadLetters,
    IBatchCheckpoint? Checkpoint);

/// <summary>What to deliver for one batch, then the checkpoint to complete once it is delivered.</summary>
internal sealed record OutputBatch(
    IReadOnlyList<IncidentRecord> Incidents,
    IReadOnlyList<DeadLetter> DeadLetters,
    IBatchCheckpoint? Checkpoint);
