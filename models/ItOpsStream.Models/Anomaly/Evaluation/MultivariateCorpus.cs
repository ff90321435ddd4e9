using ItOpsStream.Models.Training;

namespace ItOpsStream.Models.Anomaly.Evaluation;

/// <summary>Options of the labelled multivariate synthetic corpus.</summary>
public sealed record MultivariateCorpusOptions
{
    /// <summary>Defaults: seed 42, 12 hosts, 14 days at 5 minutes, 7 days of training history.</summary>
    public static MultivariateCorpusOptions Default { get; } = new();

    /// <summary>Seed of the generator: the same seed gives the same corpus.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Number of hosts (one labelled file each).</summary>
    public int Series { get; init; } = 12;

    /// <summary>Points per labelled file.</summary>
    public int Points { get; init; } = 4032;

    /// <summary>Points of anomaly-free training history per host, before the labelled period.</summary>
    public int TrainingPoints { get; init; } = 2016;

    /// <summary>Sampling interval.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    internal void Validate()
    {
        if (Series < 1 || Points < 200 || TrainingPoints < 100)
        {
            throw new ArgumentOutOfRangeException(nameof(Series), "need at least 1 series of 200 points and 100 training points");
        }

        if (Interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Interval), Interval, "must be positive");
        }
    }
}

/// <summary>
/// A labelled multivariate corpus for the PCA models: a homogeneous fleet of hosts whose
/// <c>requests</c>, <c>cpu</c> and <c>latency_ms</c> all follow one latent load (a daily cycle plus a
/// slowly wandering AR(1) part, so each metric alone swings widely and irregularly), with anomalies
/// that break the relation while every metric alone stays inside its normal range.
/// </summary>
/// <remarks>
/// <para>
/// Load L = 1 + 0.3·sin(day) + AR(1) (φ = 0.97, σ = 0.25); requests = 500·L + N(0, 10), cpu = 10 + 40·L
/// + N(0, 1), latency_ms = 50 + 30·L + N(0, 2). Anomaly kinds cycle over the hosts:
/// <c>cpu_decoupled</c> (cpu behaves as for a load 0.5–0.8 away: a runaway process, throttling),
/// <c>requests_drop</c> (requests fall as if the load were 0.5–0.8 lower while cpu and latency do not: lost
/// traffic with a busy host), <c>latency_decoupled</c> (latency as for a different load), and
/// <c>none</c>. An anomaly lasts 6–24 points; the shift points towards the middle of the range and
/// every anomalous value is clipped to the metric's own 1st–99th percentile in that file, so a
/// univariate detector sees an ordinary value; only the relation between the metrics is wrong.
/// Labels mark each anomaly's first point (NAB style). 1–3 anomalies per host, after NAB's probation.
/// </para>
/// <para>
/// <see cref="Training"/> gives anomaly-free history of the same fleet (the period before the labelled
/// one) in long format, for <c>models train</c>. Like <see cref="SyntheticCorpus"/>, this exercises the
/// code and shows regressions; it is not a benchmark of real data.
/// </para>
/// </remarks>
public static class MultivariateCorpus
{
    /// <summary>The metrics of every host, in file column order.</summary>
    public static IReadOnlyList<string> Metrics { get; } = ["requests", "cpu", "latency_ms"];

    /// <summary>The anomaly kinds, in the order hosts cycle through them.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["cpu_decoupled", "requests_drop", "latency_decoupled", "none"];

