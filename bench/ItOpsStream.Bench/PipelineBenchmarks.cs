using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Bench;

/// <summary>
/// The engine pipeline end to end in process (file source over memory → decode → dedup →
/// correlation → sinks that discard), and the dedup store alone. Input: 100,000 JSON lines on a
/// 400-CI layered topology, 90 % metrics and 10 % alert events (repeats, resolves, cascades down
/// dependency chains). Each reported operation is one record, so records/s = 1e9 / Mean(ns).
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private const int Records = 100_000;

    private byte[] _file = [];
    private TopologyGraph _graph = TopologyGraph.Empty;
    private TelemetryRecord[] _events = [];
    private ulong[] _keys = [];

    [Params(1, 2)]
    public int Workers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        const int services = 400;
        var cis = new List<CiRecord> { new("bs:shop", "business_service", "Shop", Criticality.High, "team-shop") };
        var relations = new List<RelationRecord>();
        for (int i = 0; i < services; i++)
        {
            cis.Add(new CiRecord($"svc:{i}", i % 10 == 0 ? "database" : "service", Owner: $"team-{i % 7}"));
            if (i >= 10)
            {
                relations.Add(new RelationRecord($"svc:{i}", $"svc:{i / 10}"));
            }
        }

        relations.Add(new RelationRecord("bs:shop", "svc:1"));
        _graph = TopologyGraph.Build(new TopologyDocument(cis, relations));

        var random = new Random(7);
        var text = new StringBuilder();
        long ts = 1_795_564_800_000;
        var decoder = new TelemetryDecoder();
        var events = new List<TelemetryRecord>();
        for (int n = 0; n < Records; n++)
        {
            ts += random.Next(0, 200);
            string line;
            if (n % 10 != 0)
            {
                line = string.Create(CultureInfo.InvariantCulture,
                    $$$"""{"ts":{{{ts}}},"kind":"metric","ci":"svc:{{{random.Next(services)}}}","name":"cpu.util","value":{{{random.NextDouble() * 100:F2}}},"labels":{"env":"prod"}}""");
            }
            else
            {
                // A fault every ~2000 records cascades from a root to its dependents; the rest repeats.
                int root = (n / 2000 * 37) % services;
                int ci = random.Next(4) == 0 ? root : Math.Min(services - 1, (root * 10) + random.Next(10));
                string status = random.Next(20) == 0 ? "resolved" : "firing";
                line = string.Create(CultureInfo.InvariantCulture,
                    $$$"""{"ts":{{{ts}}},"kind":"event","source":"prometheus","ci":"svc:{{{ci}}}","check":"HighErrorRate","severity":"critical","status":"{{{status}}}","labels":{"env":"prod"}}""");
            }

            text.Append(line).Append('\n');
            if (decoder.TryDecode(Encoding.UTF8.GetBytes(line), out var record, out _) && record.Kind == TelemetryKind.Event)
            {
                events.Add(record);
            }
        }

        _file = Encoding.UTF8.GetBytes(text.ToString());
        _events = [.. events];
        var fingerprints = new Fingerprints(null);
        _keys = _events.Select(e => fingerprints.RouteKey(e)).ToArray();
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public async Task<long> ReplayAsync()
    {
        using var input = new MemoryStream(_file, writable: false);
        var pipeline = new TelemetryPipeline(PipelineOptions.Default with { DecodeWorkers = Workers, AlertShards = Workers }, new PipelinePorts
        {
            Source = new JsonLinesFileSource(input, "bench.jsonl"),
            DecoderFactory = () => new NativeRecordDecoder(),
            Topology = new StaticTopology(_graph),
            Incidents = new DiscardSink<IncidentRecord>(),
            DeadLetters = new DiscardSink<DeadLetter>(),
        });
        var stats = await pipeline.RunAsync().ConfigureAwait(false);
        return stats.IncidentRecords;
    }

    /// <summary>Dedup alone: the alert events of the same input through one store (per event, not per record).</summary>
    [Benchmark]
    public int Dedup()
    {
        var store = new AlertStore(AlertOptions.Default);
        var output = new List<AlertTransition>(_events.Length);
        for (int i = 0; i < _events.Length; i++)
        {
            store.Apply(_events[i], _keys[i], i, output);
        }

        return output.Count;
    }

    private sealed class DiscardSink<T> : IRecordSink<T>
    {
        public ValueTask WriteAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
