using System.Text;
using ItOpsStream.Connectors.Kafka.Formats;
using ItOpsStream.Connectors.Kafka.Sinks;
using ItOpsStream.Connectors.Kafka.Source;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Detection;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Remediation;
using ItOpsStream.Engine.Rules;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;
using Microsoft.Extensions.Logging;

namespace ItOpsStream.Cli.Service;

/// <summary>
/// The live engine: Kafka source → pipeline → Kafka sinks (incidents, remediation triggers, dead letters). Used by
/// <c>run</c> (under the generic host) and by <c>demo</c> (in process with the embedded broker).
/// </summary>
internal sealed class KafkaEngine : IDisposable
{
    private readonly IRecordSink<IncidentRecord> _incidents;
    private readonly KafkaRecordSink<DeadLetter> _deadLetters;
    private readonly KafkaRecordSink<RemediationTrigger>? _triggers;

    public KafkaEngine(EngineConfig config, TopologyGraph topology, ILoggerFactory? loggers = null)
        : this(config, new StaticTopology(topology), loggers)
    {
    }

    /// <summary>An engine whose correlator reads <paramref name="topology"/> (a graph that follows the CMDB feed).</summary>
    /// <param name="config">The service configuration.</param>
    /// <param name="topology">The CMDB graph in force.</param>
    /// <param name="loggers">Logging of the Kafka source.</param>
    /// <param name="rules">
    /// The rules in force (hot-reloaded), or null: no rules. With rules, their alerts/correlation settings
    /// size the pipeline and the incidents pass through the remediation stage, whose triggers go to
    /// <see cref="EngineConfig.RemediationsTopic"/> keyed by trigger id. The stages are wired even
    /// when the file starts without such rules, so a reload that adds them takes effect.
    /// </param>
    /// <param name="models">The promoted models in force (hot-reloaded), or null: no model alerts.</param>
    public KafkaEngine(EngineConfig config, ITopologyProvider topology, ILoggerFactory? loggers = null, RulesProvider? rules = null, IModelsProvider? models = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Source = new KafkaTelemetrySource(config.Source, loggers?.CreateLogger<KafkaTelemetrySource>());
        // A restarted engine re-reads telemetry from its committed offsets: versions already in the topic are skipped.
        _incidents = KafkaSinks.IncidentsOnce(config.Sink with { Topic = config.IncidentsTopic }, IncidentJson.ToUtf8, TimeSpan.FromSeconds(60));
        _deadLetters = KafkaSinks.DeadLetters(config.Sink with { Topic = config.DeadLetterTopic });
        IRecordSink<IncidentRecord> incidents = _incidents;
        if (rules is not null)
        {
            _triggers = KafkaSinks.Remediations<RemediationTrigger>(config.Sink with { Topic = config.RemediationsTopic }, t => (Encoding.UTF8.GetBytes(t.TriggerId), RemediationJson.ToUtf8(t)));
            incidents = new RemediationSink(_incidents, _triggers, new RemediationEngine(rules, topology));
        }

        var formats = config.Source.Formats;
        Pipeline = new TelemetryPipeline(rules?.Current.Options ?? config.Pipeline, new PipelinePorts
        {
            Source = Source,
            DecoderFactory = () => new KafkaRecordDecoder(formats),
            Topology = topology,
            Incidents = incidents,
            DeadLetters = _deadLetters,
            TimeProvider = TimeProvider.System,
            AlertProducerFactory = StandardAlertProducers.Factory(models: models),
            Rules = rules is null ? null : new RuleEngine(rules, topology),
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
        _triggers?.Dispose();
        Source.Dispose();
    }
}
