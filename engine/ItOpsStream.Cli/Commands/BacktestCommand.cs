using System.CommandLine;
using ItOpsStream.Engine.Rules;

namespace ItOpsStream.Cli.Commands;

/// <summary>
/// <c>itopsstream backtest --topology T --events E --rules OLD --against NEW</c>: replays the same
/// telemetry under two rules files, in process, and shows what the change does to incidents: which
/// split, merged, appeared or disappeared, and the compression before and after.
/// </summary>
internal static class BacktestCommand
{
    public static Command Create()
    {
        var topology = new Option<string>("--topology") { Description = "Topology (CMDB) file, JSON.", Required = true };
        var events = new Option<string>("--events") { Description = "Telemetry file, JSON Lines.", Required = true };
        var rules = new Option<string>("--rules") { Description = "The current rules file (YAML).", Required = true };
        var against = new Option<string>("--against") { Description = "The changed rules file to compare with.", Required = true };
        var command = new Command("backtest", "Replay the same telemetry under two rules files and compare the incidents (split, merged, appeared, disappeared, compression).")
        {
            topology, events, rules, against,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetRequiredValue(topology), parse.GetRequiredValue(events), parse.GetRequiredValue(rules), parse.GetRequiredValue(against),
            parse.InvocationConfiguration.Output, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string topologyPath, string eventsPath, string oldPath, string newPath, TextWriter stdout, CancellationToken cancellationToken)
    {
        var oldRules = ReplayCommand.LoadRules(oldPath);
        var newRules = ReplayCommand.LoadRules(newPath);
        var graph = RulesCommand.LoadTopology(topologyPath);
        var before = await ReplayCommand.RunInMemoryAsync(graph, eventsPath, oldRules, cancellationToken).ConfigureAwait(false);
        var after = await ReplayCommand.RunInMemoryAsync(graph, eventsPath, newRules, cancellationToken).ConfigureAwait(false);
        var result = BacktestResult.Compare(before.Incidents, after.Incidents, before.Stats.Alerts, after.Stats.Alerts);
        await stdout.WriteAsync(result.Render(Path.GetFileName(oldPath), Path.GetFileName(newPath))).ConfigureAwait(false);
        return CliApp.ExitOk;
    }
}
