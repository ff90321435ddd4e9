using ItOpsStream.Engine.Topology;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ItOpsStream.Cli.Service;

/// <summary>
/// Hosts <see cref="KafkaEngine"/> as a long-running service. Stopping the host (SIGTERM, Ctrl-C)
/// cancels the run: the source stops reading, the pipeline drains and delivers, offsets of delivered
/// batches are committed and the consumer leaves the group. A failing engine stops the host with
/// exit code 1.
/// </summary>
internal sealed partial class EngineService(EngineConfig config, TopologyGraph topology, ILoggerFactory loggers, IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger("itopsstream");

    public int ExitCode { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var engine = new KafkaEngine(config, topology, loggers);
        LogStarting(_logger, config.Source.BootstrapServers, config.Source.GroupId, topology.Count);
        try
        {
            var stats = await engine.RunAsync(stoppingToken).ConfigureAwait(false);
            LogStopped(_logger, stats.RecordsRead, stats.IncidentRecords, stats.DeadLetters);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(_logger, ex.Message, ex);
            ExitCode = CliApp.ExitFailure;
            lifetime.StopApplication();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "engine: consuming from {Bootstrap} as group {Group}, topology of {Cis} CIs")]
    private static partial void LogStarting(ILogger logger, string bootstrap, string group, int cis);

    [LoggerMessage(Level = LogLevel.Information, Message = "engine: stopped after {Records} records, {Incidents} incident records, {DeadLetters} dead letters")]
    private static partial void LogStopped(ILogger logger, long records, long incidents, long deadLetters);

    [LoggerMessage(Level = LogLevel.Critical, Message = "engine: failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason, Exception exception);
}
