using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ItOpsStream.Cli.Demo;
using ItOpsStream.Cli.Service;
using ItOpsStream.Connectors.Kafka.Broker;
using ItOpsStream.Connectors.Kafka.Formats;
using ItOpsStream.Connectors.Kafka.Sinks;
using ItOpsStream.Connectors.Kafka.Source;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Cli.Commands;

/// <summary>
/// <c>itopsstream demo</c>: everything in one process with nothing installed — the embedded Kafka
/// broker, a bundled ~200-CI CMDB, a telemetry simulator injecting faults into the topics, the engine
/// consuming from Kafka as in production, and a live view of the incidents it produces.
/// </summary>
internal static class DemoCommand
{
    private static readonly string[] TelemetryTopics = ["itops.metrics", "itops.logs", "itops.events"];

    public static Command Create()
    {
        var duration = new Option<int?>("--duration")
        {
            Description = "Stop after this many seconds (default: run until Ctrl-C).",
        };
        var rate = new Option<int>("--rate")
        {
            Description = "Telemetry records per second the simulator produces.",
            DefaultValueFactory = _ => 2000,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the simulator (which CIs fail, in which order).",
            DefaultValueFactory = _ => 42,
        };
        var command = new Command("demo", "Run a self-contained demo: embedded Kafka, sample CMDB, simulated telemetry with faults, and live incidents.")
        {
            duration, rate, seed,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int? seconds = parse.GetValue(duration);
            if (seconds is <= 0)
            {
                throw new CliInputException($"--duration: {seconds} must be a positive number of seconds");
            }

            int recordsPerSecond = parse.GetValue(rate);
            if (recordsPerSecond is < 10 or > 1_000_000)
            {
                throw new CliInputException($"--rate: {recordsPerSecond} is out of range (10-1000000)");
            }

            await RunAsync(parse.InvocationConfiguration.Output, seconds, SimulatorOptions.Default with { RecordsPerSecond = recordsPerSecond, Seed = parse.GetValue(seed) }, cancellationToken).ConfigureAwait(false);
            return CliApp.ExitOk;
        });
        return command;
    }

    private static async Task RunAsync(TextWriter output, int? seconds, SimulatorOptions simulatorOptions, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (seconds is { } s)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(s));
        }

        var cmdb = SampleCmdb.Load();
        using var broker = EmbeddedKafkaCluster.Start(3);
        foreach (var topic in TelemetryTopics)
        {
            broker.CreateTopic(topic, 6, replicationFactor: 2);
        }

        broker.CreateTopic(KafkaSinks.IncidentsTopic, 3, replicationFactor: 2);
        broker.CreateTopic(KafkaSinks.DeadLetterTopic, 1, replicationFactor: 2);
        broker.CreateTopic(KafkaSinks.RemediationsTopic, 1, replicationFactor: 2);

        var config = DemoConfig(broker.BootstrapServers);
        using var engine = new KafkaEngine(config, TopologyGraph.Build(cmdb));
        using var simulator = new TelemetrySimulator(cmdb, broker.BootstrapServers, simulatorOptions);
        bool redraw = !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);
        var view = new IncidentView(broker.BootstrapServers, config.IncidentsTopic, output, redraw);
        if (!redraw)
        {
            output.WriteLine($"demo: embedded Kafka at {broker.BootstrapServers}; {cmdb.Cis.Count} CIs, {cmdb.Relations.Count} relations; {simulatorOptions.RecordsPerSecond} records/s with a fault every {simulatorOptions.FaultEvery.TotalSeconds:0} s");
        }

        var engineTask = engine.RunAsync(stop.Token);
        var simulatorTask = simulator.RunAsync(stop.Token);
        var viewTask = view.ConsumeAsync(stop.Token);
        var clock = Stopwatch.StartNew();
        long lastRecords = 0;
        var lastTime = TimeSpan.Zero;
        long lastStatusBucket = 0;
        using var ticker = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await ticker.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                if (engineTask.IsFaulted)
                {
                    break;
                }

                var stats = engine.Pipeline.Stats();
                var now = clock.Elapsed;
                double perSecond = (stats.RecordsRead - lastRecords) / Math.Max(0.001, (now - lastTime).TotalSeconds);
                (lastRecords, lastTime) = (stats.RecordsRead, now);
                var (total, open) = view.Counts();
                var status = string.Create(CultureInfo.InvariantCulture,
                    $"{now:mm\\:ss}  {perSecond,7:0} records/s  lag {Lag(engine.Source.Metrics.Lag)}  read {stats.RecordsRead}  alerts {stats.Alerts}  incidents {total} ({open} open)  dead letters {stats.DeadLetters}  faults injected {simulator.Faults}");
                if (redraw)
                {
                    view.Render(status);
                }
                else if ((long)now.TotalSeconds / 5 is var bucket && bucket > lastStatusBucket)
                {
                    // One line per 5 s when the output is a log: ticks drift, so a tick-count test printed some twice.
                    lastStatusBucket = bucket;
                    output.WriteLine($"status: {status}");
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await simulatorTask.ConfigureAwait(false);
        var final = await engineTask.ConfigureAwait(false);
        try
        {
            await viewTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        output.WriteLine();
        output.WriteLine($"demo: stopped after {clock.Elapsed.TotalSeconds:0} s: {final.RecordsRead} records read, {final.Alerts} alerts, {final.IncidentsOpened} incidents opened, {final.IncidentRecords} incident records, {final.DeadLetters} dead letters");
    }

    private static string Lag(long lag) => lag < 0 ? "?" : lag.ToString(CultureInfo.InvariantCulture);

    private static EngineConfig DemoConfig(string bootstrap) => new()
    {
        Source = KafkaSourceOptions.Default with
        {
            BootstrapServers = bootstrap,
            GroupId = "itopsstream-demo",
            Topics = TelemetryTopics.ToDictionary(t => t, _ => FormatNames.Auto),
            ShutdownDrainTimeout = TimeSpan.FromSeconds(5),
        },
        Sink = KafkaSinkOptions.Default with { BootstrapServers = bootstrap },
        IncidentsTopic = KafkaSinks.IncidentsTopic,
        DeadLetterTopic = KafkaSinks.DeadLetterTopic,
        TopologyFile = "(bundled sample CMDB)",
        Pipeline = PipelineOptions.Default with
        {
            AllowedLateness = TimeSpan.FromSeconds(2),
            IdleAdvanceAfter = TimeSpan.FromSeconds(2),
            // Demo faults come every 30 s and last 16 s: a window shorter than the gap keeps them apart
            // as separate incidents (production windows are minutes).
            Correlation = CorrelationOptions.Default with { Window = TimeSpan.FromSeconds(10), ReopenGrace = TimeSpan.FromSeconds(10) },
        },
    };
}
