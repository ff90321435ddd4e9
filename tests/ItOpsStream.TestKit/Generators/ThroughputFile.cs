using System.Globalization;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.TestKit.Generators;

/// <summary>
/// Writes a large events file for the replay throughput benchmark: a generated scenario's alerts,
/// changes and logs (about 2-3% alert events, a realistic rate), filled up with metric samples
/// (about three quarters of all records) and access logs, merged in time order.
/// </summary>
public static class ThroughputFile
{
    /// <summary>Writes <c>topology.json</c>, <c>events.jsonl</c> (exactly <paramref name="events"/> records) and <c>truth.json</c>.</summary>
    public static ScenarioPaths Write(string directory, int events, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(events, 1000);
        var options = new ScenarioOptions
        {
            Name = string.Create(CultureInfo.InvariantCulture, $"throughput-{events}-s{seed}"),
            Seed = seed,
            Topology = new TopologyOptions { Shape = TopologyShape.Mesh, Services = 300, Seed = seed },
            Faults = Math.Max(1, events / 2500),
            OverlapProbability = 0.3,
            MetricCis = 0,
        };
        var scenario = FaultScenarioGenerator.Generate(options);
        var core = scenario.Events.Take(events).ToList();
        int filler = events - core.Count;
        var paths = ScenarioPaths.In(directory);
        Directory.CreateDirectory(directory);
        using (var stream = File.Create(paths.Topology))
        {
            ScenarioFiles.WriteTopology(scenario.Topology.Document, stream);
        }

        File.WriteAllText(paths.Truth, scenario.Truth.ToJson() + "\n");
        long start = options.Start.ToUnixTimeMilliseconds();
        long end = Math.Max(start + 60_000, scenario.Truth.End.ToUnixTimeMilliseconds());
        long minutes = Math.Max(1, (end - start) / 60_000);
        // Per minute: a fixed set of series scraped once, plus a share of access logs.
        int perMinute = (int)Math.Ceiling((double)filler / minutes);
        int seriesPerMinute = Math.Max(1, perMinute * 3 / 4);
        var rng = new Random(seed);
        var cis = scenario.Topology.Document.Cis.Where(c => !c.IsBusinessService).Select(c => c.Id).ToArray();
        var services = scenario.Topology.WithRole(CiRole.Service);
        string[] metricNames = ["cpu.util", "mem.util", "http.latency_p99_ms", "http.requests_per_s", "http.error_ratio", "gc.pause_ms"];
        var labels = LabelSet.From([new("env", "prod")]);

        using var file = File.Create(paths.Events);
        using var buffered = new BufferedStream(file, 1 << 16);
        using var lines = new ScenarioFiles.EventLineWriter(buffered);
        int next = 0, written = 0;
        for (long minute = 0; written < events; minute++)
        {
            long tick = start + (minute * 60_000);
            // Scenario events before this minute's samples (they are sorted by WrittenAt).
            while (next < core.Count && core[next].WrittenAt < tick)
            {
                lines.Write(core[next++]);
                written++;
            }

            for (int i = 0; i < perMinute && written + (core.Count - next) < events; i++)
            {
                long ts = tick + (i * 60_000L / perMinute);
                while (next < core.Count && core[next].WrittenAt <= ts)
                {
                    lines.Write(core[next++]);
                    written++;
                }

                TelemetryRecord record = i < seriesPerMinute
                    ? new TelemetryRecord(ts, TelemetryKind.Metric, cis[i % cis.Length], Name: metricNames[i / cis.Length % metricNames.Length], Value: Math.Round(50 + (rng.NextDouble() * 20), 2), Labels: labels)
                    : new TelemetryRecord(ts, TelemetryKind.Log, services[rng.Next(services.Count)], Level: LogLevel.Info, Message: string.Create(CultureInfo.InvariantCulture, $"GET /api/v1/items/{rng.Next(1, 99999)} 200 {rng.Next(3, 90)}ms"));
                lines.Write(new ScenarioEvent(record, record.Kind == TelemetryKind.Metric, ts));
                written++;
            }
        }

        return paths;
    }
}