    private static readonly long Start = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>The labelled files, one per host (<c>host_NN_KIND</c>).</summary>
    public static IReadOnlyList<MultivariateSeries> Generate(MultivariateCorpusOptions? options = null)
    {
        options ??= MultivariateCorpusOptions.Default;
        options.Validate();
        var step = (long)options.Interval.TotalMilliseconds;
        var result = new List<MultivariateSeries>(options.Series);
        for (var s = 0; s < options.Series; s++)
        {
            var rng = new Random((options.Seed * 7919) + s);
            var kind = Kinds[s % Kinds.Count];
            var from = Start + (options.TrainingPoints * step);
            var columns = Normal(rng, options.Points, from, step);
            var labels = new byte[options.Points];
            if (kind != "none")
            {
                AddAnomalies(rng, kind, columns, labels);
            }

            var timestamps = Enumerable.Range(0, options.Points).Select(i => from + (i * step)).ToArray();
            result.Add(new MultivariateSeries($"host_{s:D2}_{kind}", Metrics, timestamps, columns, labels));
        }

        return result;
    }

    /// <summary>Anomaly-free history of the same hosts (CI <c>host_NN</c>) in long format, before the labelled period.</summary>
    public static IEnumerable<MetricSample> Training(MultivariateCorpusOptions? options = null)
    {
        options ??= MultivariateCorpusOptions.Default;
        options.Validate();
        var step = (long)options.Interval.TotalMilliseconds;
        for (var s = 0; s < options.Series; s++)
        {
            // Another stream than the labelled period's, so the history is not the evaluation data.
            var rng = new Random((options.Seed * 7919) + s + 1_000_003);
            var columns = Normal(rng, options.TrainingPoints, Start, step);
            for (var i = 0; i < options.TrainingPoints; i++)
            {
                for (var m = 0; m < Metrics.Count; m++)
                {
                    yield return new MetricSample(Start + (i * step), $"host_{s:D2}", Metrics[m], Math.Round(columns[m][i], 5));
                }
            }
        }
    }

    private static double[][] Normal(Random rng, int n, long from, long step)
    {
        var phase = (rng.NextDouble() - 0.5) * 0.5;
        var phi = 0.97;
        var innovation = 0.25 * Math.Sqrt(1 - (phi * phi));
        var ar = Gaussian(rng) * 0.25;
        var columns = Metrics.Select(_ => new double[n]).ToArray();
        for (var i = 0; i < n; i++)
        {
            var hour = ((from + (i * step)) % 86_400_000) / 3_600_000.0;
            ar = (phi * ar) + (innovation * Gaussian(rng));
            var load = Math.Max(0.1, 1 + (0.3 * Math.Sin((2 * Math.PI * (hour - 6) / 24) + phase)) + ar);
            columns[0][i] = (500 * load) + (10 * Gaussian(rng));
            columns[1][i] = 10 + (40 * load) + Gaussian(rng);
            columns[2][i] = 50 + (30 * load) + (2 * Gaussian(rng));
        }

        return columns;
    }

    private static void AddAnomalies(Random rng, string kind, double[][] columns, byte[] labels)
    {
        var n = labels.Length;
        var metric = kind switch
        {
            "cpu_decoupled" => 1,
            "requests_drop" => 0,
            _ => 2,
        };
        double[] perLoad = [500, 40, 30];
        var column = columns[metric];
        var sorted = column.Order().ToArray();
        var (low, high) = (sorted[(int)(0.01 * n)], sorted[(int)(0.99 * n)]);
        var middle = sorted[n / 2];
        var count = 1 + rng.Next(3);
        for (var a = 0; a < count; a++)
        {
            // After NAB's probation, apart from each other (as SyntheticCorpus places them).
            var onset = Math.Min((int)(n * (0.2 + (0.75 * (a + (rng.NextDouble() * 0.8)) / count))), n - 30);
            var length = 6 + rng.Next(19);
            var shift = (0.5 + (0.3 * rng.NextDouble())) * perLoad[metric];
            if (kind == "requests_drop")
            {
                shift = -shift;
            }
            else if (column[onset] > middle)
            {
                shift = -shift;
            }

            labels[onset] = 1;
            for (var i = onset; i < onset + length; i++)
            {
                column[i] = Math.Clamp(column[i] + shift, low, high);
            }
        }
    }

    private static double Gaussian(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
