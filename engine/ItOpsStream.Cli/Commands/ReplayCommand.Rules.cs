using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Rules;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Cli.Commands;

internal static partial class ReplayCommand
{
    /// <summary>Loads a rules file for replay and backtest: bad content is exit code 2 with <c>file:line:column: what</c>.</summary>
    internal static RuleSet LoadRules(string? path)
    {
        if (path is null)
        {
            return RuleSet.Empty;
        }

        RequireFile(path, "rules");
        try
        {
            return RuleSetLoader.Load(path);
        }
        catch (SettingsFormatException ex)
        {
            throw new CliInputException(ex.Message);
        }
    }

    /// <summary>Runs the pipeline over an events file with a rule set, keeping only the final incidents (backtest).</summary>
    internal static async Task<(PipelineStats Stats, IReadOnlyList<IncidentSummary> Incidents)> RunInMemoryAsync(TopologyGraph graph, string eventsPath, RuleSet rules, CancellationToken cancellationToken)
    {
        RequireFile(eventsPath, "events");
        await using var events = OpenRead(eventsPath);
        var topology = new StaticTopology(graph);
        var collector = new IncidentCollector();
        var pipeline = new TelemetryPipeline(rules.Options, new PipelinePorts
        {
            Source = new JsonLinesFileSource(events, eventsPath),
            DecoderFactory = () => new NativeRecordDecoder(),
            Topology = topology,
            Incidents = collector,
            DeadLetters = new DiscardSink<DeadLetter>(),
            Rules = rules.HasCorrelationRules ? new RuleEngine(new RulesProvider(rules), topology) : null,
        });
        var stats = await pipeline.RunAsync(cancellationToken).ConfigureAwait(false);
        return (stats, collector.Incidents);
    }

    /// <summary>Counts nothing, keeps nothing: dead letters in a backtest are the same in both runs and counted in the stats.</summary>
    private sealed class DiscardSink<T> : IRecordSink<T>
    {
        public ValueTask WriteAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private static async Task WriteReportAsync(ReplayExtras extras, string report, CancellationToken cancellationToken)
    {
        if (extras.ReportPath is null)
        {
            await extras.Stdout.WriteAsync(report).ConfigureAwait(false);
            return;
        }

        try
        {
            await File.WriteAllTextAsync(extras.ReportPath, report, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"cannot write report file {extras.ReportPath}: {ex.Message}");
        }
    }

    /// <summary>The options replay gained with the rules work: the report and the remediation output.</summary>
    private sealed record ReplayExtras(bool Report, string? ReportPath, string? RemediationsPath, TextWriter Stdout, string? ModelsDirectory = null);
}
