using System.CommandLine;
using System.Text;
using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Rules;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Cli.Commands;

/// <summary>
/// <c>itopsstream rules check R.yaml [--sample E.jsonl] [--topology T.json] [--strict]</c>: validates a
/// rules file (exit 2 with <c>file:line:column: what</c> when invalid) and lints it: shadowed and
/// unreachable rules, regexes that can never match, labels no sample alert has, matchers that match
/// no sample alert. Exit 0 when valid, 1 with <c>--strict</c> when there are findings.
/// </summary>
internal static class RulesCommand
{
    /// <summary>Sample events read for linting; a sample is a sample.</summary>
    private const int MaxSampleEvents = 200_000;

    public static Command Create()
    {
        var command = new Command("rules", "SRE rules files: validate and lint.");
        command.Subcommands.Add(Check());
        return command;
    }

    private static Command Check()
    {
        var file = new Argument<string>("rules") { Description = "The rules file (YAML, docs/RULES.md)." };
        var sample = new Option<string?>("--sample") { Description = "Telemetry JSON Lines to test matchers against (events only)." };
        var topology = new Option<string?>("--topology") { Description = "Topology file: resolves ci_* matchers and subtrees." };
        var strict = new Option<bool>("--strict") { Description = "Exit 1 when there are lint findings." };
        var command = new Command("check", "Validate a rules file and lint it (shadowed or unreachable rules, matchers that match nothing).")
        {
            file, sample, topology, strict,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(file), parse.GetValue(sample), parse.GetValue(topology), parse.GetValue(strict), parse.InvocationConfiguration.Output));
        return command;
    }

    private static int Run(string path, string? samplePath, string? topologyPath, bool strict, TextWriter stdout)
    {
        var rules = ReplayCommand.LoadRules(path);
        TopologyGraph? graph = null;
        if (topologyPath is not null)
        {
            graph = LoadTopology(topologyPath);
        }

        var sample = samplePath is null ? null : ReadSample(samplePath);
        var findings = RulesLinter.Lint(rules, sample, graph);
        foreach (var finding in findings)
        {
            stdout.WriteLine(finding.ToString());
        }

        stdout.WriteLine($"{Path.GetFileName(path)}: valid, {rules.Suppressions.Count} suppress, {rules.Inhibitions.Count} inhibit, {rules.Groupings.Count} grouping, {rules.Remediations.Count} remediation rules; {findings.Count} finding{(findings.Count == 1 ? "" : "s")}{(sample is null ? "" : $" ({sample.Count} sample alerts)")}");
        return strict && findings.Count > 0 ? CliApp.ExitFailure : CliApp.ExitOk;
    }

    internal static TopologyGraph LoadTopology(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliInputException($"topology file not found: {path}");
        }

        try
        {
            return TopologyGraph.Build(TopologyFile.Load(path));
        }
        catch (TopologyFormatException ex)
        {
            throw new CliInputException(ex.Message);
        }
    }

    /// <summary>The events of a telemetry file as alert snapshots; unreadable lines are skipped (they are not rules' business).</summary>
    private static List<AlertSnapshot> ReadSample(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliInputException($"sample file not found: {path}");
        }

        var decoder = new NativeRecordDecoder();
        var result = new List<AlertSnapshot>();
        long line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }

            var raw = new RawRecord(Encoding.UTF8.GetBytes(text), new RecordOrigin(path, -1, line));
            if (decoder.TryDecode(raw, out var record, out _, out _) && record.Kind == TelemetryKind.Event)
            {
                result.Add(new AlertSnapshot(record.DedupKey ?? string.Empty, record.Source, record.Ci, record.Check, record.Severity, record.Status, false, record.Timestamp, record.Timestamp, 1, record.Timestamp, record.Message, record.Labels));
                if (result.Count >= MaxSampleEvents)
                {
                    break;
                }
            }
        }

        return result;
    }
}
