using System.Buffers.Binary;
using System.Threading.Channels;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Tests.Support;

/// <summary>
/// An in-memory source over already-built records: each raw payload is the 4-byte index of a record
/// in <see cref="Records"/> (index -1 stands for an unreadable record). Used with <see cref="IndexDecoder"/>
/// to drive the pipeline without a file or a JSON decoder.
/// </summary>
internal sealed class MemorySource(IReadOnlyList<TelemetryRecord?> records, int batchSize) : ITelemetrySource
{
    public IReadOnlyList<TelemetryRecord?> Records { get; } = records;

    public List<RecordingCheckpoint> Checkpoints { get; } = [];

    public async Task RunAsync(ChannelWriter<RawBatch> output, CancellationToken cancellationToken)
    {
        for (int start = 0; start < Records.Count; start += batchSize)
        {
            var raws = new List<RawRecord>();
            for (int i = start; i < Math.Min(Records.Count, start + batchSize); i++)
            {
                var payload = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(payload, Records[i] is null ? -1 : i);
                raws.Add(new RawRecord(payload, RecordOrigin.FileLine("memory", i + 1)));
            }

            var checkpoint = new RecordingCheckpoint(Checkpoints.Count);
            Checkpoints.Add(checkpoint);
            await output.WriteAsync(new RawBatch(raws, checkpoint), cancellationToken);
        }
    }
}

/// <summary>Decodes <see cref="MemorySource"/> payloads.</summary>
internal sealed class IndexDecoder(IReadOnlyList<TelemetryRecord?> records) : IRecordDecoder
{
    public bool TryDecode(in RawRecord raw, out TelemetryRecord record, out string errorClass, out string reason)
    {
        int index = BinaryPrimitives.ReadInt32LittleEndian(raw.Payload.Span);
        if (index < 0)
        {
            (record, errorClass, reason) = (default, "test.unreadable", "unreadable record");
            return false;
        }

        (record, errorClass, reason) = (records[index]!.Value, string.Empty, string.Empty);
        return true;
    }
}

internal sealed class RecordingCheckpoint(int index) : IBatchCheckpoint
{
    public int Index { get; } = index;

    public int Completions { get; private set; }

    /// <summary>How many records the sink had delivered (flushed) when this checkpoint completed.</summary>
    public int DeliveredAtCompletion { get; set; } = -1;

    public Action<RecordingCheckpoint>? OnComplete { get; set; }

    public void Complete()
    {
        Completions++;
        OnComplete?.Invoke(this);
    }
}

/// <summary>Collects what the pipeline delivers; "flushed" is what a flush made durable.</summary>
internal sealed class MemorySink<T> : IRecordSink<T>
{
    private readonly List<T> _written = [];

    public List<T> Flushed { get; } = [];

    public int Flushes { get; private set; }

    public ValueTask WriteAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken)
    {
        lock (_written)
        {
            _written.AddRange(batch);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        lock (_written)
        {
            Flushed.AddRange(_written);
            _written.Clear();
            Flushes++;
        }

        return ValueTask.CompletedTask;
    }

    public List<T> Snapshot()
    {
        lock (_written)
        {
            return [.. Flushed];
        }
    }
}
