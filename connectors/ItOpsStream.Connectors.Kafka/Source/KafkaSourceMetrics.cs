namespace ItOpsStream.Connectors.Kafka.Source;

/// <summary>Live counters of a <see cref="KafkaTelemetrySource"/>; read from any thread.</summary>
public sealed class KafkaSourceMetrics
{
    private long _records;
    private long _batches;
    private long _pauses;
    private long _lag = -1;
    private int _paused;
    private int _assigned;
    private long _committedBatches;

    /// <summary>Records consumed from Kafka.</summary>
    public long Records => Interlocked.Read(ref _records);

    /// <summary>Batches handed to the pipeline.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Batches whose checkpoint completed.</summary>
    public long CompletedBatches => Interlocked.Read(ref _committedBatches);

    /// <summary>How many times backpressure paused the partitions.</summary>
    public long Pauses => Interlocked.Read(ref _pauses);

    /// <summary>Whether the partitions are paused right now because the pipeline is full.</summary>
    public bool Paused => Volatile.Read(ref _paused) != 0;

    /// <summary>Partitions assigned to this consumer.</summary>
    public int AssignedPartitions => Volatile.Read(ref _assigned);

    /// <summary>Records behind the end of the assigned partitions (high watermark − position), -1 before it is known.</summary>
    public long Lag => Interlocked.Read(ref _lag);

    internal void AddRecords(int count) => Interlocked.Add(ref _records, count);

    internal void AddBatch() => Interlocked.Increment(ref _batches);

    internal void AddCompleted() => Interlocked.Increment(ref _committedBatches);

    internal void SetPaused(bool paused)
    {
        if (paused)
        {
            Interlocked.Increment(ref _pauses);
        }

        Volatile.Write(ref _paused, paused ? 1 : 0);
    }

    internal void SetAssigned(int count) => Volatile.Write(ref _assigned, count);

    internal void SetLag(long lag) => Interlocked.Exchange(ref _lag, lag);
}
