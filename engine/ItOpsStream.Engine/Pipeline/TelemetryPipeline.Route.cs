using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Pipeline;

public sealed partial class TelemetryPipeline
{
    /// <summary>
    /// The router: takes decoded batches in input order, advances the watermark, splits each batch
    /// by shard (events by fingerprint, metrics and logs by CI) and sends every shard its part
    /// (possibly empty: the shards and the correlator move in lockstep, one message per batch),
    /// and the rest of the batch (changes, dead letters, checkpoint) to the correlator.
    /// </summary>
    private async Task RouteAsync()
    {
        var watermark = new EventTimeWatermark((long)_options.AllowedLateness.TotalMilliseconds);
        var time = _ports.TimeProvider;
        long? idleAfterMs = time is null ? null : (long?)_options.IdleAdvanceAfter?.TotalMilliseconds;
        long lastInput = time?.GetTimestamp() ?? 0;
        long seq = 0;
        try
        {
            var reader = _ordered.Reader;
            Task<bool>? waiting = null;
            while (true)
            {
                if (!reader.TryRead(out var job))
                {
                    waiting ??= reader.WaitToReadAsync().AsTask();
                    if (idleAfterMs is { } idleMs && !waiting.IsCompleted)
                    {
                        // Live: wake up after the idle period to let the wall clock push the watermark.
                        var delay = Task.Delay(TimeSpan.FromMilliseconds(idleMs), time!, CancellationToken.None);
                        if (await Task.WhenAny(waiting, delay).ConfigureAwait(false) != waiting)
                        {
                            long before = watermark.Current;
                            watermark.AdvanceIdle((long)time!.GetElapsedTime(lastInput).TotalMilliseconds);
                            if (watermark.Current > before)
                            {
                                await SendAsync(seq++, watermark.Current, final: false, null, [], null).ConfigureAwait(false);
                            }

                            continue;
                        }
                    }

#pragma warning disable VSTHRD003 // The wait was started by this loop (kept across an idle tick), not by another context.
                    bool more = await waiting.ConfigureAwait(false);
#pragma warning restore VSTHRD003
                    waiting = null;
                    if (!more)
                    {
                        break;
                    }

                    continue;
                }

#pragma warning disable VSTHRD003 // A decode worker completes this promise; awaiting it in input order is the point.
                var batch = await job.Result.Task.ConfigureAwait(false);
#pragma warning restore VSTHRD003
                lastInput = time?.GetTimestamp() ?? 0;
                var changes = new List<TelemetryRecord>();
                var parts = new int[_shardIn.Length][];
                var counts = new int[_shardIn.Length];
                long late = 0, events = 0, metrics = 0, logs = 0;
                for (int i = 0; i < batch.Count; i++)
                {
                    ref readonly var record = ref batch.Records[i];
                    if (watermark.Observe(record.Timestamp))
                    {
                        late++;
                    }

                    switch (record.Kind)
                    {
                        case TelemetryKind.Change:
                            changes.Add(record);
                            continue;
                        case TelemetryKind.Event:
                            events++;
                            break;
                        case TelemetryKind.Metric:
                            metrics++;
                            break;
                        default:
                            logs++;
                            break;
                    }

                    int shard = (int)(batch.RouteKeys[i] % (ulong)_shardIn.Length);
                    var part = parts[shard] ??= new int[Math.Min(batch.Count, 64)];
                    if (counts[shard] == part.Length)
                    {
                        Array.Resize(ref parts[shard], part.Length * 2);
                    }

                    parts[shard][counts[shard]++] = i;
                }

                watermark.Advance();
                Interlocked.Add(ref _counters.LateRecords, late);
                Interlocked.Add(ref _counters.Events, events);
                Interlocked.Add(ref _counters.Metrics, metrics);
                Interlocked.Add(ref _counters.Logs, logs);
                Interlocked.Add(ref _counters.Changes, changes.Count);
                await SendAsync(seq++, watermark.Current, final: false, batch, changes, parts, counts).ConfigureAwait(false);
            }

            // End of input: nothing later can arrive, so every window up to the last event flushes.
            watermark.Flush();
            await SendAsync(seq, watermark.Current, final: true, null, [], null).ConfigureAwait(false);
            foreach (var channel in _shardIn)
            {
                channel.Complete();
            }

            _envelopes.Complete();
        }
        catch (Exception ex)
        {
            FailAll(ex);
            throw;
        }

        async ValueTask SendAsync(long seq, long mark, bool final, DecodedBatch? batch, List<TelemetryRecord> changes, int[][]? parts, int[]? counts = null)
        {
            Interlocked.Exchange(ref _counters.Watermark, mark);
            for (int s = 0; s < _shardIn.Length; s++)
            {
                var work = new ShardWork(seq, batch?.Records ?? [], batch?.RouteKeys ?? [], parts?[s] ?? [], counts?[s] ?? 0, mark);
                await _shardIn[s].WriteAsync(work, CancellationToken.None).ConfigureAwait(false);
            }

            var envelope = new BatchEnvelope(seq, mark, final, changes, batch?.DeadLetters ?? [], batch?.Checkpoint);
            await _envelopes.WriteAsync(envelope, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
