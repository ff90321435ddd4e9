using System.Diagnostics;
using System.Globalization;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/ItOpsStream.Bench -- topology-scale [CIs] [relations]</c>: builds a
/// generated topology (default 1M CIs, 3M relations) and prints, as Markdown, the build time, the managed
/// memory per CI and per relation, first-call and cached impact costs, and the cost of change batches.
/// One-shot wall-clock figures: BenchmarkDotNet would run each multi-second build dozens of times.
/// </summary>
internal static class TopologyScale
{
    public static int Run(string[] args)
    {
        var ciCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var relationCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3_000_000;
        var output = Console.Out;

        var baseline = Settle();
        var clock = Stopwatch.StartNew();
        var document = LayeredTopologyGenerator.Generate(ciCount, relationCount);
        var generateTime = clock.Elapsed;
        var withDocument = Settle();

        var builds = new List<double>();
        var buildCpu = new List<double>();
        TopologyGraph graph = TopologyGraph.Empty;
        long buildAllocated = 0;
        for (var run = 0; run < 3; run++)
        {
            graph = TopologyGraph.Empty;
            Settle();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var cpuBefore = Environment.CpuUsage.TotalTime;
            clock.Restart();
            graph = TopologyGraph.Build(document);
            builds.Add(clock.Elapsed.TotalMilliseconds);
            buildCpu.Add((Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds);
            buildAllocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        }

        var withBoth = Settle();
        document = null;
        var graphOnly = Settle() - baseline;
        var structure = graph.StructureBytes;

        output.WriteLine($"## Topology scale: {graph.Count:N0} CIs, {graph.RelationCount:N0} relations");
        output.WriteLine();
        output.WriteLine("| figure | value |");
        output.WriteLine("| --- | --- |");
        Row("generate document (bench only)", $"{generateTime.TotalMilliseconds:N0} ms");
        Row("document in memory (records, strings, lists)", $"{(withDocument - baseline) / 1048576.0:N0} MiB");
        Row("Build, 3 runs: wall min / max", $"{builds.Min():N0} / {builds.Max():N0} ms");
        Row("Build, 3 runs: process CPU min (all threads, GC included)", $"{buildCpu.Min():N0} ms");
        Row("Build transient allocation", $"{buildAllocated / 1048576.0:N0} MiB");
        Row("graph + document retained", $"{(withBoth - baseline) / 1048576.0:N0} MiB");
        Row("graph retained alone (records and id strings included)", $"{graphOnly / 1048576.0:N0} MiB");
        Row("graph structure: id table, adjacency, flags (records excluded)", $"{structure / 1048576.0:N0} MiB");
        Row("structure per relation (adjacency both ways + type)", $"{10:N0} B");
        Row("structure per CI (everything else in the structure)", $"{(structure - (10.0 * graph.RelationCount)) / graph.Count:N1} B");
        Row("CI records and id/name strings per CI", $"{(graphOnly - structure) / (double)graph.Count:N1} B");
        Row("whole graph per CI (records included, relations spread)", $"{graphOnly / (double)graph.Count:N1} B");

        MeasureImpact(graph, Row);
        MeasureChanges(graph, Row);
        output.WriteLine();
        GC.KeepAlive(graph);
        return 0;

        void Row(string name, string value) => output.WriteLine($"| {name} | {value} |");
    }

    private static void MeasureImpact(TopologyGraph graph, Action<string, string> row)
    {
        var random = new Random(11);
        var nodes = Enumerable.Range(0, 20_000).Select(_ => random.Next(graph.Count)).ToArray();
        var clock = Stopwatch.StartNew();
        var total = 0;
        foreach (var node in nodes)
        {
            total += graph.ImpactedBusinessServices(node).Count;
        }

        var cold = clock.Elapsed.TotalMicroseconds / nodes.Length;
        clock.Restart();
        foreach (var node in nodes)
        {
            total += graph.ImpactedBusinessServices(node).Count;
        }

        var warm = clock.Elapsed.TotalNanoseconds / nodes.Length;
        row("ImpactedBusinessServices first call, 20k random CIs (mean)", $"{cold:N1} µs");
        row("ImpactedBusinessServices cached (mean)", $"{warm:N0} ns");
        row("mean impacted services per CI", $"{total / 2.0 / nodes.Length:N1}");

        // The worst first call: the platform service with the most dependents, on a graph with an empty cache.
        var fresh = graph.WithChanges([]);
        var hub = Enumerable.Range(0, graph.Count).MaxBy(n => graph.DirectDependents(n).Length);
        clock.Restart();
        var hubImpact = fresh.ImpactedBusinessServices(hub).Count;
        row($"ImpactedBusinessServices first call on the biggest hub ({graph.GetId(hub)}, {graph.DirectDependents(hub).Length} direct dependents, {hubImpact} services), empty cache", $"{clock.Elapsed.TotalMilliseconds:N1} ms");
    }

    private static void MeasureChanges(TopologyGraph graph, Action<string, string> row)
    {
        var random = new Random(13);
        string RandomId() => graph.GetId(random.Next(graph.Count));

        Measure("WithChanges: 100 CI record updates (shares adjacency)", () =>
            [.. Enumerable.Range(0, 100).Select(_ => new TopologyChange(TopologyChangeOp.Upsert, graph.GetCi(random.Next(graph.Count)) with { Owner = "team-new" }, null))]);
        Measure("WithChanges: 100 relation upserts between existing CIs", () =>
            [.. Enumerable.Range(0, 100).Select(_ => new TopologyChange(TopologyChangeOp.Upsert, null, new RelationRecord(RandomId(), RandomId(), "depends_on")))]);
        Measure("WithChanges: 10 new CIs with 2 relations each", () =>
            [.. Enumerable.Range(0, 10).SelectMany(i => NewService($"svc:new-{random.Next()}-{i}"))]);
        Measure("WithChanges: 1 CI delete (ids compacted)", () =>
            [new TopologyChange(TopologyChangeOp.Delete, new CiRecord(RandomId(), "service"), null)]);

        TopologyChange[] NewService(string id) =>
        [
            new(TopologyChangeOp.Upsert, new CiRecord(id, "service"), null),
            new(TopologyChangeOp.Upsert, null, new RelationRecord(id, RandomId(), "runs_on")),
            new(TopologyChangeOp.Upsert, null, new RelationRecord(id, RandomId(), "depends_on")),
        ];

        void Measure(string name, Func<TopologyChange[]> batch)
        {
            var times = new List<double>();
            var cpu = new List<double>();
            long allocated = 0;
            for (var run = 0; run < 5; run++)
            {
                var changes = batch();
                Settle();
                var before = GC.GetTotalAllocatedBytes(precise: true);
                var cpuBefore = Environment.CpuUsage.TotalTime;
                var clock = Stopwatch.StartNew();
                var changed = graph.WithChanges(changes);
                times.Add(clock.Elapsed.TotalMilliseconds);
                cpu.Add((Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds);
                allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                GC.KeepAlive(changed);
            }

            times.Sort();
            cpu.Sort();
            row(name, $"wall median {times[2]:N1} ms (min {times[0]:N1}), CPU median {cpu[2]:N1} ms, {allocated / 1048576.0:N1} MiB allocated");
        }
    }

    private static long Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
