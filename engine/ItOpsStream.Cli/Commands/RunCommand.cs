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
        var command = new Command("run", "Run the engine as a service: consume telemetry from Kafka, produce incidents and dead letters to Kafka.")
        {
            configOption,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(configOption)!.FullName;
            var config = EngineConfig.Load(path);
            TopologyGraph topology;
            try
            {
                topology = TopologyGraph.Build(TopologyFile.Load(config.TopologyFile));
            }
            catch (TopologyFormatException ex)
            {
                throw new CliInputException(ex.Message);
            }

            var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = config.Source.ShutdownDrainTimeout + TimeSpan.FromSeconds(10));
            builder.Services.AddSingleton(config);
            builder.Services.AddSingleton(topology);
            builder.Services.AddSingleton<EngineService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<EngineService>());
            using var host = builder.Build();
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return host.Services.GetRequiredService<EngineService>().ExitCode;
        });
        return command;
    }
}
