using BenchmarkDotNet.Attributes;
using ItOpsStream.Models.Anomaly;

namespace ItOpsStream.Bench;

/// <summary>
/// Points per second of each streaming detector on one core: one invocation scores a 100 000-point
/// series (5-minute samples, daily cycle, noise, occasional spikes) with a fresh detector, so warm-up,
/// calibration fits and profile learning are all inside the measurement.
/// </summary>
[MemoryDiagnoser]
public class DetectorBenchmarks
{
    private const int Points = 100_000;
    private readonly long[] _timestamps = new long[Points];
    private readonly double[] _values = new double[Points];

    [Params("default", "ensemble", "robust", "seasonal", "spectral", "changepoint")]
    public string Detector { get; set; } = "default";

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        for (var i = 0; i < Points; i++)
        {
            _timestamps[i] = 1_767_571_200_000L + (i * 300_000L);
            _values[i] = 100 + (20 * Math.Sin(2 * Math.PI * i / 288.0)) + (5 * rng.NextDouble()) + (rng.NextDouble() < 0.001 ? 50 : 0);
        }
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double ScorePoint()
    {
        var detector = DetectorFactory.Create(Detector);
        var sum = 0.0;
        for (var i = 0; i < Points; i++)
        {
            sum += detector.Score(_timestamps[i], _values[i]);
        }

        return sum;
    }
}
