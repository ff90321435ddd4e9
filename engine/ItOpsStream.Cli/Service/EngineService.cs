using ItOpsStream.Connectors.Kafka.Sinks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ItOpsStream.Cli.Service;

/// <summary>
/// Hosts <see cref="KafkaEngine"/> as a long-running service. Stopping the host (SIGTERM, Ctrl-C)
/// cancels the run: the source stops reading, the pipeline drains and delivers, offsets of delivered
/// batches are committed and the consumer leaves the group. A failing engine stops the host with
/// exit code 1. Beside the engine runs the CMDB feed (<see cref="CmdbFeed"/>) when a CMDB topic is
/// configured; a Redis topology is loaded first (the engine waits while Redis is unreachable). With
/// <c>models.dir</c>, promoted models score metrics and are hot-reloaded (<see cref="ModelsWiring"/>).
/// </summary>
internal sealed partial class EngineService(EngineConfig config, TopologyWiring topology, RulesWiring? rules, ModelsWiring? models, ILoggerFactory loggers, IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger("itopsstream");

    public int ExitCode { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await topology.StartAsync(loggers.CreateLogger("itopsstream.topology"), stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        using var engine = new KafkaEngine(config, topology.Provider, loggers, rules?.Provider, models?.Provider);
        models?.Watch(loggers.CreateLogger("itopsstream.models"));
        if (rules is not null)
        {
            rules.Watch(loggers.CreateLogger("itopsstream.rules"));
            LogRules(_logger, rules.Path, rules.Provider.Current.Count, config.RemediationsTopic);
        }

        using var deadLetters = config.CmdbTopic is null ? null : KafkaSinks.DeadLetters(config.Sink with { Topic = config.DeadLetterTopic });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        LogStarting(_logger, config.Source.BootstrapServers, config.Source.GroupId, topology.Description, topology.Provider.Current.Count);
        try
        {
            var feed = deadLetters is null ? Task.CompletedTask
                : StopAllOnFailureAsync(new CmdbFeed(config, topology, deadLetters, loggers.CreateLogger("itopsstream.cmdb")), stop);
            var stats = await engine.RunAsync(stop.Token).ConfigureAwait(false);
            await feed.ConfigureAwait(false);
            LogStopped(_logger, stats.RecordsRead, stats.IncidentRecords, stats.DeadLetters);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(_logger, ex.Message, ex);
            ExitCode = CliApp.ExitFailure;
            lifetime.StopApplication();
        }
    }

    /// <summary>A failed CMDB feed stops the engine too (gracefully), so the service exits with the failure.</summary>
    private static async Task StopAllOnFailureAsync(CmdbFeed feed, CancellationTokenSource stop)
    {
        try
        {
            await feed.RunAsync(stop.Token).ConfigureAwait(false);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "engine: consuming from {Bootstrap} as group {Group}, topology {Topology} of {Cis} CIs")]
    private static partial void LogStarting(ILogger logger, string bootstrap, string group, string topology, int cis);

    [LoggerMessage(Level = LogLevel.Information, Message = "engine: rules {Path} ({Rules} rules, watched for changes), remediation triggers to {Topic}")]
    private static partial void LogRules(ILogger logger, string path, int rules, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "engine: stopped after {Records} records, {Incidents} incident records, {DeadLetters} dead letters")]
    private static partial void LogStopped(ILogger logger, long records, long incidents, long deadLetters);

    [LoggerMessage(Level = LogLevel.Critical, Message = "engine: failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason, Exception exception);
}
