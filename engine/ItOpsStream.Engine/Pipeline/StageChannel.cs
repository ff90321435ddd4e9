using System.Threading.Channels;

namespace ItOpsStream.Engine.Pipeline;

/// <summary>
/// A bounded channel between two pipeline stages, behind a small typed wrapper that counts what
/// passes and how often the writer had to wait. The full mode is always <see cref="BoundedChannelFullMode.Wait"/>:
/// a slow stage slows its producer down all the way back to the source (for Kafka: paused partitions),
/// and nothing is ever dropped.
/// </summary>
internal sealed class StageChannel<T>
{
    private readonly Channel<T> _channel;
    private long _written;
    private long _blockedWrites;
    private CountingWriter? _writer;

    public StageChannel(string name, int capacity, bool singleWriter, bool singleReader)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Name = name;
        Capacity = capacity;
        _channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = singleWriter,
            SingleReader = singleReader,
            // Continuations run on the thread pool, never inline on the writer's thread: a stage
            // never ends up executing the next stage's loop.
            AllowSynchronousContinuations = false,
        });
    }

    public string Name { get; }

    public int Capacity { get; }

    /// <summary>Items written so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Writes that found the channel full and had to wait (backpressure events).</summary>
    public long BlockedWrites => Interlocked.Read(ref _blockedWrites);

    public ChannelReader<T> Reader => _channel.Reader;

    /// <summary>A counting writer, for ports such as <see cref="ITelemetrySource"/> that take a <see cref="ChannelWriter{T}"/>.</summary>
    public ChannelWriter<T> Writer => _writer ??= new CountingWriter(this);

    public ValueTask WriteAsync(T item, CancellationToken cancellationToken)
    {
        if (_channel.Writer.TryWrite(item))
        {
            Interlocked.Increment(ref _written);
            return ValueTask.CompletedTask;
        }

        return WriteSlowAsync(item, cancellationToken);
    }

    private async ValueTask WriteSlowAsync(T item, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _blockedWrites);
        await _channel.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _written);
    }

    /// <summary>Completes the channel; with an error the reader sees it after draining.</summary>
    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);

    public StageChannelStats Stats() => new(Name, Capacity, Written, BlockedWrites);

    /// <summary>Forwards to the channel and keeps the counters, whoever writes.</summary>
    private sealed class CountingWriter(StageChannel<T> owner) : ChannelWriter<T>
    {
        public override bool TryWrite(T item)
        {
            if (owner._channel.Writer.TryWrite(item))
            {
                Interlocked.Increment(ref owner._written);
                return true;
            }

            return false;
        }

        public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) =>
            owner._channel.Writer.WaitToWriteAsync(cancellationToken);

        public override ValueTask WriteAsync(T item, CancellationToken cancellationToken = default) =>
            owner.WriteAsync(item, cancellationToken);

        public override bool TryComplete(Exception? error = null) => owner._channel.Writer.TryComplete(error);
    }
}

/// <summary>Counters of one stage channel.</summary>
/// <param name="Name">The channel (e.g. <c>raw</c>, <c>decoded</c>, <c>shard-0</c>).</param>
/// <param name="Capacity">Its bound, in batches.</param>
/// <param name="Written">Batches that went through.</param>
/// <param name="BlockedWrites">Writes that waited because the channel was full.</param>
public readonly record struct StageChannelStats(string Name, int Capacity, long Written, long BlockedWrites);
