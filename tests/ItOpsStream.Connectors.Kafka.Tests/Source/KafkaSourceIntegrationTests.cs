using System.Text;
using System.Threading.Channels;
using ItOpsStream.Connectors.Kafka.Formats;
using ItOpsStream.Connectors.Kafka.Sinks;
using ItOpsStream.Connectors.Kafka.Source;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.TestKit.Kafka;
using Xunit.Abstractions;
using static ItOpsStream.Connectors.Kafka.Tests.Source.KafkaTestClients;

namespace ItOpsStream.Connectors.Kafka.Tests.Source;

[CollectionDefinition(Name)]
public sealed class EmbeddedKafkaCollection : ICollectionFixture<EmbeddedKafkaFixture>
{
    public const string Name = "embedded kafka";
}

[Collection(EmbeddedKafkaCollection.Name)]
public sealed class KafkaSourceIntegrationTests(EmbeddedKafkaFixture kafka, ITestOutputHelper log)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private KafkaSourceOptions SourceOptions(string topic, string group, int maxBatch = 100) => KafkaSourceOptions.Default with
    {
        BootstrapServers = kafka.BootstrapServers,
        GroupId = group,
        Topics = new Dictionary<string, string> { [topic] = FormatNames.Auto },
        MaxBatchSize = maxBatch,
        CommitInterval = TimeSpan.FromMilliseconds(200),
        ClientProperties = new Dictionary<string, string> { ["session.timeout.ms"] = "6000", ["heartbeat.interval.ms"] = "500" },
    };

    private KafkaSinkOptions SinkOptions(string topic) => KafkaSinkOptions.Default with { BootstrapServers = kafka.BootstrapServers, Topic = topic };

    [Fact]
    public async Task ProducedTelemetry_FlowsThroughSourceAndSink_AndOffsetsAreCommitted()
    {
        var input = kafka.NewTopic("in", 3);
        var output = kafka.NewTopic("out", 3);
        var dlq = kafka.NewTopic("dlq", 1);
        var group = kafka.UniqueName("g");
        await ProduceAsync(kafka.BootstrapServers, input, Enumerable.Range(0, 600).Select(i => Native(i, $"svc:{i % 5}")), v => v[^8..]);

        using var records = new KafkaRecordSink<TelemetryRecord>(SinkOptions(output), PassThroughPipeline.Serializer);
        using var dead = KafkaSinks.DeadLetters(SinkOptions(dlq));
        using var source = new KafkaTelemetrySource(SourceOptions(input, group));
        var channel = Channel.CreateBounded<RawBatch>(8);
        using var cts = new CancellationTokenSource();
        var sourceTask = source.RunAsync(channel.Writer, cts.Token);
        var pipelineTask = new PassThroughPipeline(records, dead).RunAsync(channel.Reader, cts.Token);

        Assert.True(await EventuallyAsync(() => records.Delivered == 600, Patience), $"delivered {records.Delivered}");
        Assert.True(await EventuallyAsync(() => source.Metrics.CompletedBatches == source.Metrics.Batches, Patience));
        await cts.CancelAsync();
        await sourceTask;
        await StoppedByCancellationAsync(pipelineTask);

        var outputs = ReadAll(kafka.BootstrapServers, output, 600, Patience);
        Assert.Equal(Enumerable.Range(0, 600).Select(i => $"id-{i}").Order(), outputs.Select(r => Text(r.Message.Value)).Order());
        Assert.Equal(600, CommittedTotal(kafka.BootstrapServers, group, input, 3));
        Assert.True(source.Metrics.Batches >= 3, "one batch never mixes partitions");
    }

    [Fact]
    public async Task PoisonRecord_LandsInDeadLetterTopicWithHeaders_AndPartitionKeepsMoving()
    {
        var input = kafka.NewTopic("in", 1);
        var output = kafka.NewTopic("out", 1);
        var dlq = kafka.NewTopic("dlq", 1);
        var group = kafka.UniqueName("g");
        const string poison = """{"ts":"yesterday","kind":"event"}""";
        await ProduceAsync(kafka.BootstrapServers, input, [Native(1), poison, "not json", Native(2)]);

        using var records = new KafkaRecordSink<TelemetryRecord>(SinkOptions(output), PassThroughPipeline.Serializer);
        using var dead = KafkaSinks.DeadLetters(SinkOptions(dlq));
        using var source = new KafkaTelemetrySource(SourceOptions(input, group));
        var channel = Channel.CreateBounded<RawBatch>(8);
        using var cts = new CancellationTokenSource();
        var sourceTask = source.RunAsync(channel.Writer, cts.Token);
        var pipelineTask = new PassThroughPipeline(records, dead).RunAsync(channel.Reader, cts.Token);

        Assert.True(await EventuallyAsync(() => records.Delivered == 2 && dead.Delivered == 2, Patience));
        Assert.True(await EventuallyAsync(() => source.Metrics.CompletedBatches == source.Metrics.Batches, Patience));
        await cts.CancelAsync();
        await sourceTask;
        await StoppedByCancellationAsync(pipelineTask);

        var letters = ReadAll(kafka.BootstrapServers, dlq, 2, Patience);
        Assert.Equal(2, letters.Count);
        var first = letters[0];
        Assert.Equal(poison, Text(first.Message.Value));
        string Header(string name) => Encoding.UTF8.GetString(first.Message.Headers.GetLastBytes(name));
        Assert.Equal(input, Header(KafkaSinks.DeadLetterHeaders.Topic));
        Assert.Equal("0", Header(KafkaSinks.DeadLetterHeaders.Partition));
        Assert.Equal("1", Header(KafkaSinks.DeadLetterHeaders.Offset));
        Assert.Equal("decode", Header(KafkaSinks.DeadLetterHeaders.Stage));
        Assert.Equal("timestamp.invalid", Header(KafkaSinks.DeadLetterHeaders.ExceptionClass));
        Assert.Contains("ts", Header(KafkaSinks.DeadLetterHeaders.ExceptionMessage), StringComparison.Ordinal);
        Assert.Equal("json.syntax", Encoding.UTF8.GetString(letters[1].Message.Headers.GetLastBytes(KafkaSinks.DeadLetterHeaders.ExceptionClass)));
        Assert.Equal(4, CommittedTotal(kafka.BootstrapServers, group, input, 1));
    }

    [Fact]
    public async Task FullPipeline_PausesPartitions_AndResumesWhenItDrains()
    {
        var input = kafka.NewTopic("in", 2);
        var group = kafka.UniqueName("g");
        await ProduceAsync(kafka.BootstrapServers, input, Enumerable.Range(0, 400).Select(i => Native(i)), v => v[^8..]);

        using var source = new KafkaTelemetrySource(SourceOptions(input, group, maxBatch: 10));
        var channel = Channel.CreateBounded<RawBatch>(2);
        using var cts = new CancellationTokenSource();
        var sourceTask = source.RunAsync(channel.Writer, cts.Token);

        // Nobody reads: the channel fills and the source must pause rather than block or buffer everything.
        Assert.True(await EventuallyAsync(() => source.Metrics.Paused, Patience), "source never paused");
        await Task.Delay(500);
        Assert.True(source.Metrics.Paused);
        Assert.True(source.Metrics.Records < 400, $"paused source still consumed everything ({source.Metrics.Records})");

        var seen = new HashSet<long>();
        var reader = Task.Run(async () =>
        {
            await foreach (var batch in channel.Reader.ReadAllAsync(cts.Token))
            {
                foreach (var r in batch.Records)
                {
                    seen.Add((r.Origin.Partition * 1_000_000L) + r.Origin.Offset);
                }

                batch.Checkpoint?.Complete();
                if (seen.Count == 400)
                {
                    return;
                }
            }
        });

        await reader.WaitAsync(Patience);
        Assert.Equal(400, seen.Count);
        Assert.True(await EventuallyAsync(() => !source.Metrics.Paused, Patience), "source never resumed");
        Assert.True(source.Metrics.Pauses >= 1);
        await cts.CancelAsync();
        await sourceTask;
        Assert.Equal(400, CommittedTotal(kafka.BootstrapServers, group, input, 2));
    }

    [Fact]
    public async Task UncompletedBatches_AreNotCommitted_AndAreReadAgainByTheNextConsumer()
    {
        var input = kafka.NewTopic("in", 1);
        var group = kafka.UniqueName("g");
        await ProduceAsync(kafka.BootstrapServers, input, Enumerable.Range(0, 50).Select(i => Native(i)));

        var firstRun = await ConsumeAsync(input, group, complete: b => b.Records[0].Origin.Offset < 20, until: 50);
        Assert.Equal(50, firstRun);
        Assert.Equal(20, CommittedTotal(kafka.BootstrapServers, group, input, 1));

        var secondRun = await ConsumeAsync(input, group, complete: _ => true, until: 30);
        Assert.Equal(30, secondRun);
        Assert.Equal(50, CommittedTotal(kafka.BootstrapServers, group, input, 1));
    }

    [Fact]
    public async Task TwoSourcesInOneGroup_SplitPartitions_AndNothingIsLostAcrossTheRebalance()
    {
        var input = kafka.NewTopic("in", 6);
        var output = kafka.NewTopic("out", 6);
        var dlq = kafka.NewTopic("dlq", 1);
        var group = kafka.UniqueName("g");
        const int total = 3000;
        using var records = new KafkaRecordSink<TelemetryRecord>(SinkOptions(output), PassThroughPipeline.Serializer);
        using var dead = KafkaSinks.DeadLetters(SinkOptions(dlq));
        using var cts = new CancellationTokenSource();

        using var a = new KafkaTelemetrySource(SourceOptions(input, group, maxBatch: 20), new TestOutputLogger<KafkaTelemetrySource>(log, "a"));
        var channelA = Channel.CreateBounded<RawBatch>(4);
        var runA = a.RunAsync(channelA.Writer, cts.Token);
        var pipeA = new PassThroughPipeline(records, dead).RunAsync(channelA.Reader, cts.Token);
        log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} start");
        var producing = ProduceAsync(kafka.BootstrapServers, input, Enumerable.Range(0, total / 2).Select(i => Native(i)), v => v[^8..]);
        Assert.True(await EventuallyAsync(() => a.Metrics.AssignedPartitions == 6, Patience));
        await producing;

        using var b = new KafkaTelemetrySource(SourceOptions(input, group, maxBatch: 20), new TestOutputLogger<KafkaTelemetrySource>(log, "b"));
        var channelB = Channel.CreateBounded<RawBatch>(4);
        var runB = b.RunAsync(channelB.Writer, cts.Token);
        var pipeB = new PassThroughPipeline(records, dead).RunAsync(channelB.Reader, cts.Token);
        await ProduceAsync(kafka.BootstrapServers, input, Enumerable.Range(total / 2, total / 2).Select(i => Native(i)), v => v[^8..]);

        log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} second half produced");
        Assert.True(await EventuallyAsync(() => a.Metrics.AssignedPartitions > 0 && b.Metrics.AssignedPartitions > 0 && a.Metrics.AssignedPartitions + b.Metrics.AssignedPartitions == 6, Patience),
            $"assignment a={a.Metrics.AssignedPartitions} b={b.Metrics.AssignedPartitions}");
        log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} split");
        Assert.True(await EventuallyAsync(() => CommittedTotal(kafka.BootstrapServers, group, input, 6) == total, Patience),
            $"committed {CommittedTotal(kafka.BootstrapServers, group, input, 6)} of {total}");
        Assert.True(b.Metrics.Records > 0, "the second member never consumed");
        log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} committed");

        await cts.CancelAsync();
        await Task.WhenAll(runA, runB);
        await StoppedByCancellationAsync(Task.WhenAll(pipeA, pipeB));

        log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} stopped");
        var delivered = ReadAll(kafka.BootstrapServers, output, int.MaxValue, TimeSpan.FromSeconds(5)).Select(r => Text(r.Message.Value)).ToHashSet();
        var missing = Enumerable.Range(0, total).Select(i => $"id-{i}").Where(id => !delivered.Contains(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} records lost, e.g. {string.Join(",", missing.Take(5))}");
    }

    [Fact]
    public void Options_UnknownFormat_IsRejectedWithTheTopicName()
    {
        var options = KafkaSourceOptions.Default with { Topics = new Dictionary<string, string> { ["itops.logs"] = "syslog" } };

        var ex = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("itops.logs", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_OverridingOffsetStore_IsRejected()
    {
        var options = KafkaSourceOptions.Default with { ClientProperties = new Dictionary<string, string> { ["enable.auto.offset.store"] = "true" } };
        Assert.Throws<ArgumentException>(options.Validate);
    }

    private static async Task StoppedByCancellationAsync(Task pipeline)
    {
        try
        {
#pragma warning disable VSTHRD003 // The test started this task itself; there is no synchronization context to deadlock on.
            await pipeline;
#pragma warning restore VSTHRD003
            Assert.Fail("the pipeline ended before it was cancelled");
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<int> ConsumeAsync(string topic, string group, Func<RawBatch, bool> complete, int until)
    {
        using var source = new KafkaTelemetrySource(SourceOptions(topic, group, maxBatch: 10) with { ShutdownDrainTimeout = TimeSpan.FromMilliseconds(200) });
        var channel = Channel.CreateBounded<RawBatch>(16);
        using var cts = new CancellationTokenSource();
        var run = source.RunAsync(channel.Writer, cts.Token);
        int seen = 0;
        await foreach (var batch in channel.Reader.ReadAllAsync().WithCancellation(new CancellationTokenSource(Patience).Token))
        {
            seen += batch.Records.Count;
            if (complete(batch))
            {
                batch.Checkpoint?.Complete();
            }

            if (seen >= until)
            {
                break;
            }
        }

        await cts.CancelAsync();
        await run;
        return seen;
    }
}
