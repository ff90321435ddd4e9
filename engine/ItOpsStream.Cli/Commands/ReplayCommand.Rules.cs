using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Rules;

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
    private sealed record ReplayExtras(bool Report, string? ReportPath, string? RemediationsPath, TextWriter Stdout);
}
