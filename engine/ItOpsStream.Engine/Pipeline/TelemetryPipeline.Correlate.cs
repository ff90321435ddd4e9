using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Incidents;

namespace ItOpsStream.Engine.Pipeline;

public sealed partial class TelemetryPipeline
{
    /// <summary>
    /// The correlation stage, a single writer of all incident state. For each batch it reads the
    /// router's envelope and one output per shard, merges the shards' alert changes back into input
    /// order, feeds them to the <see cref="Correlator"/>, then advances it to the batch's watermark:
    /// incident records are emitted once per batch and incident (coalesced), not once per alert.
    /// </summary>
    private async Task CorrelateAsync(Correlator correlator)
    {
        var merged = new List<(AlertTransition Transition, int Ordinal)>();
        try
        {
            await foreach (var envelope in _envelopes.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                merged.Clear();
                foreach (var channel in _shardOut)
                {
                    var output = await channel.Reader.ReadAsync().ConfigureAwait(false);
                    if (output.Seq != envelope.Seq)
                    {
                        throw new InvalidOperationException($"Shard output {output.Seq} does not match batch {envelope.Seq}.");
                    }

                    foreach (var transition in output.Transitions)
                    {
                        merged.Add((transition, merged.Count));
                    }
                }

                // Stable: equal keys only occur for one fingerprint, which lives in one shard.
                merged.Sort(static (a, b) =>
                {
                    int c = AlertTransition.Compare(a.Transition, b.Transition);
                    return c != 0 ? c : a.Ordinal.CompareTo(b.Ordinal);
                });
                foreach (var change in envelope.Changes)
                {
                    correlator.OnChange(change);
                }

                foreach (var (transition, _) in merged)
                {
                    correlator.OnAlert(transition);
                }

                var incidents = new List<IncidentRecord>();
                correlator.AdvanceTo(envelope.Watermark, envelope.Final, incidents);
                var stats = correlator.Stats;
                Interlocked.Exchange(ref _counters.IncidentsOpened, stats.Opened);
                Interlocked.Exchange(ref _counters.Merges, stats.Merged);
                Interlocked.Exchange(ref _counters.SuppressedAlerts, stats.Suppressed);
                Interlocked.Exchange(ref _counters.InhibitedAlerts, stats.Inhibited);
                Interlocked.Add(ref _counters.IncidentRecords, incidents.Count);
                await _output.WriteAsync(new OutputBatch(incidents, envelope.DeadLetters, envelope.Checkpoint), CancellationToken.None).ConfigureAwait(false);
            }

            _output.Complete();
        }
        catch (Exception ex)
        {
            FailAll(ex);
            throw;
        }
    }

    /// <summary>
    /// Writes each batch's dead letters and incident records to the sinks, and completes the
    /// batch's checkpoint only after a flush covered them (at-least-once). Flushes when the input is
    /// momentarily empty or enough checkpoints wait, so a busy stream is not flushed per batch.
    /// </summary>
    private async Task DeliverAsync()
    {
        var pending = new List<IBatchCheckpoint>();
        try
        {
            var reader = _output.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var batch))
                {
                    if (batch.DeadLetters.Count > 0)
                    {
                        await _ports.DeadLetters.WriteAsync(batch.DeadLetters, CancellationToken.None).ConfigureAwait(false);
                    }

                    if (batch.Incidents.Count > 0)
                    {
                        await _ports.Incidents.WriteAsync(batch.Incidents, CancellationToken.None).ConfigureAwait(false);
                    }

                    if (batch.Checkpoint is not null)
                    {
                        pending.Add(batch.Checkpoint);
                    }

                    if (pending.Count >= _options.MaxPendingCheckpoints)
                    {
                        await FlushAsync(pending).ConfigureAwait(false);
                    }
                }

                await FlushAsync(pending).ConfigureAwait(false);
            }

            await FlushAsync(pending).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            FailAll(ex);
            throw;
        }
    }

    private async Task FlushAsync(List<IBatchCheckpoint> pending)
    {
        await _ports.DeadLetters.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        await _ports.Incidents.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var checkpoint in pending)
        {
            checkpoint.Complete();
        }

        pending.Clear();
    }
}
