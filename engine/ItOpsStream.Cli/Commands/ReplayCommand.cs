using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Detection;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Remediation;
using ItOpsStream.Engine.Rules;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Cli.Commands;

/// <summary>
/// <c>itopsstream replay</c>: runs the whole pipeline (the same one the live service runs) over a
/// recorded telemetry file and a topology file, and writes every incident record (CONTRACTS §4).
/// Event time only, so the output is the same bytes on every run (with <c>--models</c>, for the same
/// models directory: it is read once at start).
/// </summary>
internal static partial class ReplayCommand
{
    /// <summary>Dead letters printed on stderr when no <c>--dead-letters</c> file is given.</summary>
    private const int MaxDeadLettersOnStderr = 10;

    public static Command Create()
    {
        var topology = new Option<string>("--topology") { Description = "Topology (CMDB) file, JSON (CONTRACTS §1).", Required = true };
        var events = new Option<string>("--events") { Description = "Telemetry file, JSON Lines (CONTRACTS §2).", Required = true };
        var rules = new Option<string?>("--rules")
        {
            Description = "Rules file, YAML (docs/RULES.md): alerts and correlation settings, priority matrix, suppress, inhibit, grouping and remediation rules.",
        };
        var output = new Option<string>("--out") { Description = "Where incident records go, JSON Lines (CONTRACTS §3).", Required = true };
        var deadLetters = new Option<string?>("--dead-letters") { Description = "Where unreadable records go, JSON Lines with reason and position. Without it they are counted and the first few printed on stderr." };
        var report = new Option<string?>("--report")
        {
            Description = "After the run, print a summary for SREs (alerts in, incidents out, compression, priorities, noisiest checks and CIs, suppressed and inhibited) to stdout, or to FILE.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var remediations = new Option<string?>("--remediations") { Description = "Where remediation triggers go, JSON Lines (docs/RULES.md)." };
        var models = new Option<string?>("--models")
        {
            Description = "Models directory (models promote --models-dir): its promoted pca and onnx models score the metrics and raise anomaly:model:NAME alerts. Loaded once at start, so the run stays deterministic.",
        };
        var command = new Command("replay", "Run the whole pipeline over recorded telemetry and write every incident record; at the end of input all windows are flushed.")
        {
            topology, events, rules, output, deadLetters, report, remediations, models,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetRequiredValue(topology),
            parse.GetRequiredValue(events),
            parse.GetValue(rules),
            parse.GetRequiredValue(output),
            parse.GetValue(deadLetters),
            new ReplayExtras(parse.GetResult(report) is not null, parse.GetValue(report), parse.GetValue(remediations), parse.InvocationConfiguration.Output, parse.GetValue(models)),
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string topologyPath, string eventsPath, string? rulesPath, string outPath, string? deadLettersPath, ReplayExtras extras, TextWriter stderr, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        RequireFile(topologyPath, "topology");
        RequireFile(eventsPath, "events");
        var ruleSet = LoadRules(rulesPath);
        var options = ruleSet.Options;
        var models = LoadModels(extras.ModelsDirectory, stderr);

        TopologyGraph graph;
        try
        {
            graph = TopologyGraph.Build(TopologyFile.Load(topologyPath));
        }
        catch (TopologyFormatException ex)
        {
            throw new CliInputException(ex.Message);
        }

        await using var eventsStream = OpenRead(eventsPath);
        await using var outStream = Create(outPath, "output");
        await using var deadLetterStream = deadLettersPath is null ? null : Create(deadLettersPath, "dead-letter");
        await using var remediationStream = extras.RemediationsPath is null ? null : Create(extras.RemediationsPath, "remediations");
        using var incidents = new JsonLinesIncidentSink(outStream);
        await using var deadLetterFile = deadLetterStream is null ? null : new JsonLinesDeadLetterSink(deadLetterStream, leaveOpen: true);
        var deadLetters = (IRecordSink<DeadLetter>?)deadLetterFile ?? new StderrDeadLetters(stderr, MaxDeadLettersOnStderr);

        var topologyProvider = new StaticTopology(graph);
        var rulesProvider = new RulesProvider(ruleSet);
        var ruleEngine = ruleSet.HasCorrelationRules ? new RuleEngine(rulesProvider, topologyProvider) : null;
        var collector = new IncidentCollector(incidents);
        IRecordSink<IncidentRecord> incidentSink = collector;
        RemediationEngine? remediation = null;
        if (remediationStream is not null)
        {
            remediation = new RemediationEngine(rulesProvider, topologyProvider);
            incidentSink = new RemediationSink(collector, new JsonLinesRemediationSink(remediationStream), remediation);
        }

        var pipeline = new TelemetryPipeline(options, new PipelinePorts
        {
            Source = new JsonLinesFileSource(eventsStream, eventsPath),
            DecoderFactory = () => new NativeRecordDecoder(),
            Topology = topologyProvider,
            Incidents = incidentSink,
            DeadLetters = deadLetters,

            // Metric anomalies and log-derived alerts (new error templates, rate spikes, error bursts); one set per shard.
            AlertProducerFactory = StandardAlertProducers.Factory(models: models),
            Rules = ruleEngine,
        });
        var stats = await pipeline.RunAsync(cancellationToken).ConfigureAwait(false);
        if (extras.Report)
        {
            await WriteReportAsync(extras, ReplayReport.Render(stats, collector.Incidents, ruleEngine, remediation?.Stats), cancellationToken).ConfigureAwait(false);
        }

        if (deadLetters is StderrDeadLetters { Omitted: > 0 } omitted)
        {
            stderr.WriteLine($"itopsstream: {omitted.Omitted} more dead letters not shown (use --dead-letters FILE)");
        }

        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replay: {stats.RecordsRead} records read, {stats.DeadLetters} dead letters, {stats.Alerts} alerts, {stats.IncidentsOpened} incidents ({stats.IncidentRecords} records, {stats.Merges} merged), {clock.Elapsed.TotalSeconds:0.00} s"));
        return CliApp.ExitOk;
    }

    /// <summary>
    /// Loads a models directory once (no watcher: a replay must not change with the wall clock); null
    /// without <c>--models</c>. A directory that does not load is exit code 2 with the reason.
    /// </summary>
    private static ModelsProvider? LoadModels(string? directory, TextWriter stderr)
    {
        if (directory is null)
        {
            return null;
        }

        if (!Directory.Exists(directory))
        {
            throw new CliInputException($"models directory not found: {directory}");
        }

        var provider = new ModelsProvider(directory);
        var result = provider.TryReload();
        if (result.Status == ModelReloadStatus.Refused)
        {
            throw new CliInputException($"--models: {result.Error}");
        }

        foreach (var warning in result.Warnings)
        {
            stderr.WriteLine($"replay: models: {warning}");
        }

        var current = provider.Current;
        stderr.WriteLine(current.Models.Count == 0
            ? $"replay: models: {provider.Directory} has no promoted model"
            : string.Create(CultureInfo.InvariantCulture, $"replay: models version {current.Version}: {string.Join(", ", current.Models.Select(m => $"{m.Name} ({m.Entry.Kind})"))}"));
        return provider;
    }

    private static void RequireFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new CliInputException($"{what} file not found: {path}");
        }
    }

    private static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"cannot read {path}: {ex.Message}");
        }
    }

    private static FileStream Create(string path, string what)
    {
        try
        {
            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"cannot create {what} file {path}: {ex.Message}");
        }
    }

    /// <summary>Without a dead-letter file: each dead letter is one stderr line (position, class, reason), up to a limit, then counted.</summary>
    private sealed class StderrDeadLetters(TextWriter stderr, int max) : IRecordSink<DeadLetter>
    {
        private int _shown;

        public long Omitted { get; private set; }

        public ValueTask WriteAsync(IReadOnlyList<DeadLetter> batch, CancellationToken cancellationToken)
        {
            foreach (var letter in batch)
            {
                if (_shown < max)
                {
                    _shown++;
                    stderr.WriteLine($"itopsstream: dead letter {letter.Origin}: {letter.ErrorClass}: {letter.Reason}");
                }
                else
                {
                    Omitted++;
                }
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
