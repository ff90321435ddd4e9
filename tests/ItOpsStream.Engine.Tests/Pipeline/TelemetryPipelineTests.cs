using System.Text;
using System.Threading.Channels;
using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static ItOpsStream.Engine.Tests.Support.TestRecords;

namespace ItOpsStream.Engine.Tests.Pipeline;

public sealed class TelemetryPipelineTests
{
    /// <summary>A scenario with several faults, repeats, resolves, noise, a change, metrics and unreadable records.</summary>
    private static List<TelemetryRecord?> Scenario()
    {
        var records = new List<TelemetryRecord?>
        {
            Change(-600, "db:orders", "CHG1"),
            Fire(0, "db:orders", "Down"),
            null,
            Fire(20, "svc:checkout", "Errors"),
            Fire(25, "svc:frontend", "Errors"),
            Metric(26, "host:node-1", "cpu", 97),
            Fire(30, "db:warehouse", "Slow", Severity.Minor),
        };
        for (int i = 0; i < 40; i++)
        {
            records.Add(Fire(40 + i, "db:orders", "Down"));
            records.Add(Fire(40 + i, "svc:reports", "Latency", Severity.Warning));
        }

        records.Add(null);
        records.Add(Resolve(200, "db:orders", "Down"));
        records.Add(Resolve(205, "svc:checkout", "Errors"));
        records.Add(Resolve(210, "svc:frontend", "Errors"));
        records.Add(Fire(5000, "cache:redis", "Down"));
        records.Add(Fire(5010, "svc:cart", "Errors"));
        return records;
    }

    private static (TelemetryPipeline Pipeline, MemorySource Source, MemorySink<IncidentRecord> Incidents, MemorySink<DeadLetter> Dead) Create(
        IReadOnlyList<TelemetryRecord?> records, PipelineOptions options, int batchSize = 8, TimeProvider? time = null, Func<int, IAlertProducer>? producers = null)
    {
        var source = new MemorySource(records, batchSize);
        var incidents = new MemorySink<IncidentRecord>();
        var dead = new MemorySink<DeadLetter>();
        var pipeline = new TelemetryPipeline(options, new PipelinePorts
        {
            Source = source,
            DecoderFactory = () => new IndexDecoder(records),
            Topology = TestTopology.Provider,
            Incidents = incidents,
            DeadLetters = dead,
            TimeProvider = time,
            AlertProducerFactory = producers,
        });
        return (pipeline, source, incidents, dead);
    }

    private static string Serialize(IEnumerable<IncidentRecord> records) =>
        string.Join('\n', records.Select(r => Encoding.UTF8.GetString(IncidentJson.ToUtf8(r))));

