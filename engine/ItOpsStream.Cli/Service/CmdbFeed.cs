using System.Globalization;
using Confluent.Kafka;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace ItOpsStream.Cli.Service;

/// <summary>
/// The CMDB change feed of <c>run</c>: consumes the <c>itops.cmdb</c> topic (CONTRACTS §1 records with
/// <c>op</c>), decodes with <see cref="TopologyChangeDecoder"/>, applies each poll's batch through
/// <see cref="TopologyWiring.ApplyAsync"/>, sends undecodable or refused records to the dead letters,
/// and only then stores the offsets for commit: at least once, and applying a change twice is harmless
/// (upserts and deletes are idempotent).
/// </summary>
/// <remarks>
/// With Redis, the engines of a deployment share one consumer group, so each change is applied once
/// and reaches every engine through the Redis change stream. With a file topology each process keeps
/// its own graph, so it reads the whole topic from the start under a group of its own and commits
/// nothing: after a restart it replays the feed over the file. When the store is unreachable the
/// batch is retried with backoff (250 ms doubling to 5 s), logged once when lost and once when back;
/// nothing is committed meanwhile.
/// </remarks>
internal sealed partial class CmdbFeed
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MinRetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly EngineConfig _config;
    private readonly TopologyWiring _topology;
    private readonly IRecordSink<DeadLetter> _deadLetters;
    private readonly ILogger _logger;
    private readonly string _topic;
    private long _applied;
    private long _deadLettered;
    private bool _lost;

    public CmdbFeed(EngineConfig config, TopologyWiring topology, IRecordSink<DeadLetter> deadLetters, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(config);
        _topic = config.CmdbTopic ?? throw new ArgumentException("the CMDB topic is not configured", nameof(config));
        _config = config;
        _topology = topology;
        _deadLetters = deadLetters;
        _logger = logger;
    }

    /// <summary>Changes applied so far (a change applied again after a retry counts again).</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Records sent to the dead letters so far.</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Consumes until <paramref name="cancellationToken"/> fires; a batch interrupted by it is not committed (it is read again).</summary>
    public Task RunAsync(CancellationToken cancellationToken) => Task.Run(() => LoopAsync(cancellationToken), CancellationToken.None);

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var consumer = BuildConsumer();
        consumer.Subscribe(_topic);
        LogStarted(_topic, _topology.IsShared ? _config.CmdbGroupId : "(own, replayed from the start)", _topology.Description);
        var decoder = new TopologyChangeDecoder();
        var batch = new List<(TopologyChange Change, ReadOnlyMemory<byte> Payload, RecordOrigin Origin)>();
        var letters = new List<DeadLetter>();
        var offsets = new Dictionary<TopicPartition, TopicPartitionOffset>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var result = Consume(consumer, Poll);
                int taken = 0;
                while (result is not null)
                {
                    var payload = result.Message.Value ?? [];
                    var origin = new RecordOrigin(result.Topic, result.Partition.Value, result.Offset.Value);
                    if (decoder.TryDecode(payload, out var change, out var error))
                    {
                        batch.Add((change, payload, origin));
                    }
                    else
                    {
                        letters.Add(error.ToDeadLetter(payload, origin));
                    }

                    offsets[result.TopicPartition] = new TopicPartitionOffset(result.TopicPartition, result.Offset + 1);
                    if (++taken >= _config.Source.MaxBatchSize)
                    {
                        break;
                    }

                    result = Consume(consumer, TimeSpan.Zero);
                }

                if (taken == 0)
                {
                    continue;
                }

                await ApplyAsync(batch, letters, cancellationToken).ConfigureAwait(false);
                if (letters.Count > 0)
                {
                    foreach (var letter in letters)
                    {
                        LogDeadLetter(letter.Origin.ToString(), letter.ErrorClass, letter.Reason);
                    }

                    await _deadLetters.WriteAsync(letters, cancellationToken).ConfigureAwait(false);
                    await _deadLetters.FlushAsync(cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref _deadLettered, letters.Count);
                }

                if (_topology.IsShared)
                {
                    Store(consumer, offsets.Values);
                }

                batch.Clear();
                letters.Clear();
                offsets.Clear();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown: what was not committed is read again by the next engine.
        }
        finally
        {
            consumer.Close();
        }
    }

    /// <summary>Applies the batch, retrying while the store is unreachable; changes the store refuses become dead letters.</summary>
    private async Task ApplyAsync(List<(TopologyChange Change, ReadOnlyMemory<byte> Payload, RecordOrigin Origin)> batch, List<DeadLetter> letters, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var changes = batch.ConvertAll(b => b.Change);
        try
        {
            await WithRetryAsync(changes, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _applied, changes.Count);
            return;
        }
        catch (ArgumentException)
        {
            // One change is refused and the store applied nothing: apply them one by one to find it.
        }

        foreach (var (change, payload, origin) in batch)
        {
            try
            {
                await WithRetryAsync([change], cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _applied);
            }
            catch (ArgumentException ex)
            {
                letters.Add(new DeadLetter(payload, origin, "apply", "cmdb.refused", ex.Message.Split(" (Parameter", 2)[0]));
            }
        }
    }

    private async Task WithRetryAsync(IReadOnlyList<TopologyChange> changes, CancellationToken cancellationToken)
    {
        var delay = MinRetryDelay;
        while (true)
        {
            try
            {
                await _topology.ApplyAsync(changes, cancellationToken).ConfigureAwait(false);
                if (_lost)
                {
                    _lost = false;
                    LogStoreBack(_topology.Description);
                }

                return;
            }
            catch (Exception ex) when (ex is not (ArgumentException or OperationCanceledException))
            {
                if (!_lost)
                {
                    _lost = true;
                    LogStoreLost(_topology.Description, ex.Message.Split('\n', 2)[0]);
                }

                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private ConsumeResult<byte[]?, byte[]?>? Consume(IConsumer<byte[]?, byte[]?> consumer, TimeSpan timeout)
    {
        try
        {
            return consumer.Consume(timeout);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            LogConsumeError(ex.Error.Reason);
            return null;
        }
    }

    /// <summary>
    /// Marks the batch's offsets for commit. librdkafka commits stored offsets in the background
    /// (<c>kafka.commit_interval_ms</c>) and on close: the commit round trip stays off the feed's latency
    /// path, and nothing is stored before its change was applied.
    /// </summary>
    private void Store(IConsumer<byte[]?, byte[]?> consumer, IEnumerable<TopicPartitionOffset> offsets)
    {
        foreach (var offset in offsets)
        {
            try
            {
                consumer.StoreOffset(offset);
            }
            catch (KafkaException ex) when (!ex.Error.IsFatal)
            {
                // A rebalance took the partition away: its next owner applies the records again, which is harmless.
                LogCommitFailed(ex.Error.Reason);
            }
        }
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = _config.Source.BootstrapServers,
            ClientId = "itopsstream-cmdb",
            // A file topology is this process's alone: read the whole feed, under a group nobody shares.
            GroupId = _topology.IsShared ? _config.CmdbGroupId : string.Create(CultureInfo.InvariantCulture, $"{_config.CmdbGroupId}-{Environment.ProcessId}-{Guid.NewGuid():N}"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // The feed is sparse and its latency is the point: a broker that holds an empty fetch for the
            // default 500 ms (librdkafka's mock cluster does, even when data arrives) would add up to that.
            FetchWaitMaxMs = 50,
            FetchQueueBackoffMs = 50,
        };
        foreach (var (key, value) in _config.Source.ClientProperties)
        {
            config.Set(key, value);
        }

        // Offsets are stored by the loop once the batch was applied (shared store only) and committed from there.
        config.EnableAutoCommit = _topology.IsShared;
        config.AutoCommitIntervalMs = (int)_config.Source.CommitInterval.TotalMilliseconds;
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = false;
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetErrorHandler((_, error) => LogClientError(error.Reason))
            .SetLogHandler((_, _) => { })
            .Build();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "cmdb feed: consuming {Topic} as group {Group}, applying to {Store}")]
    private partial void LogStarted(string topic, string group, string store);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cmdb feed: {Origin} to the dead letters: {ErrorClass}: {Reason}")]
    private partial void LogDeadLetter(string origin, string errorClass, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cmdb feed: CMDB {Store} unreachable ({Reason}); holding the batch and retrying, nothing is committed meanwhile")]
    private partial void LogStoreLost(string store, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "cmdb feed: CMDB {Store} reachable again; applying")]
    private partial void LogStoreBack(string store);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cmdb feed: consume error: {Reason}")]
    private partial void LogConsumeError(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cmdb feed: offset not stored ({Reason}); the records will be applied again, which is harmless")]
    private partial void LogCommitFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cmdb feed: Kafka client: {Reason}")]
    private partial void LogClientError(string reason);
}
