namespace ItOpsStream.Models.Anomaly.Evaluation;

/// <summary>Options of the labelled synthetic corpus.</summary>
public sealed record SyntheticCorpusOptions
{
    public static SyntheticCorpusOptions Default { get; } = new();

    /// <summary>Seed of the generator: the same seed gives the same corpus.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Number of series.</summary>
    public int Series { get; init; } = 24;

    /// <summary>Points per series before missing points are dropped (4032 = 14 days at 5 minutes, as most NAB files).</summary>
    public int Points { get; init; } = 4032;

    /// <summary>Sampling interval.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Labelled synthetic series for evaluating detectors: daily and weekly seasonality, trend, Gaussian
/// or heavy-tailed noise, missing points and gaps, and anomalies of five kinds (spike, level shift,
/// trend change, variance change, seasonality loss). Labels mark the first point of each anomaly, as NAB.
/// </summary>
/// <remarks>
/// This corpus exercises the code and shows regressions; it is not what the defaults were chosen
/// on, and a detector's figure here says little about real data (see docs/MODELS.md).
/// </remarks>
public static class SyntheticCorpus
{
    /// <summary>The anomaly kinds, in the order series cycle through them.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["spike", "level_shift", "trend_change", "variance_change", "seasonality_loss", "none"];

    public static IReadOnlyList<LabeledSeries> Generate(SyntheticCorpusOptions? options = null)
    {
        options ??= SyntheticCorpusOptions.Default;
        if (options.Series < 1 || options.Points < 200)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "need at least 1 series of 200 points");
        }

        var result = new List<LabeledSeries>(options.Series);
        for (var s = 0; s < options.Series; s++)
        {
            var rng = new Random(options.Seed * 7919 + s);
            var kind = Kinds[s % Kinds.Count];
            result.Add(One(rng, $"synth_{s:D2}_{kind}", kind, options));
        }

        return result;
    }

    private static LabeledSeries One(Random rng, string name, string kind, SyntheticCorpusOptions o)
    {
        var n = o.Points;
        var start = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var step = (long)o.Interval.TotalMilliseconds;
        var level = 10 + (rng.NextDouble() * 90);
        var noise = level * (0.01 + (0.05 * rng.NextDouble()));
        var daily = rng.NextDouble() < 0.7 ? level * 0.3 * rng.NextDouble() : 0;
        var weekend = rng.NextDouble() < 0.4 ? 0.3 * rng.NextDouble() : 0;
        var heavy = rng.NextDouble() < 0.3;
        var trend = rng.NextDouble() < 0.3 ? (rng.NextDouble() - 0.5) * level / n : 0;

        var values = new double[n];
        var labels = new byte[n];
        var anomalies = kind == "none" ? 0 : 1 + rng.Next(3);
        var onsets = new List<int>();
        for (var a = 0; a < anomalies; a++)
        {
            // After NAB's probation, apart from each other.
            var at = (int)(n * (0.2 + (0.75 * (a + rng.NextDouble() * 0.8) / anomalies)));
            onsets.Add(Math.Min(at, n - 20));
        }

        var shift = 0.0;
        var slope = 0.0;
        var noiseFactor = 1.0;
        var seasonFactor = 1.0;
        for (var i = 0; i < n; i++)
        {
            var ts = start + (i * step);
            var hourOfDay = (ts % 86_400_000) / 3_600_000.0;
            var dayOfWeek = (int)((ts / 86_400_000 + 4) % 7);
            var season = daily * Math.Sin(2 * Math.PI * (hourOfDay - 6) / 24) * seasonFactor;
            var week = dayOfWeek is 0 or 6 ? -weekend * level * seasonFactor : 0;
            var e = Gaussian(rng);
            if (heavy && rng.NextDouble() < 0.02)
            {
                e *= 3;
            }

            var spike = 0.0;
            var onsetIndex = onsets.IndexOf(i);
            if (onsetIndex >= 0)
            {
                labels[i] = 1;
                switch (kind)
                {
                    case "spike":
                        spike = (rng.NextDouble() < 0.5 ? -1 : 1) * (8 + (8 * rng.NextDouble())) * noise;
                        break;
                    case "level_shift":
                        shift += (rng.NextDouble() < 0.5 ? -1 : 1) * (3 + (5 * rng.NextDouble())) * noise;
                        break;
                    case "trend_change":
                        slope += (rng.NextDouble() < 0.5 ? -1 : 1) * (0.1 + (0.2 * rng.NextDouble())) * noise;
                        break;
                    case "variance_change":
                        noiseFactor = noiseFactor > 1 ? 1 : 4 + (2 * rng.NextDouble());
                        break;
                    case "seasonality_loss":
                        seasonFactor = seasonFactor > 0 ? 0 : 1;
                        if (daily == 0)
                        {
                            shift += 5 * noise;
                        }

                        break;
                }
            }

            values[i] = level + (trend * i) + season + week + shift + (slope * CountSince(onsets, i, kind)) + (e * noise * noiseFactor) + spike;
        }

        // Missing points: ~1 % at random plus one gap of a few hours, never the labelled points.
        var keep = new bool[n];
        Array.Fill(keep, true);
        var gapStart = (int)(n * (0.3 + (0.4 * rng.NextDouble())));
        var gapLength = 12 + rng.Next(36);
        for (var i = 0; i < n; i++)
        {
            if (labels[i] == 0 && (rng.NextDouble() < 0.01 || (i >= gapStart && i < gapStart + gapLength)))
            {
                keep[i] = false;
            }
        }

        var idx = Enumerable.Range(0, n).Where(i => keep[i]).ToArray();
        return new LabeledSeries(
            name,
            idx.Select(i => start + (i * step)).ToArray(),
            idx.Select(i => Math.Round(values[i], 4)).ToArray(),
            idx.Select(i => labels[i]).ToArray());
    }

    private static double CountSince(List<int> onsets, int i, string kind)
    {
        if (kind != "trend_change" || onsets.Count == 0 || i < onsets.Min())
        {
            return 0;
        }

        return i - onsets.Where(o => o <= i).Max();
    }

    private static double Gaussian(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
