using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Threading.Channels;
using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Detection;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Tests.Support;
using ItOpsStream.Models.Training;
using static ItOpsStream.Engine.Tests.Support.TestRecords;

namespace ItOpsStream.Engine.Tests.Detection;

/// <summary>
/// The running pipeline picks up promoted models without a restart: a real models directory, a
/// real <see cref="ModelsWatcher"/> thread, promotions with <see cref="ModelManifest.Promote"/>
/// between phases of an event-time stream.
/// </summary>
public sealed class ModelHotReloadTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("itops-hot-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task PromotionMidStream_IsUsedWithoutRestart_AndACorruptPromotionKeepsTheOldModel()
    {
        var models = Path.Combine(_dir.FullName, "models");
        var good = CorrelatedHosts.Save(CorrelatedHosts.Train(), Path.Combine(_dir.FullName, "fleet.zip"));
        var corrupt = Path.Combine(_dir.FullName, "corrupt.zip");
        await File.WriteAllBytesAsync(corrupt, [.. (await File.ReadAllBytesAsync(good)).Take(300)]);

        // Three phases of 400 points on host:node-1 (on the topology), each with the same kind of anomaly at its point 300.
        static bool Anomalous(int i) => i % 400 is >= 300 and < 306;
        var records = CorrelatedHosts.Records("host:node-1", 0, 1200, Anomalous).Select(r => (TelemetryRecord?)r).ToList();

        var provider = new ModelsProvider(models);
        Assert.Equal(ModelReloadStatus.Unchanged, provider.TryReload().Status);
        var reports = new ConcurrentQueue<ModelReloadResult>();
        using var watcher = new ModelsWatcher(provider, reports.Enqueue, TimeSpan.FromMilliseconds(20));

        var emitted = new ConcurrentQueue<TelemetryRecord>();
        var incidents = new MemorySink<IncidentRecord>();
        var source = new PhasedSource(records, batchSize: 50, phaseEnds: [800, 1600],
        [
            async () =>
            {
                ModelManifest.Promote(models, good, "fleet", "pca");
                await Eventually.True(() => provider.Current.Version == 1);
            },
            async () =>
            {
                ModelManifest.Promote(models, corrupt, "fleet", "pca");
                await Eventually.True(() => reports.Any(r => r is { Status: ModelReloadStatus.Refused, Version: 2 }));
            },
        ]);
        var pipeline = new TelemetryPipeline(PipelineOptions.Default with { AlertShards = 2 }, new PipelinePorts
        {
            Source = source,
            DecoderFactory = () => new IndexDecoder(records),
            Topology = TestTopology.Provider,
            Incidents = incidents,
            DeadLetters = new MemorySink<DeadLetter>(),
            AlertProducerFactory = _ => new Recording(new ModelAlertProducer(provider), emitted),
        });
        await pipeline.RunAsync();

        var opened = emitted.Where(a => a.Status == AlertStatus.Firing).Select(a => (a.Check, a.Timestamp)).ToList();
        Assert.Equal([("anomaly:model:fleet", T(700 * 60)), ("anomaly:model:fleet", T(1100 * 60))], opened);
        Assert.Equal(1, provider.Current.Version);
        var refused = Assert.Single(reports, r => r.Status == ModelReloadStatus.Refused);
        Assert.Contains("fleet.v2.zip", refused.Error, StringComparison.Ordinal);

        // The model's alerts dedup and correlate like any other: two incidents on the host, none before the promotion.
        var modelIncidents = incidents.Flushed
            .Where(i => i.Action == IncidentAction.Open && i.Alerts.Any(a => a.Check == "anomaly:model:fleet"))
            .ToList();
        Assert.Equal(2, modelIncidents.Count);
        Assert.All(modelIncidents, i => Assert.Equal("host:node-1", i.CmdbCi));
    }

    /// <summary>Hands every emitted alert to the test as well.</summary>
    private sealed class Recording(ModelAlertProducer inner, ConcurrentQueue<TelemetryRecord> sink) : IAlertProducer, IDisposable
    {
        public void OnRecord(in TelemetryRecord record, List<TelemetryRecord> emitted)
        {
            var before = emitted.Count;
            inner.OnRecord(record, emitted);
            Copy(emitted, before);
        }

        public void OnWatermark(long watermark, List<TelemetryRecord> emitted)
        {
            var before = emitted.Count;
            inner.OnWatermark(watermark, emitted);
            Copy(emitted, before);
        }

        public void Dispose() => inner.Dispose();

        private void Copy(List<TelemetryRecord> emitted, int from)
        {
            for (var i = from; i < emitted.Count; i++)
            {
                sink.Enqueue(emitted[i]);
            }
        }
    }

    /// <summary>
    /// A source in phases: after each phase it waits until the pipeline delivered all of it (its last
    /// checkpoint completed), then runs that phase's gate (promote, wait for the watcher) before going on.
    /// </summary>
    private sealed class PhasedSource(IReadOnlyList<TelemetryRecord?> records, int batchSize, int[] phaseEnds, Func<Task>[] gates) : ITelemetrySource
    {
        public async Task RunAsync(ChannelWriter<RawBatch> output, CancellationToken cancellationToken)
        {
            var start = 0;
            for (var phase = 0; phase <= phaseEnds.Length; phase++)
            {
                var end = phase < phaseEnds.Length ? phaseEnds[phase] : records.Count;
                var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                for (; start < end; start += batchSize)
                {
                    var raws = new List<RawRecord>();
                    for (var i = start; i < Math.Min(end, start + batchSize); i++)
                    {
                        var payload = new byte[4];
                        BinaryPrimitives.WriteInt32LittleEndian(payload, i);
                        raws.Add(new RawRecord(payload, RecordOrigin.FileLine("memory", i + 1)));
                    }

                    var checkpoint = new RecordingCheckpoint(start);
                    if (start + batchSize >= end)
                    {
                        checkpoint.OnComplete = _ => delivered.TrySetResult();
                    }

                    await output.WriteAsync(new RawBatch(raws, checkpoint), cancellationToken);
                }

                if (phase < gates.Length)
                {
                    await delivered.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
                    await gates[phase]();
                }
            }
        }
    }
}
