using System.Diagnostics;
using ItOpsStream.TestKit.Generators;

namespace ItOpsStream.Bench.Quality;

/// <summary><c>gen-events --events N --out DIR [--seed S]</c>: the large events file for the replay throughput benchmark.</summary>
internal static class GenEventsCommand
{
    public static int Run(string[] args)
    {
        HarnessArgs parsed;
        try
        {
            parsed = HarnessArgs.Parse(args, "--events", "--out", "--seed");
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"gen-events: {ex.Message}");
            return 2;
        }

        int events = parsed.GetInt("--events", 1_000_000);
        string dir = parsed.Get("--out", "gen-events");
        var watch = Stopwatch.StartNew();
        var paths = ThroughputFile.Write(dir, events, parsed.GetInt("--seed", 1));
        Console.WriteLine($"wrote {events} records to {paths.Events} (topology {paths.Topology}) in {watch.Elapsed.TotalSeconds:F1} s");
        return 0;
    }
}
