using ItOpsStream.Bench.Cmdb;
using ItOpsStream.Bench.Kafka;
using ItOpsStream.Bench.Nab;
using ItOpsStream.Bench.Quality;

namespace ItOpsStream.Bench;

internal static class Program
{
    /// <summary>
    /// <c>ItOpsStream.Bench MODE [args]</c> runs a harness or a one-shot measurement too long for
    /// BenchmarkDotNet's repetitions; anything else goes to BenchmarkDotNet
    /// (<c>--filter *Topology* --job short</c>).
    /// </summary>
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "quality":
                return await QualityHarness.RunAsync(args[1..]).ConfigureAwait(false);
            case "gen-events":
                return GenEventsCommand.Run(args[1..]);
            case "topology-scale":
                return TopologyScale.Run(args[1..]);
            case "cmdb-scale":
                return await CmdbScaleRun.RunAsync(args[1..]).ConfigureAwait(false);
            case "kafka-throughput":
                return await KafkaThroughput.RunAsync(args[1..]).ConfigureAwait(false);
            case "nab-labels":
                return NabLabels.Run(args[1..]);
            case "cmdb-load":
                return await CmdbScaleRun.LoadOnlyAsync(args[1..]).ConfigureAwait(false);
            default:
                BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                return 0;
        }
    }
}
