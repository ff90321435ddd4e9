using ItOpsStream.Connectors.Kafka.Formats;
using ItOpsStream.Connectors.Kafka.Sinks;
using ItOpsStream.Connectors.Kafka.Source;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;
using Microsoft.Extensions.Logging;

namespace ItOpsStream.Cli.Service;

/// <summary>
/// The live engine: Kafka source → pipeline → Kafka sinks (incidents, dead letters). Used by
/// <c>run</c> (under the generic host) and by <c>demo</c> (in process with the embedded broker).
/// </summary>
internal sealed class KafkaEngine : IDisposable
{
    private readonly IRecordSink<IncidentRecord> _incidents;
    private readonly KafkaRecordSink<DeadLetter> _deadLetters;

    public KafkaEngine(EngineConfig config, TopologyGraph topology, ILoggerFactory? loggers = null)
        : this(config, new StaticTopology(topology), loggers)
    {
    }

    /// <summary>An engine whose correlator reads <paramref name="topology"/> (a graph that follows the CMDB feed).</summary>
    public KafkaEngine(EngineConfig config, ITopologyProvider topology, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Source = new KafkaTelemetrySource(config.Source, loggers?.CreateLogger<KafkaTelemetrySource>());
        // A restarted engine re-reads telemetry from its committed offsets: versions already in the topic are skipped.
        _incidents = KafkaSinks.IncidentsOnce(config.Sink with { Topic = config.IncidentsTopic }, IncidentJson.ToUtf8, TimeSpan.FromSeconds(60));
        _deadLetters = KafkaSinks.DeadLetters(config.Sink with { Topic = config.DeadLetterTopic });
        var formats = config.Source.Formats;
        Pipeline = new TelemetryPipeline(config.Pipeline, new PipelinePorts
        {
            Source = Source,
            DecoderFactory = () => new KafkaRecordDecoder(formats),
            Topology = topology,
            Incidents = _incidents,
            DeadLetters = _deadLetters,
            TimeProvider = TimeProvider.System,
            AlertProducerFactory = StandardAlertProducers.Factory(),
        });
    }

    public KafkaTelemetrySource Source { get; }

    public TelemetryPipeline Pipeline { get; }

    /// <summary>Runs until <paramref name="cancellationToken"/> fires; then drains, delivers, commits and closes.</summary>
    public Task<PipelineStats> RunAsync(CancellationToken cancellationToken) => Pipeline.RunAsync(cancellationToken);

    public void Dispose()
    {
        (_incidents as IDisposable)?.Dispose();
        _deadLetters.Dispose();
        Source.Dispose();
    }
}
