using ItOpsStream.Engine.Correlation;

namespace ItOpsStream.Engine.Pipeline;

/// <summary>
/// The engine's stream pipeline, the same code in replay and live:
/// <code>
/// source ─raw─► dispatch ─► decode workers (N) ─ordered─► router ─┬─► alert shard 0..K-1 ─┐
///                                                                 └─► envelope ───────────┴─► correlation ─► delivery ─► sinks
/// </code>
/// Every arrow is a bounded <see cref="StageChannel{T}"/> that waits when full (backpressure to the
/// source), carrying batches. Decoding runs in parallel and is put back in input order; alert state
/// is sharded by fingerprint (one writer per shard); correlation is a single writer because an
/// incident may span any part of the topology (see docs/ARCHITECTURE.md for the scale-out path).
/// The output depends only on the input: no wall clock, no hash order, no thread timing.
/// </summary>
/// <remarks>
/// <see cref="RunAsync"/> runs until the source ends (replay) or the token fires (live); in both
/// cases everything already read is drained through to the sinks, all windows are flushed, and
/// checkpoints are completed after their output is delivered. A failing stage fails the run: every
/// channel is completed with the error and <see cref="RunAsync"/> throws it.
/// </remarks>
public sealed partial class TelemetryPipeline
{
    private readonly PipelineOptions _options;
    private readonly PipelinePorts _ports;
    private readonly PipelineCounters _counters = new();
    private readonly StageChannel<RawBatch> _raw;
    private readonly StageChannel<DecodeJob> _work;
    private readonly StageChannel<DecodeJob> _ordered;
    private readonly StageChannel<ShardWork>[] _shardIn;
    private readonly StageChannel<ShardOutput>[] _shardOut;
    private readonly StageChannel<BatchEnvelope> _envelopes;
    private readonly StageChannel<OutputBatch> _output;
    private int _started;
    private Exception? _firstError;

    public TelemetryPipeline(PipelineOptions options, PipelinePorts ports)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(ports);
        _options = options.Validate();
        _ports = ports;
        int capacity = options.ChannelCapacity;
        _raw = new StageChannel<RawBatch>("raw", capacity, singleWriter: false, singleReader: true);
        _work = new StageChannel<DecodeJob>("decode-work", capacity, singleWriter: true, singleReader: false);
        _ordered = new StageChannel<DecodeJob>("decoded", capacity + options.DecodeWorkers, singleWriter: true, singleReader: true);
        _shardIn = new StageChannel<ShardWork>[options.AlertShards];
        _shardOut = new StageChannel<ShardOutput>[options.AlertShards];
        for (int i = 0; i < options.AlertShards; i++)
        {
            _shardIn[i] = new StageChannel<ShardWork>($"shard-{i}", capacity, singleWriter: true, singleReader: true);
            _shardOut[i] = new StageChannel<ShardOutput>($"shard-{i}-out", capacity, singleWriter: true, singleReader: true);
        }

        // The router may run ahead of the shards by at most this many envelopes.
        _envelopes = new StageChannel<BatchEnvelope>("envelopes", capacity * 2, singleWriter: true, singleReader: true);
        _output = new StageChannel<OutputBatch>("output", capacity, singleWriter: true, singleReader: true);
    }

    /// <summary>Counters so far; safe to call from any thread while running.</summary>
    public PipelineStats Stats()
    {
        var channels = new List<StageChannelStats> { _raw.Stats(), _work.Stats(), _ordered.Stats(), _envelopes.Stats(), _output.Stats() };
        channels.AddRange(_shardIn.Select(c => c.Stats()));
        channels.AddRange(_shardOut.Select(c => c.Stats()));
        return _counters.Snapshot(channels);
    }

    /// <summary>
    /// Runs the pipeline to the end of the input, or until <paramref name="cancellationToken"/> asks
    /// the source to stop; then drains, flushes windows and sinks, and returns the counters.
    /// Can be called once.
    /// </summary>
    public async Task<PipelineStats> RunAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A pipeline runs once; create a new one.");
        }

        var correlator = new Correlator(_options.Correlation, _ports.Topology, _ports.Rules, _ports.RootCauseScorer);
        var stages = new List<Task>
        {
            RunSourceAsync(cancellationToken),
            Task.Run(DispatchAsync, CancellationToken.None),
        };
        for (int i = 0; i < _options.DecodeWorkers; i++)
        {
            var decoder = _ports.DecoderFactory();
            stages.Add(Task.Run(() => DecodeWorkerAsync(decoder), CancellationToken.None));
        }

        stages.Add(Task.Run(RouteAsync, CancellationToken.None));
        for (int i = 0; i < _options.AlertShards; i++)
        {
            int shard = i;
            stages.Add(Task.Run(() => ShardAsync(shard), CancellationToken.None));
        }

        stages.Add(Task.Run(() => CorrelateAsync(correlator), CancellationToken.None));
        stages.Add(Task.Run(DeliverAsync, CancellationToken.None));
        try
        {
            await Task.WhenAll(stages).ConfigureAwait(false);
        }
        catch (Exception) when (Volatile.Read(ref _firstError) is { } first)
        {
            // Report the original failure, not the "channel closed" ones it caused in other stages.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }

        return Stats();
    }

    /// <summary>Completes every channel with <paramref name="error"/> so that all stages stop.</summary>
    private void FailAll(Exception error)
    {
        Interlocked.CompareExchange(ref _firstError, error, null);
        _raw.Complete(error);
        _work.Complete(error);
        _ordered.Complete(error);
        _envelopes.Complete(error);
        _output.Complete(error);
        foreach (var channel in _shardIn)
        {
            channel.Complete(error);
        }

        foreach (var channel in _shardOut)
        {
            channel.Complete(error);
        }
    }

    private async Task RunSourceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _ports.Source.RunAsync(_raw.Writer, cancellationToken).ConfigureAwait(false);
            _raw.Complete();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A requested stop: drain what was read.
            _raw.Complete();
        }
        catch (Exception ex)
        {
            FailAll(ex);
            throw;
        }
    }
}
