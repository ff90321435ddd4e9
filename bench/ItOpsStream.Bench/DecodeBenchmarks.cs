using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Bench;

/// <summary>
/// Telemetry decoding on one core: a realistic mixed batch of 10,000 JSON lines (metrics, logs,
/// events, changes; RFC 3339 and epoch timestamps; repeating CIs and labels; unique log messages)
/// decoded per invocation. Each reported operation is one record, so records/s = 1e9 / Mean(ns).
/// The tokenizer-only baseline is the floor any Utf8JsonReader-based decoder stands on.
/// </summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private const int Lines = 10_000;

    private readonly TelemetryDecoder _decoder = new();
    private readonly TelemetryRecord[] _records = new TelemetryRecord[Lines];
    private byte[][] _lines = [];

    [GlobalSetup]
    public void Setup()
    {
        _lines = MixedBatch(Lines, seed: 42);

        // Steady state: the decoder's string and label-set caches have seen the batch once. Every line
        // must decode, or the benchmark would time the error path.
        int decoded = Decode();
        if (decoded != Lines)
        {
            throw new InvalidOperationException($"only {decoded} of {Lines} benchmark lines decode");
        }
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public int Decode()
    {
        int ok = 0;
        var lines = _lines;
        for (int i = 0; i < lines.Length; i++)
        {
            if (_decoder.TryDecode(lines[i], out _records[i], out _))
            {
                ok++;
            }
        }

        return ok;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Lines)]
    public int TokenizeOnly()
    {
        int tokens = 0;
        foreach (var line in _lines)
        {
            var reader = new Utf8JsonReader(line);
            while (reader.Read())
            {
                tokens++;
            }
        }

        return tokens;
    }

    /// <summary>~50% metrics, 25% logs, 20% events, 5% changes over 500 CIs, one per line.</summary>
    internal static byte[][] MixedBatch(int count, int seed)
    {
        var random = new Random(seed);
        string[] metrics = ["cpu.util", "mem.used_bytes", "disk.io_wait", "http.requests", "http.latency_p99", "jvm.gc_pause"];
        string[] levels = ["info", "warn", "error", "debug", "INFO", "ERROR"];
        string[] checks = ["HighErrorRate", "HostDown", "DiskFull", "LatencyHigh", "PodCrashLooping"];
        string[] severities = ["critical", "major", "minor", "warning", "info"];
        string[] envs = ["prod", "staging"];
        string[] templates =
        [
            "connection refused to paymentservice:{0}",
            "GET /api/v1/orders/{0} returned 500 in {1} ms",
            "user {0} logged in from 10.0.{1}.7",
            "GC pause {1} ms, heap {0} MB",
            "Zahlung {0} fehlgeschlagen – Grund: Zeitüberschreitung nach {1} ms",
        ];

        var lines = new byte[count][];
        long ts = 1_795_609_876_000;
        for (int i = 0; i < count; i++)
        {
            ts += random.Next(0, 50);
            string ci = random.Next(4) switch
            {
                0 => $"host:node-{random.Next(100)}",
                1 => $"svc:service-{random.Next(200)}",
                2 => $"db:cluster-{random.Next(50)}",
                _ => $"pod:checkout-{random.Next(150)}",
            };
            string time = random.Next(2) == 0
                ? ts.ToString(CultureInfo.InvariantCulture)
                : "\"" + DateTimeOffset.FromUnixTimeMilliseconds(ts).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + "\"";
            int roll = random.Next(100);
            string json = roll switch
            {
                < 50 => $$$"""{"ts":{{{time}}},"kind":"metric","ci":"{{{ci}}}","name":"{{{metrics[random.Next(metrics.Length)]}}}","value":{{{(random.NextDouble() * 100).ToString("0.###", CultureInfo.InvariantCulture)}}},"labels":{"env":"{{{envs[random.Next(2)]}}}","region":"eu-west-1"{{{(random.Next(3) == 0 ? ",\"shard\":" + random.Next(8) : "")}}}}}""",
                < 75 => $$"""{"ts":{{time}},"kind":"log","ci":"{{ci}}","level":"{{levels[random.Next(levels.Length)]}}","message":"{{string.Format(CultureInfo.InvariantCulture, templates[random.Next(templates.Length)], random.Next(100_000), random.Next(1000))}}"}""",
                < 95 => $$$"""{"ts":{{{time}}},"kind":"event","source":"prometheus","ci":"{{{ci}}}","check":"{{{checks[random.Next(checks.Length)]}}}","severity":"{{{severities[random.Next(severities.Length)]}}}","status":"{{{(random.Next(5) == 0 ? "resolved" : "firing")}}}","dedup_key":"prom-{{{ci}}}-{{{random.Next(20)}}}","message":"{{{checks[random.Next(checks.Length)]}}} on {{{ci}}}: value {{{random.Next(100)}}}%","labels":{"env":"prod","team":"team-{{{random.Next(10)}}}","alertname":"{{{checks[random.Next(checks.Length)]}}}"}}""",
                _ => $$"""{"ts":{{time}},"kind":"change","ci":"{{ci}}","change_id":"CHG{{random.Next(100_000):D6}}","description":"deploy {{ci}} v1.{{random.Next(20)}}.{{random.Next(10)}}"}""",
            };
            lines[i] = Encoding.UTF8.GetBytes(json);
        }

        return lines;
    }
}
