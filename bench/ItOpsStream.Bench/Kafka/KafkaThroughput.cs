using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Confluent.Kafka;
using ItOpsStream.Connectors.Kafka.Broker;
using ItOpsStream.Connectors.Kafka.Formats;
using ItOpsStream.Connectors.Kafka.Sinks;
using ItOpsStream.Connectors.Kafka.Source;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Bench.Kafka;

/// <summary>
/// <c>kafka-throughput [--records N] [--partitions P]</c>: Kafka→Kafka throughput through the embedded
/// broker, next to the broker's own ceiling measured in the same run:
/// <list type="number">
/// <item>ceiling: a plain producer and a plain consumer moving the same records through the same broker at once;</item>
/// <item>connector: <c>KafkaTelemetrySource</c> → decode → <c>KafkaRecordSink</c> (every record out again), at least once;</item>
/// <item>engine: <c>KafkaTelemetrySource</c> → the whole <c>TelemetryPipeline</c> (dedup, correlation) → incident and dead-letter sinks, input preloaded, until every offset is committed.</item>
/// </list>
/// </summary>
internal static class KafkaThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        int records = Arg(args, "--records", 120_000);
        int partitions = Arg(args, "--partitions", 6);
        var payloads = Payloads(records);
        double avgBytes = payloads.Average(p => p.Length);
        Console.WriteLine($"kafka-throughput: {records} records of {avgBytes:0} bytes avg, {partitions} partitions, 1 embedded broker, {Environment.ProcessorCount} cores");

        using var cluster = EmbeddedKafkaCluster.Start(1);
        bool engineOnly = args.Contains("--engine-only");
        var ceiling = engineOnly ? double.NaN : await CeilingAsync(cluster, payloads, partitions);
        Console.WriteLine($"ceiling   (producer + consumer, concurrent): {ceiling,10:N0} records/s");
        var connector = engineOnly ? double.NaN : await ConnectorAsync(cluster, payloads, partitions);
        Console.WriteLine($"connector (source → decode → sink):          {connector,10:N0} records/s  ({connector / ceiling:P0} of ceiling)");
        var engine = await EngineAsync(cluster, payloads, partitions);
        Console.WriteLine($"engine    (source → pipeline → sinks):       {engine,10:N0} records/s  ({engine / ceiling:P0} of ceiling)");
        return 0;
    }

    private static async Task<double> CeilingAsync(EmbeddedKafkaCluster cluster, byte[][] payloads, int partitions)
    {
        cluster.CreateTopic("bench.ceiling", partitions);
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = "bench-ceiling",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe("bench.ceiling");
        // Join the group before the clock starts, as the engine runs do.
        while (consumer.Assignment.Count == 0)
        {
            consumer.Consume(TimeSpan.FromMilliseconds(50));
        }

        var clock = Stopwatch.StartNew();
        var producing = Task.Run(() => Produce(cluster.BootstrapServers, "bench.ceiling", payloads));
        int seen = 0;
        while (seen < payloads.Length)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not null)
            {
                seen++;
            }
        }

        clock.Stop();
        await producing;
        consumer.Close();
        return payloads.Length / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> ConnectorAsync(EmbeddedKafkaCluster cluster, byte[][] payloads, int partitions)
    {
        cluster.CreateTopic("bench.in", partitions);
        cluster.CreateTopic("bench.out", partitions);
        Produce(cluster.BootstrapServers, "bench.in", payloads);
        using var source = new KafkaTelemetrySource(SourceOptions(cluster, "bench.in", "bench-connector"));
        var buffer = new ArrayBufferWriter<byte>(512);
        using var sink = new KafkaRecordSink<TelemetryRecord>(
            KafkaSinkOptions.Default with { BootstrapServers = cluster.BootstrapServers, Topic = "bench.out" },
            r => (null, NativeJsonWriter.ToUtf8(r, buffer)));
        var channel = Channel.CreateBounded<RawBatch>(16);
        using var cts = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var run = source.RunAsync(channel.Writer, cts.Token);
        var decoder = new TelemetryMessageDecoder();
        var decoded = new List<TelemetryRecord>(1024);
        var pending = new List<IBatchCheckpoint>();
        long done = 0;
        using var watchdog = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        watchdog.Token.Register(() => Console.WriteLine($"          connector stalled: {source.Metrics.Records} consumed, {source.Metrics.Batches} batches, {source.Metrics.CompletedBatches} completed, paused {source.Metrics.Paused}, assigned {source.Metrics.AssignedPartitions}, lag {source.Metrics.Lag}, {done} handed over, {sink.Delivered} delivered"));
        await foreach (var batch in channel.Reader.ReadAllAsync(watchdog.Token))
        {
            decoded.Clear();
            foreach (var raw in batch.Records)
            {
                decoder.Decode(raw, decoded);
            }

            await sink.WriteAsync(decoded, CancellationToken.None);
            pending.Add(batch.Checkpoint!);
            done += batch.Records.Count;
            // As the pipeline's delivery stage does: one flush covers every batch that is waiting.
            if (channel.Reader.Count == 0 || pending.Count >= 64 || done >= payloads.Length)
            {
                await sink.FlushAsync(CancellationToken.None);
                pending.ForEach(c => c.Complete());
                pending.Clear();
            }

            if (done >= payloads.Length)
            {
                break;
            }
        }

        clock.Stop();
        await cts.CancelAsync();
        await run;
        return sink.Delivered / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> EngineAsync(EmbeddedKafkaCluster cluster, byte[][] payloads, int partitions)
    {
        cluster.CreateTopic("bench.engine.in", partitions);
        cluster.CreateTopic("bench.incidents", 3);
        cluster.CreateTopic("bench.deadletter", 1);
        Produce(cluster.BootstrapServers, "bench.engine.in", payloads);
        var sinkOptions = KafkaSinkOptions.Default with { BootstrapServers = cluster.BootstrapServers };
        using var source = new KafkaTelemetrySource(SourceOptions(cluster, "bench.engine.in", "bench-engine"));
        using var incidents = KafkaSinks.Incidents(sinkOptions with { Topic = "bench.incidents" }, ItOpsStream.Engine.Incidents.IncidentJson.ToUtf8);
        using var deadLetters = KafkaSinks.DeadLetters(sinkOptions with { Topic = "bench.deadletter" });
        var pipeline = new TelemetryPipeline(PipelineOptions.Default, new PipelinePorts
        {
            Source = source,
            DecoderFactory = () => new KafkaRecordDecoder(),
            Topology = new StaticTopology(TopologyGraph.Build(Topology())),
            Incidents = incidents,
            DeadLetters = deadLetters,
        });
        using var cts = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var run = pipeline.RunAsync(cts.Token);
        var report = Stopwatch.StartNew();
        while (source.Metrics.Records < payloads.Length || source.Metrics.CompletedBatches < source.Metrics.Batches)
        {
            if (run.IsCompleted)
            {
                await run;
                throw new InvalidOperationException("the pipeline stopped before reading the input");
            }

            if (report.Elapsed > TimeSpan.FromSeconds(10))
            {
                var m = source.Metrics;
                Console.WriteLine($"          … {m.Records} consumed, {m.Batches} batches, {m.CompletedBatches} completed, paused {m.Paused}, lag {m.Lag}, pipeline read {pipeline.Stats().RecordsRead}");
                report.Restart();
            }

            await Task.Delay(5);
        }

        clock.Stop();
        await cts.CancelAsync();
        var stats = await run;
        Console.WriteLine($"          engine run: {stats.RecordsRead} read, {stats.Alerts} alerts, {stats.IncidentsOpened} incidents, {stats.DeadLetters} dead letters");
        return payloads.Length / clock.Elapsed.TotalSeconds;
    }

    private static KafkaSourceOptions SourceOptions(EmbeddedKafkaCluster cluster, string topic, string group) => KafkaSourceOptions.Default with
    {
        BootstrapServers = cluster.BootstrapServers,
        GroupId = group,
        Topics = new Dictionary<string, string> { [topic] = FormatNames.Auto },
    };

    private static void Produce(string bootstrap, string topic, byte[][] payloads)
    {
        long failed = 0;
        string? firstError = null;
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.All,
            LingerMs = 5,
        }).Build();
        Action<DeliveryReport<byte[]?, byte[]>> onDelivery = report =>
        {
            if (report.Error.IsError && Interlocked.Increment(ref failed) == 1)
            {
                firstError = report.Error.Reason;
            }
        };
        foreach (var payload in payloads)
        {
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<byte[]?, byte[]> { Value = payload }, onDelivery);
                    break;
                }
                catch (ProduceException<byte[]?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        if (producer.Flush(TimeSpan.FromMinutes(2)) > 0 || failed > 0)
        {
            throw new InvalidOperationException($"producing the input to {topic} failed for {failed} records: {firstError}");
        }
    }

    /// <summary>95% metrics, 5% alert events on 200 CIs (10 services with 20 dependencies each), event time rising 10 ms per record.</summary>
    private static byte[][] Payloads(int count)
    {
        var result = new byte[count][];
        long ts = 1795600000000;
        for (int i = 0; i < count; i++)
        {
            int ci = i % 200;
            var id = ci < 10 ? $"svc:s{ci}" : $"db:d{ci}";
            result[i] = Encoding.UTF8.GetBytes(i % 20 == 0
                ? string.Create(CultureInfo.InvariantCulture, $$$"""{"ts":{{{ts + (i * 10L)}}},"kind":"event","source":"bench","ci":"{{{id}}}","check":"Check{{{i % 7}}}","severity":"major","status":"{{{(i % 40 == 0 ? "firing" : "resolved")}}}","dedup_key":"k{{{ci}}}-{{{i % 7}}}","labels":{"env":"prod"}}""")
                : string.Create(CultureInfo.InvariantCulture, $$$"""{"ts":{{{ts + (i * 10L)}}},"kind":"metric","ci":"{{{id}}}","name":"cpu.util","value":{{{i % 100}}}.5,"labels":{"env":"prod","dc":"fra1"}}"""));
        }

        return result;
    }

    private static TopologyDocument Topology()
    {
        var cis = new List<CiRecord> { new("bs:shop", "business_service", Criticality: Criticality.High) };
        var relations = new List<RelationRecord>();
        for (int s = 0; s < 10; s++)
        {
            cis.Add(new CiRecord($"svc:s{s}", "service"));
            relations.Add(new RelationRecord("bs:shop", $"svc:s{s}"));
        }

        for (int d = 10; d < 200; d++)
        {
            cis.Add(new CiRecord($"db:d{d}", "database"));
            relations.Add(new RelationRecord($"svc:s{d % 10}", $"db:d{d}"));
        }

        return new TopologyDocument(cis, relations);
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
    }
}
