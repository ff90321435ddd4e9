using System.CommandLine;
using ItOpsStream.Cli.Commands;

namespace ItOpsStream.Cli;

/// <summary>
/// Builds the <c>itopsstream</c> command tree and runs it. Exit codes: 0 success, 1 failure while
/// running, 2 bad input (unknown option, missing file, malformed content) with a one-line reason.
/// </summary>
internal static class CliApp
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitBadInput = 2;

    /// <summary>Every top-level command; each lives in its own file under Commands/.</summary>
    private static IEnumerable<Command> TopLevelCommands() =>
    [
        VersionCommand.Create(),
        ReplayCommand.Create(),
        DetectCommand.Create(),
        ModelsCommand.Create(),
        LogsCommand.Create(),
        KafkaMockCommand.Create(),
        RunCommand.Create(),
        DemoCommand.Create(),
        CmdbCommand.Create(),
        RulesCommand.Create(),
        BacktestCommand.Create(),
        ExplainCommand.Create(),
    ];

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("ItOpsStream: a stream-processing AIOps engine. Deduplicates telemetry, detects anomalies, correlates alerts against the CMDB topology and emits incidents.");
        foreach (var command in TopLevelCommands())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, CancellationToken cancellationToken = default)
    {
        var root = BuildRoot();
        var parse = root.Parse(args);
        var config = new InvocationConfiguration
        {
            Output = stdout ?? Console.Out,
            Error = stderr ?? Console.Error,

            // Exceptions reach the catch below: CliInputException must become exit code 2 and one line.
            EnableDefaultExceptionHandler = false,
            // Long-running commands drain, deliver and commit on SIGTERM / Ctrl-C; the default 2 s would cut that short.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
        };
        if (parse.Errors.Count > 0)
        {
            // One line, what and where; the full help is one --help away.
            (stderr ?? Console.Error).WriteLine($"itopsstream: {parse.Errors[0].Message} (see 'itopsstream --help')");
            return ExitBadInput;
        }

        try
        {
            return await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch (CliInputException ex)
        {
            (stderr ?? Console.Error).WriteLine($"itopsstream: {ex.Message}");
            return ExitBadInput;
        }
    }
}

/// <summary>Thrown by a command for bad input; turned into exit code 2 and one line on stderr.</summary>
internal sealed class CliInputException(string message) : Exception(message);
