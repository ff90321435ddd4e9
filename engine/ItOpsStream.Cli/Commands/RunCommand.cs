using System.CommandLine;
using ItOpsStream.Cli.Service;
using ItOpsStream.Engine.Topology;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ItOpsStream.Cli.Commands;

/// <summary>
/// <c>itopsstream run --config C.yaml</c>: the long-running service, Kafka in and Kafka out, under
/// the .NET generic host (SIGTERM and Ctrl-C stop it gracefully: drain, deliver, commit, close).
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var configOption = new Option<FileInfo>("--config")
        {
            Description = "YAML configuration (docs/KAFKA.md); ITOPS__SECTION__KEY environment variables override it.",
            Required = true,
        };
        var topologyOption = new Option<string>("--topology")
        {
            Description = "The CMDB: a topology file (CONTRACTS §1) or a redis:// / rediss:// URL (docs/CMDB.md); overrides topology.file / topology.redis of the configuration.",
        };
        var command = new Command("run", "Run the engine as a service: consume telemetry and CMDB changes (itops.cmdb) from Kafka, apply the rules file (config key rules, hot-reloaded) and the promoted models (config key models.dir, hot-reloaded), produce incidents, remediation triggers and dead letters to Kafka.")
        {
            configOption,
            topologyOption,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(configOption)!.FullName;
            var config = EngineConfig.Load(path, topology: parse.GetValue(topologyOption));
            using var rules = RulesWiring.Load(config);
            using var models = ModelsWiring.Load(config);
            await using var topology = await OpenTopologyAsync(config).ConfigureAwait(false);

            var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = config.Source.ShutdownDrainTimeout + TimeSpan.FromSeconds(10));
            builder.Services.AddSingleton(sp => new EngineService(config, topology, rules, models, sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<IHostApplicationLifetime>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<EngineService>());
            using var host = builder.Build();
            var engine = host.Services.GetRequiredService<EngineService>();
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return engine.ExitCode;
        });
        return command;
    }

    /// <summary>Loads the file topology, or connects to Redis (loading happens in the service, which may wait for Redis).</summary>
    private static async Task<TopologyWiring> OpenTopologyAsync(EngineConfig config)
    {
        if (config.TopologyRedisUrl is { } url)
        {
            return await TopologyWiring.ConnectRedisAsync(url).ConfigureAwait(false);
        }

        try
        {
            return TopologyWiring.FromGraph(TopologyGraph.Build(TopologyFile.Load(config.TopologyFile!)), config.TopologyFile!);
        }
        catch (TopologyFormatException ex)
        {
            throw new CliInputException(ex.Message);
        }
    }
}
