using BenchmarkDotNet.Attributes;
using ItOpsStream.Engine.Detection;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Bench;

/// <summary>
/// The engine's anomaly alert producer over 100 000 live series. <c>NewSeries</c>: one record each
/// for 100 000 new series, so the allocated bytes per operation are the bytes per series (tracker,
/// detector state, registry entry). <c>Observe</c>: one point per series per invocation on a warm,
/// full registry, the cache-unfriendly steady state of a large fleet.
/// </summary>
[MemoryDiagnoser]
public class AnomalyRegistryBenchmarks
{
    private const int Series = 100_000;
    private readonly TelemetryRecord[] _records = new TelemetryRecord[Series];
    private readonly List<TelemetryRecord> _emitted = [];
    private AnomalyAlertProducer _warm = null!;
    private long _round;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < Series; i++)
        {
            _records[i] = new TelemetryRecord(1_767_571_200_000L, TelemetryKind.Metric, $"host:{i}", Name: "cpu.util", Value: 40);
        }

        _warm = new AnomalyAlertProducer();
        for (var round = 0; round < 40; round++)
        {
            Feed(_warm, round);
        }

        _round = 40;
    }

    [Benchmark(OperationsPerInvoke = Series)]
    public int NewSeries()
    {
        var producer = new AnomalyAlertProducer();
        Feed(producer, 0);
        return producer.SeriesCount;
    }

    [Benchmark(OperationsPerInvoke = Series)]
    public int Observe()
    {
        Feed(_warm, _round++);
        return _emitted.Count;
    }

    private void Feed(AnomalyAlertProducer producer, long round)
    {
        _emitted.Clear();
        var rng = new Random((int)round);
        for (var i = 0; i < Series; i++)
        {
            var r = _records[i] with { Timestamp = 1_767_571_200_000L + (round * 60_000), Value = 40 + (4 * rng.NextDouble()) };
            producer.OnRecord(r, _emitted);
        }
    }
}
