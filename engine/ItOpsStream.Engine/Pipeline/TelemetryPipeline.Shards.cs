using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Pipeline;

public sealed partial class TelemetryPipeline
{
    /// <summary>
    /// One alert shard: the only writer of its <see cref="AlertStore"/> and of its alert producer.
    /// Events dedup here; metrics and logs go to the producer, and what it raises dedups here too.
    /// After the records of a batch, timers fire up to the batch's watermark. The producer is disposed
    /// (when it is <see cref="IDisposable"/>) when the shard ends.
    /// </summary>
    private async Task ShardAsync(int shard)
    {
        var store = new AlertStore(_options.Alerts);
        var producer = _ports.AlertProducerFactory?.Invoke(shard);
        var fingerprints = new Fingerprints(_options.Alerts.FingerprintLabels);
        var emitted = new List<TelemetryRecord>();
        long alertsBefore = 0, orphansBefore = 0;
        try
        {
            await foreach (var work in _shardIn[shard].Reader.ReadAllAsync().ConfigureAwait(false))
            {
                var output = new List<AlertTransition>(work.IndexCount);
                long unhandled = 0, produced = 0;
                for (int n = 0; n < work.IndexCount; n++)
                {
                    int i = work.Indices[n];
                    ref readonly var record = ref work.Records[i];
                    if (record.Kind == TelemetryKind.Event)
                    {
                        store.Apply(record, work.RouteKeys[i], i, output);
                    }
                    else if (producer is null)
                    {
                        unhandled++;
                    }
                    else
                    {
                        emitted.Clear();
                        producer.OnRecord(record, emitted);
                        produced += ApplyEmitted(store, fingerprints, emitted, i, output);
                    }
                }

                if (producer is not null)
                {
                    emitted.Clear();
                    producer.OnWatermark(work.Watermark, emitted);
                    produced += ApplyEmitted(store, fingerprints, emitted, AlertTransition.TimerIndex - 1, output);
                }

                store.AdvanceTo(work.Watermark, output);
                Interlocked.Add(ref _counters.UnhandledMetricsAndLogs, unhandled);
                Interlocked.Add(ref _counters.ProducedAlerts, produced);
                Interlocked.Add(ref _counters.Alerts, store.Created - alertsBefore);
                Interlocked.Add(ref _counters.OrphanResolves, store.OrphanResolves - orphansBefore);
                alertsBefore = store.Created;
                orphansBefore = store.OrphanResolves;
                await _shardOut[shard].WriteAsync(new ShardOutput(work.Seq, output), CancellationToken.None).ConfigureAwait(false);
            }

            _shardOut[shard].Complete();
        }
        catch (Exception ex)
        {
            FailAll(ex);
            throw;
        }
        finally
        {
            // A producer may hold native resources (ONNX sessions of promoted models); it is this shard's alone.
            (producer as IDisposable)?.Dispose();
        }
    }

    private static int ApplyEmitted(AlertStore store, Fingerprints fingerprints, List<TelemetryRecord> emitted, int sortIndex, List<AlertTransition> output)
    {
        foreach (var alert in emitted)
        {
            if (alert.Kind != TelemetryKind.Event)
            {
                throw new InvalidOperationException($"An alert producer emitted a {alert.Kind} record; producers emit event records only.");
            }

            store.Apply(alert, fingerprints.RouteKey(alert), sortIndex, output);
        }

        return emitted.Count;
    }
}
