namespace ItOpsStream.Models.Tests.Anomaly;

/// <summary>Small deterministic series for detector tests.</summary>
internal static class SeriesGen
{
    public const long Start = 1_767_571_200_000; // 2026-01-05T00:00:00Z, a Monday
    public const long FiveMinutes = 300_000;

    public static double[] Noise(int n, double level, double sigma, int seed)
    {
        var rng = new Random(seed);
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = level + (sigma * Gaussian(rng));
        }

        return values;
    }

    public static double[] Daily(int n, double level, double amplitude, double sigma, int seed)
    {
        var values = Noise(n, level, sigma, seed);
        for (var i = 0; i < n; i++)
        {
            values[i] += amplitude * Math.Sin(2 * Math.PI * i / 288.0);
        }

        return values;
    }

    public static long Ts(int i) => Start + (i * FiveMinutes);

    public static double[] ScoreAll(IStreamingDetector detector, double[] values)
    {
        var scores = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            scores[i] = detector.Score(Ts(i), values[i]);
        }

        return scores;
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
