using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using ItOpsStream.Connectors.Redis;
using ItOpsStream.Engine.Topology;
using ItOpsStream.TestKit.Redis;
using StackExchange.Redis;

namespace ItOpsStream.Bench.Cmdb;

/// <summary>
/// <c>cmdb-scale [--cis N] [--relations M]</c>: imports a generated CMDB (default 1M CIs, 3M relations)
/// into a real redis-server, then measures what an engine process pays at start (load time, memory
/// per CI and per relation), that the hot path sends Redis nothing (INFO commandstats around 1M and
/// 10M lookups), the change-feed latency at that size, and the single-hash vs per-key load layouts.
/// Prints a Markdown report.
/// </summary>
internal static class CmdbScaleRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        int cis = IntArg(args, "--cis", 1_000_000);
        int relations = IntArg(args, "--relations", 3_000_000);
        var invariant = CultureInfo.InvariantCulture;
        var report = new List<string>
        {
            $"## CMDB at scale: {cis:N0} CIs, {relations:N0} relations",
            string.Empty,
            $"redis-server {RedisVersion()}, .NET {Environment.Version}, {Environment.ProcessorCount} cores, workstation GC, Release; load average at start {LoadAverage()} (wall times stretch with it; CPU times much less)",
            string.Empty,
            "| step | figure |",
            "| --- | --- |",
        };

        await using var server = await RedisServer.StartAsync();
        var options = RedisCmdbOptions.Default with { KeyPrefix = "bench:", CommandTimeout = TimeSpan.FromSeconds(60) };
        var cisOnly = options with { KeyPrefix = "bench-cis:" };

        var (importSeconds, redisBytes) = await ImportAsync(server.Url, options, cis, relations, withRelations: true);
        report.Add(string.Create(invariant, $"| import (generate excluded), pipelined HSET + index | {importSeconds:0.0} s ({(cis + relations) / importSeconds:N0} records/s) |"));
        report.Add(string.Create(invariant, $"| Redis memory of the CMDB keys (MEMORY USAGE) | {redisBytes / 1048576.0:N0} MiB ({redisBytes / (double)(cis + relations):0} B per record, relation index included) |"));
        await ImportAsync(server.Url, cisOnly, cis, 0, withRelations: false);

        await using var store = await RedisTopologyStore.ConnectAsync(server.Url, options);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var loadWatch = Stopwatch.StartNew();
        var snapshot = await store.LoadAsync(default);
        double scanSeconds = loadWatch.Elapsed.TotalSeconds;
        double scanCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        report.Add(string.Create(invariant, $"| LoadAsync: pipelined HGETALL + decode of {snapshot.Document.Cis.Count:N0} CIs and {snapshot.Document.Relations.Count:N0} relations | {scanSeconds:0.00} s wall, {scanCpu:0.00} s CPU of this process |"));
        snapshot = null;

        long peakBefore = Process.GetCurrentProcess().PeakWorkingSet64;
        cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await using var manager = new TopologySnapshotManager(store);
        await manager.StartAsync(default);
        double startSeconds = watch.Elapsed.TotalSeconds;
        double startCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        report.Add(string.Create(invariant, $"| engine start: load + TopologyGraph.Build, first snapshot published | {startSeconds:0.00} s wall, {startCpu:0.00} s CPU of this process |"));
        long full = await RetainedBytesAsync(store);

        await using var ciStore = await RedisTopologyStore.ConnectAsync(server.Url, cisOnly);
        long ciBytes = await RetainedBytesAsync(ciStore);
        double perCi = ciBytes / (double)cis;
        double perRelation = (full - ciBytes) / (double)relations;
        report.Add(string.Create(invariant, $"| managed heap held by the snapshot graph (GC.GetTotalMemory with and without it) | {full / 1048576.0:N0} MiB |"));
        report.Add(string.Create(invariant, $"| memory per CI (graph of the CIs alone / CIs) | {perCi:0} B |"));
        report.Add(string.Create(invariant, $"| memory per relation ((full − CIs alone) / relations) | {perRelation:0} B |"));
        report.Add(string.Create(invariant, $"| process peak working set so far (includes the in-process generator and import) | {Math.Max(peakBefore, Process.GetCurrentProcess().PeakWorkingSet64) / 1048576.0:N0} MiB |"));

        // Hot path: topology lookups as the correlator does them, through the published snapshot only.
        var graph = manager.Graph;
        var random = new Random(7);
        var probe = new string[1_000_000];
        for (int i = 0; i < probe.Length; i++)
        {
            probe[i] = graph.GetId(random.Next(graph.Count));
        }

        await using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},allowAdmin=true");
        var redisServer = admin.GetServer(admin.GetEndPoints()[0]);
        foreach (int rounds in new[] { 1, 10 })
        {
            var before = await CommandCallsAsync(redisServer);
            watch.Restart();
            long sink = 0;
            for (int r = 0; r < rounds; r++)
            {
                foreach (string id in probe)
                {
                    var g = manager.Graph;
                    if (g.TryGetNode(id, out int node))
                    {
                        sink += g.DirectDependencies(node).Length + g.DirectDependents(node).Length;
                    }
                }
            }

            double ns = watch.Elapsed.TotalMilliseconds * 1e6 / (rounds * (double)probe.Length);
            var after = await CommandCallsAsync(redisServer);
            var delta = after.Where(a => a.Value - before.GetValueOrDefault(a.Key) > 0 && a.Key != "info")
                .Select(a => $"{a.Key} {a.Value - before.GetValueOrDefault(a.Key)}").ToList();
            report.Add(string.Create(invariant, $"| Redis commands during {rounds * probe.Length:N0} lookups through the snapshot ({ns:0} ns/lookup, checksum {sink % 997}) | {(delta.Count == 0 ? "none" : string.Join(", ", delta))} — the feed's own background reads (1 XREAD per second of wall time), none per event |"));
        }

        // Change-feed latency at this size: each batch makes a new immutable graph (an O(CIs + relations) copy).
        await using var writer = await RedisTopologyStore.ConnectAsync(server.Url, options);
        var latencies = new List<double>();
        for (int i = 0; i < 20; i++)
        {
            watch.Restart();
            long version = await writer.ApplyAsync([new TopologyChange(TopologyChangeOp.Upsert, null, new RelationRecord($"svc:{i}", $"db:{i}"))], default);
            while (manager.Version < version)
            {
                await Task.Delay(1);
            }

            latencies.Add(watch.Elapsed.TotalMilliseconds);
        }

        latencies.Sort();
        report.Add(string.Create(invariant, $"| change feed: apply in one process → new snapshot swapped in another (20 single changes) | p50 {latencies[10]:0} ms, max {latencies[^1]:0} ms |"));

        report.AddRange(await CompareLayoutsAsync(server, Math.Min(cis, 200_000)));
        foreach (string line in report)
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    /// <summary>
    /// <c>cmdb-load --redis URL [--import CIS RELATIONS]</c>: times a full load and graph build of the
    /// CMDB at URL (optionally importing a generated one first), e.g. to size an engine for your own CMDB.
    /// </summary>
    public static async Task<int> LoadOnlyAsync(string[] args)
    {
        int at = Array.IndexOf(args, "--redis");
        if (at < 0 || at + 1 >= args.Length)
        {
            await Console.Error.WriteLineAsync("usage: cmdb-load --redis URL [--import CIS RELATIONS]");
            return 2;
        }

        string url = args[at + 1];
        int import = Array.IndexOf(args, "--import");
        await using var store = await RedisTopologyStore.ConnectAsync(url);
        if (import >= 0)
        {
            var document = CmdbTopologyGenerator.Generate(int.Parse(args[import + 1], CultureInfo.InvariantCulture), int.Parse(args[import + 2], CultureInfo.InvariantCulture));
            var watch = Stopwatch.StartNew();
            await store.ImportAsync(document, CmdbImportMode.Replace, default);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"import: {watch.Elapsed.TotalSeconds:0.0} s"));
        }

        for (int round = 0; round < 2; round++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var snapshot = await store.LoadAsync(default);
            double load = watch.Elapsed.TotalSeconds;
            var graph = TopologyGraph.Build(snapshot.Document);
            double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load {snapshot.Document.Cis.Count:N0} CIs, {snapshot.Document.Relations.Count:N0} relations: {load:0.00} s, build: {watch.Elapsed.TotalSeconds - load:0.00} s, CPU {cpuSeconds:0.00} s, load average {LoadAverage()}"));
            GC.KeepAlive(graph);
        }

        return 0;
    }

    private static async Task<(double Seconds, long RedisBytes)> ImportAsync(string url, RedisCmdbOptions options, int cis, int relations, bool withRelations)
    {
        var document = CmdbTopologyGenerator.Generate(cis, withRelations ? relations : 0);
        await using var store = await RedisTopologyStore.ConnectAsync(url, options);
        var watch = Stopwatch.StartNew();
        await store.ImportAsync(document, CmdbImportMode.Replace, default);
        double seconds = watch.Elapsed.TotalSeconds;
        return (seconds, (await store.GetStatsAsync()).MemoryBytes + await IndexBytesAsync(url, options));
    }

    /// <summary>The per-CI relation index is many small sets: sampled, then scaled.</summary>
    private static async Task<long> IndexBytesAsync(string url, RedisCmdbOptions options)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(url.Replace("redis://", string.Empty, StringComparison.Ordinal));
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        var db = admin.GetDatabase();
        long keys = 0;
        long sampledBytes = 0;
        int sampled = 0;
        await foreach (var key in server.KeysAsync(pattern: options.KeyPrefix + "idx:*", pageSize: 10_000))
        {
            keys++;
            if (sampled < 2_000)
            {
                sampledBytes += (long)await db.ExecuteAsync("MEMORY", "USAGE", key);
                sampled++;
            }
        }

        return sampled == 0 ? 0 : sampledBytes * keys / sampled;
    }

    /// <summary>Bucket hashes read by pipelined HGETALL (what the store does) vs one hash per CI read by SCAN + pipelined HGETALL.</summary>
    private static async Task<List<string>> CompareLayoutsAsync(RedisServer server, int count)
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port}");
        var db = mux.GetDatabase();
        var redis = mux.GetServer(mux.GetEndPoints()[0]);
        var document = CmdbTopologyGenerator.Generate(count, 0, seed: 3);
        var writes = new List<Task>();
        foreach (var ci in document.Cis)
        {
            var fields = new List<HashEntry> { new("class", ci.Class) };
            if (ci.Name is not null)
            {
                fields.Add(new("name", ci.Name));
            }

            if (ci.Owner is not null)
            {
                fields.Add(new("owner", ci.Owner));
            }

            foreach (var (k, v) in ci.Attributes ?? new Dictionary<string, string>())
            {
                fields.Add(new("a." + k, v));
            }

            writes.Add(db.HashSetAsync($"layout:ci:{ci.Id}", [.. fields]));
        }

        await Task.WhenAll(writes);
        await using (var store = await RedisTopologyStore.ConnectAsync($"redis://127.0.0.1:{server.Port}", RedisCmdbOptions.Default with { KeyPrefix = "layout-hash:" }))
        {
            await store.ImportAsync(document, CmdbImportMode.Replace, default);
        }

        var watch = Stopwatch.StartNew();
        int perKey = 0;
        var batch = new List<Task<HashEntry[]>>(1_000);
        await foreach (var key in redis.KeysAsync(pattern: "layout:ci:*", pageSize: 10_000))
        {
            batch.Add(db.HashGetAllAsync(key));
            if (batch.Count == 1_000)
            {
                perKey += (await Task.WhenAll(batch)).Length;
                batch.Clear();
            }
        }

        perKey += (await Task.WhenAll(batch)).Length;
        double perKeySeconds = watch.Elapsed.TotalSeconds;

        await using var hashStore = await RedisTopologyStore.ConnectAsync($"redis://127.0.0.1:{server.Port}", RedisCmdbOptions.Default with { KeyPrefix = "layout-hash:" });
        watch.Restart();
        var loaded = await hashStore.LoadAsync(default);
        double hashSeconds = watch.Elapsed.TotalSeconds;
        long perKeyBytes = 0;
        int sampled = 0;
        await foreach (var key in redis.KeysAsync(pattern: "layout:ci:*", pageSize: 10_000))
        {
            perKeyBytes += (long)await db.ExecuteAsync("MEMORY", "USAGE", key);
            if (++sampled == 2_000)
            {
                break;
            }
        }

        long hashBytes = (await hashStore.GetStatsAsync()).MemoryBytes;
        return
        [
            string.Create(CultureInfo.InvariantCulture, $"| layout, {count:N0} CIs: 256 bucket hashes, pipelined HGETALL + decode (the store) | {hashSeconds:0.00} s for {loaded.Document.Cis.Count:N0}, {hashBytes / (double)count:0} B/CI in Redis |"),
            string.Create(CultureInfo.InvariantCulture, $"| layout, {count:N0} CIs: one hash per CI, SCAN + pipelined HGETALL (no decode) | {perKeySeconds:0.00} s for {perKey:N0}, {perKeyBytes / (double)sampled:0} B/CI in Redis |"),
        ];
    }

    private static async Task<Dictionary<string, long>> CommandCallsAsync(IServer server)
    {
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in await server.InfoAsync("commandstats"))
        {
            foreach (var (key, value) in group)
            {
                // cmdstat_xread: calls=12,usec=…
                int start = value.IndexOf("calls=", StringComparison.Ordinal) + 6;
                int end = value.IndexOf(',', start);
                calls[key.Replace("cmdstat_", string.Empty, StringComparison.Ordinal)] = long.Parse(value[start..end], CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }

    /// <summary>
    /// Heap held by the graph of a loaded snapshot (what the manager publishes): measured with it and
    /// after it is gone, from synchronous frames so no async state machine keeps a reference alive.
    /// </summary>
    private static async Task<long> RetainedBytesAsync(RedisTopologyStore store)
    {
        var box = new StrongBox<TopologyDocument?>((await store.LoadAsync(default)).Document);
        // Leave the Redis completion callback first: its frames still reference the load's locals.
        await Task.Yield();
        return MeasureGraph(box);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long MeasureGraph(StrongBox<TopologyDocument?> box)
    {
        var graph = BuildAndSettle(box, out long with);
        long without = Settle();
        return graph.IsAlive ? throw new InvalidOperationException("the graph is still referenced: the measure would be wrong") : with - without;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference BuildAndSettle(StrongBox<TopologyDocument?> box, out long with)
    {
        var graph = TopologyGraph.Build(box.Value!);
        box.Value = null;
        with = Settle();
        GC.KeepAlive(graph);
        return new WeakReference(graph);
    }

    private static long Settle()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static string RedisVersion()
    {
        using var process = Process.Start(new ProcessStartInfo("redis-server", "--version") { RedirectStandardOutput = true })!;
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        int v = text.IndexOf("v=", StringComparison.Ordinal);
        return v < 0 ? "?" : text[(v + 2)..].Split(' ')[0];
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
