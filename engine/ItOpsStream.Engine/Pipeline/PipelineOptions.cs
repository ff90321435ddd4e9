using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Correlation;

namespace ItOpsStream.Engine.Pipeline;

/// <summary>
/// Settings of the whole pipeline. Immutable; <see cref="Default"/> suits replay and a small live
/// deployment. None of the parallelism settings changes the output: the same input gives the same
/// bytes whatever <see cref="DecodeWorkers"/> and <see cref="AlertShards"/> are.
/// </summary>
public sealed record PipelineOptions
{
    /// <summary>The defaults documented on each property.</summary>
    public static PipelineOptions Default { get; } = new();

    /// <summary>Parallel decode workers, each with its own decoder. Default: half the cores, 1..8.</summary>
    public int DecodeWorkers { get; init; } = Math.Clamp(Environment.ProcessorCount / 2, 1, 8);

    /// <summary>Alert (dedup) shards; alerts are owned by the shard of their fingerprint hash. Default: half the cores, 1..8.</summary>
    public int AlertShards { get; init; } = Math.Clamp(Environment.ProcessorCount / 2, 1, 8);

    /// <summary>Capacity of every stage channel, in batches. Default 16.</summary>
    public int ChannelCapacity { get; init; } = 16;

    /// <summary>
    /// How far event time may go backwards before a record counts as late. The watermark is
    /// <c>max event time seen − AllowedLateness</c>; timers (stale alerts, flapping, incident grace)
    /// fire on the watermark, so a record up to this much out of order is still handled in time.
    /// Late records are still processed and counted. Default 10 s.
    /// </summary>
    public TimeSpan AllowedLateness { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Live mode only: when no input arrived for this long (wall clock of the injected
    /// <see cref="TimeProvider"/>), the watermark advances by the wall time that passed, so stale
    /// alerts and incident grace periods still fire on a quiet stream. Null (the default, and
    /// always in replay) means the watermark only moves with event time.
    /// </summary>
    public TimeSpan? IdleAdvanceAfter { get; init; }

    /// <summary>
    /// Delivered batches whose checkpoints may wait for one sink flush. The delivery stage flushes
    /// when its input is momentarily empty or when this many are pending. Default 64.
    /// </summary>
    public int MaxPendingCheckpoints { get; init; } = 64;

    /// <summary>Dedup and alert lifecycle.</summary>
    public AlertOptions Alerts { get; init; } = AlertOptions.Default;

    /// <summary>Correlation and incident lifecycle.</summary>
    public CorrelationOptions Correlation { get; init; } = CorrelationOptions.Default;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public PipelineOptions Validate()
    {
        Check(DecodeWorkers is >= 1 and <= 64, nameof(DecodeWorkers), "must be 1..64");
        Check(AlertShards is >= 1 and <= 64, nameof(AlertShards), "must be 1..64");
        Check(ChannelCapacity >= 1, nameof(ChannelCapacity), "must be at least 1");
        Check(AllowedLateness >= TimeSpan.Zero, nameof(AllowedLateness), "must not be negative");
        Check(IdleAdvanceAfter is null || IdleAdvanceAfter > TimeSpan.Zero, nameof(IdleAdvanceAfter), "must be positive when set");
        Check(MaxPendingCheckpoints >= 1, nameof(MaxPendingCheckpoints), "must be at least 1");
        ArgumentNullException.ThrowIfNull(Alerts);
        ArgumentNullException.ThrowIfNull(Correlation);
        Alerts.Validate();
        Correlation.Validate();
        return this;
    }

    internal static void Check(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"{name} {rule}", name);
        }
    }
}
