using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Confluent.Kafka;
using ItOpsStream.Connectors.Kafka.Formats;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ItOpsStream.Connectors.Kafka.Source;

/// <summary>
/// Reads telemetry topics as a member of a consumer group and writes partition-pure batches of raw
/// records to the pipeline, at least once: an offset is stored only after the batch that holds it,
/// and every earlier batch of its partition, has been completed by the pipeline.
/// </summary>
/// <remarks>
/// The poll loop runs on its own thread and owns the consumer; checkpoints complete from any thread
/// and are handed back through a queue. When the pipeline's channel is full the assigned partitions
/// are paused (the loop keeps polling, so the consumer keeps its group membership) and resumed once
/// the waiting batches are written. Revoked partitions get a bounded wait for their in-flight batches
/// and a synchronous commit of what completed; lost partitions are dropped without commit. A fatal
/// client error stops the loop: the consumer is closed and <see cref="RunAsync"/> fails with it.
/// </remarks>
public sealed partial class KafkaTelemetrySource : ITelemetrySource, IDisposable
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PausedPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LagInterval = TimeSpan.FromSeconds(1);

    private readonly KafkaSourceOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<BatchTicket> _completions = new();
    private readonly SemaphoreSlim _completionSignal = new(0);
    private readonly Action<BatchTicket> _onComplete;

    // Poll-thread state.
    private readonly Dictionary<TopicPartition, PartitionProgress> _progress = [];
    private readonly Dictionary<TopicPartition, PartitionBatch> _building = [];
    private readonly TelemetryMessageDecoder _expander;
    private readonly Queue<RawBatch> _waiting = new();
    private readonly Dictionary<string, string?> _formats;
    private bool _paused;
    private bool _assignmentChanged;
    private Error? _fatal;
    private int _running;

    public KafkaTelemetrySource(KafkaSourceOptions options, ILogger<KafkaTelemetrySource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _formats = options.Topics.ToDictionary(t => t.Key, t => t.Value == FormatNames.Auto ? null : (string?)t.Value, StringComparer.Ordinal);
        _expander = new TelemetryMessageDecoder(options.Formats);
        _onComplete = ticket =>
        {
            _completions.Enqueue(ticket);
            try
            {
                _completionSignal.Release();
            }
            catch (ObjectDisposedException)
            {
                // Completed after the source was disposed: nothing is waiting any more.
            }
        };
    }

    public KafkaSourceMetrics Metrics { get; } = new();

    /// <summary>Releases the completion signal; call after <see cref="RunAsync"/> has finished.</summary>
    public void Dispose() => _completionSignal.Dispose();

    /// <summary>Consumes until <paramref name="cancellationToken"/> fires, then drains, commits and closes.</summary>
    /// <exception cref="KafkaException">A fatal client error stopped the consumer.</exception>
    public Task RunAsync(ChannelWriter<RawBatch> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            throw new InvalidOperationException("a KafkaTelemetrySource runs once");
        }

        return Task.Factory.StartNew(
            () => PollLoop(output, cancellationToken),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private void PollLoop(ChannelWriter<RawBatch> output, CancellationToken cancellationToken)
    {
        Thread.CurrentThread.Name = "itops-kafka-poll";
        using var consumer = BuildConsumer();
        consumer.Subscribe(_options.Topics.Keys);
        LogStarted(_logger, _options.GroupId, string.Join(",", _options.Topics.Keys));
        int buffered = 0;
        long firstBufferedAt = 0;
        long lagUpdatedAt = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested && _fatal is null)
            {
                DrainCompletions(consumer);
                Relieve(consumer, output);

                var timeout = _paused ? PausedPoll
                    : buffered > 0 ? Max(TimeSpan.Zero, _options.MaxBatchDelay - Stopwatch.GetElapsedTime(firstBufferedAt))
                    : IdlePoll;
                var result = Consume(consumer, timeout);
                int taken = 0;
                while (result is not null)
                {
                    if (buffered == 0)
                    {
                        firstBufferedAt = Stopwatch.GetTimestamp();
                    }

                    buffered = Add(result, output) ? CountBuffered() : buffered + 1;

                    // Stop taking what the client prefetched once the pipeline refuses a batch: pausing
                    // must bound what this process holds, not move an unbounded queue into it.
                    if (++taken >= _options.MaxBatchSize || _waiting.Count > 0 || _fatal is not null)
                    {
                        break;
                    }

                    result = Consume(consumer, TimeSpan.Zero);
                }

                if (buffered > 0 && (buffered >= _options.MaxBatchSize || Stopwatch.GetElapsedTime(firstBufferedAt) >= _options.MaxBatchDelay))
                {
                    EmitAll(output);
                    buffered = 0;
                }

                if (_paused && _assignmentChanged)
                {
                    // Partitions assigned while paused arrive unpaused.
                    consumer.Pause(consumer.Assignment);
                    _assignmentChanged = false;
                }

                if (Stopwatch.GetElapsedTime(lagUpdatedAt) >= LagInterval)
                {
                    UpdateLag(consumer);
                    lagUpdatedAt = Stopwatch.GetTimestamp();
                }
            }

            if (_fatal is null)
            {
                Drain(consumer);
            }
        }
        finally
        {
            Close(consumer);
        }

        if (_fatal is { } fatal)
        {
            throw new KafkaException(fatal);
        }
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = _options.BootstrapServers,
            GroupId = _options.GroupId,
            ClientId = "itopsstream-source",
            AutoOffsetReset = _options.AutoOffsetReset == "latest" ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
            EnableAutoCommit = true,
            AutoCommitIntervalMs = (int)_options.CommitInterval.TotalMilliseconds,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
        };
        foreach (var (key, value) in _options.ClientProperties)
        {
            config.Set(key, value);
        }

        // At-least-once rests on these two: offsets are stored by us, never by the client on consume.
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = false;
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetErrorHandler((_, error) => OnError(error))
            .SetLogHandler((_, log) => LogClient(_logger, log.Level.ToString(), log.Facility, log.Message))
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((c, partitions) => OnRevoked(c, partitions))
            .SetPartitionsLostHandler((_, partitions) => OnLost(partitions))
            .Build();
    }

    private ConsumeResult<byte[]?, byte[]?>? Consume(IConsumer<byte[]?, byte[]?> consumer, TimeSpan timeout)
    {
        try
        {
            return consumer.Consume(timeout);
        }
        catch (ConsumeException ex)
        {
            if (ex.Error.IsFatal)
            {
                _fatal = ex.Error;
            }
            else
            {
                LogConsumeError(_logger, ex.Error.Code.ToString(), ex.Error.Reason);
            }

            return null;
        }
    }

    /// <summary>Buffers one message (expanded to native records); returns true when a full partition batch was emitted.</summary>
    private bool Add(ConsumeResult<byte[]?, byte[]?> result, ChannelWriter<RawBatch> output)
    {
        var tp = result.TopicPartition;
        if (!_building.TryGetValue(tp, out var batch))
        {
            batch = new PartitionBatch(Math.Min(_options.MaxBatchSize, 256));
            _building[tp] = batch;
        }

        _formats.TryGetValue(tp.Topic, out var format);
        var origin = new RecordOrigin(tp.Topic, tp.Partition.Value, result.Offset.Value);
        _expander.Expand(new RawRecord(result.Message.Value ?? [], origin, format), batch.Records);
        batch.LastOffset = result.Offset.Value;
        batch.Messages++;
        Metrics.AddRecords(1);
        if (batch.Messages >= _options.MaxBatchSize)
        {
            Emit(tp, batch, output);
            _building.Remove(tp);
            return true;
        }

        return false;
    }

    private int CountBuffered()
    {
        int n = 0;
        foreach (var batch in _building.Values)
        {
            n += batch.Messages;
        }

        return n;
    }

    private void EmitAll(ChannelWriter<RawBatch> output)
    {
        foreach (var (tp, batch) in _building)
        {
            Emit(tp, batch, output);
        }

        _building.Clear();
    }

    private void Emit(TopicPartition tp, PartitionBatch pending, ChannelWriter<RawBatch> output)
    {
        if (!_progress.TryGetValue(tp, out var progress))
        {
            // A record of a partition we no longer own (revoked between fetch and here): its new owner reads it.
            return;
        }

        var ticket = progress.Dispatch(pending.LastOffset, _onComplete);
        Metrics.AddBatch();
        if (pending.Records.Count == 0)
        {
            // Only empty exports (an OTLP request without data points…): nothing to deliver, the offsets are done.
            ticket.Complete();
            return;
        }

        var batch = new RawBatch(pending.Records, ticket);
        if (_waiting.Count > 0 || !output.TryWrite(batch))
        {
            _waiting.Enqueue(batch);
        }
    }

    private sealed class PartitionBatch(int capacity)
    {
        public List<RawRecord> Records { get; } = new(capacity);

        public long LastOffset { get; set; }

        public int Messages { get; set; }
    }

    /// <summary>Writes waiting batches; pauses the assignment while some cannot be written, resumes when all are.</summary>
    private void Relieve(IConsumer<byte[]?, byte[]?> consumer, ChannelWriter<RawBatch> output)
    {
        while (_waiting.Count > 0 && output.TryWrite(_waiting.Peek()))
        {
            _waiting.Dequeue();
        }

        if (_waiting.Count > 0 && !_paused)
        {
            consumer.Pause(consumer.Assignment);
            _paused = true;
            _assignmentChanged = false;
            Metrics.SetPaused(true);
            LogPaused(_logger, _waiting.Count);
        }
        else if (_waiting.Count == 0 && _paused)
        {
            consumer.Resume(consumer.Assignment);
            _paused = false;
            Metrics.SetPaused(false);
            LogResumed(_logger);
        }
    }

    private void DrainCompletions(IConsumer<byte[]?, byte[]?> consumer)
    {
        while (_completions.TryDequeue(out var ticket))
        {
            Metrics.AddCompleted();
            var progress = ticket.Owner;
            // A ticket of a partition revoked or lost since is stale: its offsets belong to the new owner now.
            if (!_progress.TryGetValue(progress.Partition, out var current) || !ReferenceEquals(current, progress))
            {
                continue;
            }

            if (progress.Complete(ticket))
            {
                StoreOffset(consumer, progress);
            }
        }
    }

    private void StoreOffset(IConsumer<byte[]?, byte[]?> consumer, PartitionProgress progress)
    {
        try
        {
            consumer.StoreOffset(new TopicPartitionOffset(progress.Partition, progress.Committable));
        }
        catch (KafkaException ex)
        {
            // Not assigned any more (a rebalance raced us): the next owner re-reads from the last commit.
            LogStoreFailed(_logger, progress.Partition.ToString(), ex.Error.Reason);
        }
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            _progress[tp] = new PartitionProgress(tp);
        }

        _assignmentChanged = true;
        Metrics.SetAssigned(_progress.Count);
        if (partitions.Count > 0)
        {
            LogAssigned(_logger, string.Join(",", partitions));
        }
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        var revoked = partitions.Select(p => p.TopicPartition).ToHashSet();
        Forget(revoked);

        // Give the pipeline a moment to finish what it holds of these partitions, then commit it.
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.RevokeDrainTimeout.TotalSeconds * Stopwatch.Frequency);
        while (revoked.Any(tp => _progress.TryGetValue(tp, out var p) && p.InFlight > 0) && Stopwatch.GetTimestamp() < deadline)
        {
            _completionSignal.Wait(TimeSpan.FromMilliseconds(10));
            DrainCompletions(consumer);
        }

        DrainCompletions(consumer);
        Commit(consumer);
        foreach (var tp in revoked)
        {
            _progress.Remove(tp);
        }

        _assignmentChanged = true;
        Metrics.SetAssigned(_progress.Count);
        LogRevoked(_logger, string.Join(",", revoked));
    }

    private void OnLost(List<TopicPartitionOffset> partitions)
    {
        var lost = partitions.Select(p => p.TopicPartition).ToHashSet();
        Forget(lost);
        foreach (var tp in lost)
        {
            _progress.Remove(tp);
        }

        Metrics.SetAssigned(_progress.Count);
        LogLost(_logger, string.Join(",", lost));
    }

    // Records of these partitions not yet handed to the pipeline are dropped: the next owner reads them.
    private void Forget(HashSet<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            _building.Remove(tp);
        }

        if (_waiting.Any(b => partitions.Contains(((BatchTicket)b.Checkpoint!).Owner.Partition)))
        {
            var keep = _waiting.Where(b => !partitions.Contains(((BatchTicket)b.Checkpoint!).Owner.Partition)).ToList();
            _waiting.Clear();
            foreach (var batch in keep)
            {
                _waiting.Enqueue(batch);
            }
        }
    }

    private void Commit(IConsumer<byte[]?, byte[]?> consumer)
    {
        try
        {
            consumer.Commit();
        }
        catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_NoOffset)
        {
        }
        catch (KafkaException ex)
        {
            LogCommitFailed(_logger, ex.Error.Reason);
        }
    }

    private void Drain(IConsumer<byte[]?, byte[]?> consumer)
    {
        _building.Clear();
        _waiting.Clear();
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.ShutdownDrainTimeout.TotalSeconds * Stopwatch.Frequency);
        while (_progress.Values.Any(p => p.InFlight > 0) && Stopwatch.GetTimestamp() < deadline)
        {
            _completionSignal.Wait(TimeSpan.FromMilliseconds(10));
            DrainCompletions(consumer);
        }

        DrainCompletions(consumer);
        int unfinished = _progress.Values.Sum(p => p.InFlight);
        if (unfinished > 0)
        {
            LogDrainTimeout(_logger, unfinished);
        }

        Commit(consumer);
    }

    private void Close(IConsumer<byte[]?, byte[]?> consumer)
    {
        try
        {
            consumer.Close();
        }
        catch (KafkaException ex)
        {
            LogCloseFailed(_logger, ex.Error.Reason);
        }

        Metrics.SetAssigned(0);
    }

    private void OnError(Error error)
    {
        if (error.IsFatal)
        {
            _fatal = error;
            LogFatal(_logger, error.Code.ToString(), error.Reason);
        }
        else
        {
            LogClientError(_logger, error.Code.ToString(), error.Reason);
        }
    }

    private void UpdateLag(IConsumer<byte[]?, byte[]?> consumer)
    {
        long lag = 0;
        bool known = false;
        foreach (var tp in consumer.Assignment)
        {
            var watermarks = consumer.GetWatermarkOffsets(tp);
            Offset position;
            try
            {
                position = consumer.Position(tp);
            }
            catch (KafkaException)
            {
                continue;
            }

            if (watermarks.High.Value >= 0 && position.Value >= 0)
            {
                lag += Math.Max(0, watermarks.High.Value - position.Value);
                known = true;
            }
        }

        Metrics.SetLag(known ? lag : (consumer.Assignment.Count == 0 ? 0 : -1));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "kafka source: group {Group} subscribed to {Topics}")]
    private static partial void LogStarted(ILogger logger, string group, string topics);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "kafka source: assigned {Partitions}")]
    private static partial void LogAssigned(ILogger logger, string partitions);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "kafka source: revoked {Partitions} (completed offsets committed)")]
    private static partial void LogRevoked(ILogger logger, string partitions);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "kafka source: lost {Partitions} (in-flight work dropped, not committed)")]
    private static partial void LogLost(ILogger logger, string partitions);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "kafka source: pipeline full, partitions paused ({Waiting} batches waiting)")]
    private static partial void LogPaused(ILogger logger, int waiting);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "kafka source: partitions resumed")]
    private static partial void LogResumed(ILogger logger);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "kafka source: storing offset of {Partition} failed: {Reason}")]
    private static partial void LogStoreFailed(ILogger logger, string partition, string reason);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "kafka source: commit failed: {Reason}")]
    private static partial void LogCommitFailed(ILogger logger, string reason);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "kafka source: close failed: {Reason}")]
    private static partial void LogCloseFailed(ILogger logger, string reason);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "kafka source: {Unfinished} batches still in flight at shutdown; they will be re-read")]
    private static partial void LogDrainTimeout(ILogger logger, int unfinished);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "kafka source: consume error {Code}: {Reason}")]
    private static partial void LogConsumeError(ILogger logger, string code, string reason);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "kafka source: client error {Code}: {Reason}")]
    private static partial void LogClientError(ILogger logger, string code, string reason);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Critical, Message = "kafka source: fatal error {Code}: {Reason}; stopping")]
    private static partial void LogFatal(ILogger logger, string code, string reason);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "librdkafka {Level} {Facility}: {Message}")]
    private static partial void LogClient(ILogger logger, string level, string facility, string message);
}
