namespace ItOpsStream.Bench;

internal static class Program
{
    public static int Main(string[] args)
    {
        // Plain-program modes first (one-shot measurements too long for BenchmarkDotNet's repetitions).
        if (args.Length > 0 && args[0] == "topology-scale")
        {
            return TopologyScale.Run(args[1..]);
        }

        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
