using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Pipeline;

public sealed partial class TelemetryPipeline
{
    /// <summary>
    /// Hands raw batches to the decode workers and, in the same order, to the router, which awaits
    /// each batch's result in turn: decoding is parallel, its output stays in input order.
    /// </summary>
    private async Task DispatchAsync()
    {
        try
        {
            await foreach (var raw in _raw.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                var job = new DecodeJob(raw);
                await _ordered.WriteAsync(job, CancellationToken.None).ConfigureAwait(false);
                await _work.WriteAsync(job, CancellationToken.None).ConfigureAwait(false);
            }

            _work.Complete();
            _ordered.Complete();
        }
        catch (Exception ex)
        {
            FailAll(ex);
            throw;
        }
    }

    private async Task DecodeWorkerAsync(IRecordDecoder decoder)
    {
        var fingerprints = new Fingerprints(_options.Alerts.FingerprintLabels);
        try
        {
            await foreach (var job in _work.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    job.Result.SetResult(Decode(decoder, fingerprints, job.Raw));
                }
                catch (Exception ex)
                {
                    job.Result.SetException(ex);
                    throw;
                }
            }
        }
        catch (Exception ex)
        {
            FailAll(ex);
            throw;
        }
    }

    private DecodedBatch Decode(IRecordDecoder decoder, Fingerprints fingerprints, RawBatch raw)
    {
        var input = raw.Records;
        var records = new TelemetryRecord[input.Count];
        var keys = new ulong[input.Count];
        List<DeadLetter>? deadLetters = null;
        int count = 0;
        for (int i = 0; i < input.Count; i++)
        {
            var rawRecord = input[i];
            if (decoder.TryDecode(rawRecord, out var record, out var errorClass, out var reason))
            {
                keys[count] = fingerprints.RouteKey(record);
                records[count++] = record;
            }
            else
            {
                (deadLetters ??= []).Add(new DeadLetter(rawRecord.Payload, rawRecord.Origin, "decode", errorClass, reason));
            }
        }

        Interlocked.Add(ref _counters.RecordsRead, input.Count);
        if (deadLetters is not null)
        {
            Interlocked.Add(ref _counters.DeadLetters, deadLetters.Count);
        }

        return new DecodedBatch(records, keys, count, input.Count, deadLetters ?? (IReadOnlyList<DeadLetter>)[], raw.Checkpoint);
    }
}
