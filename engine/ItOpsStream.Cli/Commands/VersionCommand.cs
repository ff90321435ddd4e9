using System.CommandLine;
using System.Reflection;

namespace ItOpsStream.Cli.Commands;

/// <summary><c>itopsstream version</c>: prints the program version.</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the version of itopsstream.");
        command.SetAction(parse =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            parse.InvocationConfiguration.Output.WriteLine($"itopsstream {version}");
            return CliApp.ExitOk;
        });
        return command;
    }
}
