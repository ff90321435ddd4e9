using System.Text;
using System.Threading.Channels;
using ItOpsStream.Connectors.Kafka.Formats;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Connectors.Kafka.Tests.Source;

/// <summary>
/// The smallest honest pipeline: decode each batch, write records and dead letters to their sinks,
/// flush both, then complete the batch's checkpoint. Output value: the record's dedup key.
/// </summary>
internal sealed class PassThroughPipeline(IRecordSink<TelemetryRecord> records, IRecordSink<DeadLetter> deadLetters)
{
    private readonly TelemetryMessageDecoder _decoder = new();

    public long Batches;

    /// <summary>Set to hold batches (never complete them), as a pipeline that crashes would.</summary>
    public bool WithholdCheckpoints { get; set; }

    public static Func<TelemetryRecord, (byte[]? Key, byte[] Value)> Serializer { get; } =
        r => (Encoding.UTF8.GetBytes(r.Ci ?? string.Empty), Encoding.UTF8.GetBytes(r.DedupKey ?? r.Name ?? string.Empty));

    public async Task RunAsync(ChannelReader<RawBatch> input, CancellationToken cancellationToken)
    {
        var decoded = new List<TelemetryRecord>();
        var dead = new List<DeadLetter>();
        await foreach (var batch in input.ReadAllAsync(cancellationToken))
        {
            decoded.Clear();
            dead.Clear();
            foreach (var raw in batch.Records)
            {
                if (_decoder.Decode(raw, decoded) is { } letter)
                {
                    dead.Add(letter);
                }
            }

            await records.WriteAsync(decoded, cancellationToken);
            await deadLetters.WriteAsync(dead, cancellationToken);
            await records.FlushAsync(cancellationToken);
            await deadLetters.FlushAsync(cancellationToken);
            Interlocked.Increment(ref Batches);
            if (!WithholdCheckpoints)
            {
                batch.Checkpoint?.Complete();
            }
        }
    }
}
