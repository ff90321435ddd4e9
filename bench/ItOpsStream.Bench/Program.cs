using ItOpsStream.Bench.Quality;

namespace ItOpsStream.Bench;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // Plain-program modes first (harnesses and one-shot measurements too long for BenchmarkDotNet's
        // repetitions); everything else is BenchmarkDotNet's own command line.
        switch (args.Length > 0 ? args[0] : string.Empty)
        {
            case "quality":
                return await QualityHarness.RunAsync(args[1..]).ConfigureAwait(false);
            case "gen-events":
                return GenEventsCommand.Run(args[1..]);
            case "topology-scale":
                return TopologyScale.Run(args[1..]);
            default:
                BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                return 0;
        }
    }
}
