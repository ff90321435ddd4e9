using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Pipeline;

/// <summary>
/// What a pipeline is plugged into: where telemetry comes from, how it is decoded, the topology,
/// where incidents and dead letters go, and the optional hooks of later stages. Replay plugs files
/// in, the live service plugs Kafka and Redis in; the pipeline between them is the same code.
/// </summary>
public sealed record PipelinePorts
{
    public required ITelemetrySource Source { get; init; }

    /// <summary>Creates one decoder per decode worker (decoders need not be thread-safe).</summary>
    public required Func<IRecordDecoder> DecoderFactory { get; init; }

    public required ITopologyProvider Topology { get; init; }

    public required IRecordSink<IncidentRecord> Incidents { get; init; }

    public required IRecordSink<DeadLetter> DeadLetters { get; init; }

    /// <summary>
    /// The wall clock, used only to advance the watermark while input is idle
    /// (<see cref="PipelineOptions.IdleAdvanceAfter"/>). Null in replay.
    /// </summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Creates the alert producer of one shard (argument: shard index); null when none (metrics and logs are then only counted).</summary>
    public Func<int, IAlertProducer>? AlertProducerFactory { get; init; }

    /// <summary>Suppression and grouping rules; null for none.</summary>
    public ICorrelationRules? Rules { get; init; }

    /// <summary>Root-cause ranking; null for <see cref="RootCauseScorer"/>.</summary>
    public IRootCauseScorer? RootCauseScorer { get; init; }
}