    [Fact]
    public async Task Output_IsIdentical_WhateverTheWorkerAndShardCounts()
    {
        var records = Scenario();
        string? expected = null;
        foreach (var (workers, shards) in new[] { (1, 1), (3, 2), (4, 5), (2, 8) })
        {
            var (pipeline, _, incidents, _) = Create(records, PipelineOptions.Default with { DecodeWorkers = workers, AlertShards = shards, ChannelCapacity = 2 });
            await pipeline.RunAsync();
            string actual = Serialize(incidents.Flushed);
            expected ??= actual;
            Assert.Equal(expected, actual);
        }

        Assert.Contains("\"action\":\"resolve\"", expected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLetters_AreDeliveredWithPosition_AndProcessingGoesOn()
    {
        var (pipeline, _, incidents, dead) = Create(Scenario(), PipelineOptions.Default);
        var stats = await pipeline.RunAsync();
        Assert.Equal(2, dead.Flushed.Count);
        Assert.Equal(3, dead.Flushed[0].Origin.Offset);
        Assert.Equal("decode", dead.Flushed[0].Stage);
        Assert.Equal("test.unreadable", dead.Flushed[0].ErrorClass);
        Assert.Equal(2, stats.DeadLetters);
        Assert.Equal(Scenario().Count, stats.RecordsRead);
        Assert.NotEmpty(incidents.Flushed);
    }

    [Fact]
    public async Task Checkpoints_CompleteOnce_AfterTheirOutputIsFlushed_InOrder()
    {
        var records = Scenario();
        var (pipeline, source, incidents, _) = Create(records, PipelineOptions.Default with { MaxPendingCheckpoints = 2 });
        int expectedBatches = (records.Count + 7) / 8;
        await pipeline.RunAsync();
        Assert.Equal(expectedBatches, source.Checkpoints.Count);
        Assert.All(source.Checkpoints, c => Assert.Equal(1, c.Completions));
        Assert.True(incidents.Flushes >= 1);
    }

    [Fact]
    public async Task Checkpoint_IsNotCompleted_BeforeItsIncidentsAreFlushed()
    {
        var records = new List<TelemetryRecord?> { Fire(0, "db:orders", "Down") };
        var incidents = new MemorySink<IncidentRecord>();
        int flushedAtCompletion = -1;
        var wrapper = new CheckingSource(new MemorySource(records, 1), c => flushedAtCompletion = incidents.Snapshot().Count);
        var checking = new TelemetryPipeline(PipelineOptions.Default, new PipelinePorts
        {
            Source = wrapper,
            DecoderFactory = () => new IndexDecoder(records),
            Topology = TestTopology.Provider,
            Incidents = incidents,
            DeadLetters = new MemorySink<DeadLetter>(),
        });
        await checking.RunAsync();
        Assert.Equal(1, flushedAtCompletion);
    }

    [Fact]
    public async Task Stats_CountRecordKinds_AndUnhandledMetrics()
    {
        var (pipeline, _, _, _) = Create(Scenario(), PipelineOptions.Default);
        var stats = await pipeline.RunAsync();
        Assert.Equal(1, stats.Changes);
        Assert.Equal(1, stats.Metrics);
        Assert.Equal(1, stats.UnhandledMetricsAndLogs);
        Assert.Equal(7, stats.Alerts);
        Assert.True(stats.IncidentsOpened >= 3);
        Assert.Contains(stats.Channels, c => c.Name == "raw" && c.Written > 0);
    }

    [Fact]
    public async Task AlertProducer_TurnsMetricsIntoAlerts_ThatCorrelate()
    {
        var records = new List<TelemetryRecord?> { Fire(0, "svc:checkout", "Errors"), Metric(5, "host:node-1", "cpu", 99), Metric(6, "host:node-1", "cpu", 20) };
        var (pipeline, _, incidents, _) = Create(records, PipelineOptions.Default with { AlertShards = 3 }, producers: _ => new ThresholdProducer(90));
        var stats = await pipeline.RunAsync();
        Assert.Equal(1, stats.ProducedAlerts);
        Assert.Equal(0, stats.UnhandledMetricsAndLogs);
        var last = incidents.Flushed[^1];
        Assert.Equal(2, last.Alerts.Count);
        Assert.Equal("host:node-1", last.RootCause[0].Ci);
    }

    [Fact]
    public async Task Live_IdleInput_LetsTheWallClockAdvanceTheWatermark()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var channelSource = new ChannelSource();
        var incidents = new MemorySink<IncidentRecord>();
        var records = new List<TelemetryRecord?> { Fire(0, "db:orders", "Down") };
        var options = PipelineOptions.Default with
        {
            IdleAdvanceAfter = TimeSpan.FromSeconds(1),
            AllowedLateness = TimeSpan.Zero,
            Alerts = AlertOptions.Default with { StaleAfter = TimeSpan.FromMinutes(5) },
        };
        var pipeline = new TelemetryPipeline(options, new PipelinePorts
        {
            Source = channelSource,
            DecoderFactory = () => new IndexDecoder(records),
            Topology = TestTopology.Provider,
            Incidents = incidents,
            DeadLetters = new MemorySink<DeadLetter>(),
            TimeProvider = time,
        });
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        await channelSource.SendAsync(0);
        await WaitUntil(() => incidents.Snapshot().Count == 1);

        // No input, wall clock moves 6 minutes in idle steps: the stale alert resolves the incident.
        for (int i = 0; i < 360 && incidents.Snapshot().Count < 2; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }

        await WaitUntil(() => incidents.Snapshot().Count == 2);
        var resolve = incidents.Snapshot()[1];
        Assert.Equal(IncidentAction.Resolve, resolve.Action);
        Assert.Equal(T(300), resolve.ResolvedAt);

        stop.Cancel();
        var stats = await run;
        Assert.Equal(1, stats.RecordsRead);
    }

    [Fact]
    public async Task Cancellation_StopsTheSource_AndDrainsWhatWasRead()
    {
        var channelSource = new ChannelSource();
        var incidents = new MemorySink<IncidentRecord>();
        var records = new List<TelemetryRecord?> { Fire(0, "db:orders", "Down"), Fire(10, "svc:checkout", "Errors") };
        var pipeline = new TelemetryPipeline(PipelineOptions.Default, new PipelinePorts
        {
            Source = channelSource,
            DecoderFactory = () => new IndexDecoder(records),
            Topology = TestTopology.Provider,
            Incidents = incidents,
            DeadLetters = new MemorySink<DeadLetter>(),
        });
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        await channelSource.SendAsync(0);
        await channelSource.SendAsync(1);
        await WaitUntil(() => pipeline.Stats().RecordsRead == 2);
        stop.Cancel();
        var stats = await run;
        Assert.Equal(2, stats.RecordsRead);
        Assert.Equal(2, incidents.Flushed[^1].Alerts.Count);
    }

    [Fact]
    public async Task FailingSink_FailsTheRun_WithItsError()
    {
        var records = Scenario();
        var pipeline = new TelemetryPipeline(PipelineOptions.Default, new PipelinePorts
        {
            Source = new MemorySource(records, 4),
            DecoderFactory = () => new IndexDecoder(records),
            Topology = TestTopology.Provider,
            Incidents = new FailingSink(),
            DeadLetters = new MemorySink<DeadLetter>(),
        });
        var error = await Assert.ThrowsAsync<IOException>(() => pipeline.RunAsync());
        Assert.Equal("disk full", error.Message);
    }

    [Fact]
    public void Options_AreValidated()
    {
        Assert.Throws<ArgumentException>(() => (PipelineOptions.Default with { DecodeWorkers = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => (PipelineOptions.Default with { Alerts = AlertOptions.Default with { FlapThreshold = 1 } }).Validate());
        Assert.Throws<ArgumentException>(() => (PipelineOptions.Default with { Correlation = Engine.Correlation.CorrelationOptions.Default with { MaxHops = 0 } }).Validate());
        Assert.Same(PipelineOptions.Default, PipelineOptions.Default.Validate());
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    /// <summary>A live-like source: batches arrive when the test sends them; runs until cancelled.</summary>
    private sealed class ChannelSource : ITelemetrySource
    {
        private readonly Channel<int> _indices = Channel.CreateUnbounded<int>();

        public ValueTask SendAsync(int index) => _indices.Writer.WriteAsync(index);

        public async Task RunAsync(ChannelWriter<RawBatch> output, CancellationToken cancellationToken)
        {
            await foreach (int index in _indices.Reader.ReadAllAsync(cancellationToken))
            {
                var payload = BitConverter.GetBytes(index);
                await output.WriteAsync(new RawBatch([new RawRecord(payload, RecordOrigin.FileLine("live", index + 1))]), cancellationToken);
            }
        }
    }

    private sealed class CheckingSource(MemorySource inner, Action<IBatchCheckpoint> onComplete) : ITelemetrySource
    {
        public async Task RunAsync(ChannelWriter<RawBatch> output, CancellationToken cancellationToken)
        {
            var relay = Channel.CreateUnbounded<RawBatch>();
            await inner.RunAsync(relay.Writer, cancellationToken);
            relay.Writer.Complete();
            await foreach (var batch in relay.Reader.ReadAllAsync(cancellationToken))
            {
                var checkpoint = (RecordingCheckpoint)batch.Checkpoint!;
                checkpoint.OnComplete = onComplete;
                await output.WriteAsync(batch, cancellationToken);
            }
        }
    }

    private sealed class FailingSink : IRecordSink<IncidentRecord>
    {
        public ValueTask WriteAsync(IReadOnlyList<IncidentRecord> batch, CancellationToken cancellationToken) => throw new IOException("disk full");

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary>Raises an alert when a metric crosses a threshold (one per series while above).</summary>
    private sealed class ThresholdProducer(double threshold) : IAlertProducer
    {
        public void OnRecord(in TelemetryRecord record, List<TelemetryRecord> emitted)
        {
            if (record.Kind == TelemetryKind.Metric && record.Value > threshold)
            {
                emitted.Add(new TelemetryRecord(record.Timestamp, TelemetryKind.Event, record.Ci, Source: "threshold", Check: record.Name + " high", Severity: Severity.Major, DedupKey: $"threshold/{record.Ci}/{record.Name}"));
            }
        }

        public void OnWatermark(long watermark, List<TelemetryRecord> emitted)
        {
        }
    }
}
