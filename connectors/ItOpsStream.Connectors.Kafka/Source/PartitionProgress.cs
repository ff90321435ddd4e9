using Confluent.Kafka;
using ItOpsStream.Engine.Pipeline;

namespace ItOpsStream.Connectors.Kafka.Source;

/// <summary>
/// In-flight batches of one assigned partition, in consumption order. An offset may be stored only
/// when its batch and every earlier batch of the partition are complete: completions arrive in any
/// order, the stored offset advances over the contiguous completed prefix.
/// </summary>
/// <remarks>Owned by the poll thread; batches complete from any thread through their ticket.</remarks>
internal sealed class PartitionProgress(TopicPartition partition)
{
    private readonly Queue<BatchTicket> _inFlight = new();

    public TopicPartition Partition { get; } = partition;

    public int InFlight => _inFlight.Count;

    /// <summary>The next offset to store after the last call that advanced, or -1 if none yet.</summary>
    public long Committable { get; private set; } = -1;

    public BatchTicket Dispatch(long lastOffset, Action<BatchTicket> onComplete)
    {
        var ticket = new BatchTicket(this, lastOffset, onComplete);
        _inFlight.Enqueue(ticket);
        return ticket;
    }

    /// <summary>Marks <paramref name="ticket"/> done; returns true when the committable offset moved.</summary>
    public bool Complete(BatchTicket ticket)
    {
        ticket.Done = true;
        bool advanced = false;
        while (_inFlight.TryPeek(out var head) && head.Done)
        {
            _inFlight.Dequeue();
            Committable = head.LastOffset + 1;
            advanced = true;
        }

        return advanced;
    }
}

/// <summary>The checkpoint of one batch: completing it hands it back to the poll thread.</summary>
internal sealed class BatchTicket(PartitionProgress owner, long lastOffset, Action<BatchTicket> onComplete) : IBatchCheckpoint
{
    private int _completed;

    public PartitionProgress Owner { get; } = owner;

    public long LastOffset { get; } = lastOffset;

    /// <summary>Set on the poll thread only.</summary>
    public bool Done { get; set; }

    public void Complete()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            onComplete(this);
        }
    }
}
