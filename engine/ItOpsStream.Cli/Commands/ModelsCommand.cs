using System.CommandLine;

namespace ItOpsStream.Cli.Commands;

/// <summary>
/// <c>itopsstream models …</c>: the data scientist's loop — generate a labelled corpus, evaluate
/// detectors on labelled series, export training data, train, promote.
/// </summary>
internal static partial class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "Evaluate anomaly detectors on labelled series, export training data, train, promote and export models.");
        command.Subcommands.Add(CreateEvaluate());
        command.Subcommands.Add(CreateCorpus());
        command.Subcommands.Add(CreateTrain());
        command.Subcommands.Add(CreatePromote());
        command.Subcommands.Add(CreateExport());
        return command;
    }
}
