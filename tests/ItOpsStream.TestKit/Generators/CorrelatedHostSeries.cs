namespace ItOpsStream.TestKit.Generators;

/// <summary>
/// A host whose cpu follows its request rate (cpu = 5 + 0.04·requests + noise, requests on a slow cycle),
/// the series the multivariate model tests train and score on. An anomalous point moves cpu by 20 (the
/// load of 500 requests more or less) while the requests stay as they are: cpu stays inside its normal
/// range, only the relation breaks.
/// </summary>
public static class CorrelatedHostSeries
{
    /// <summary>Point <paramref name="index"/>; draws requests' noise, then cpu's, from <paramref name="rng"/>.</summary>
    public static (double Cpu, double Requests) Point(int index, Random rng, bool anomalous = false)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var requests = 1000 + (350 * Math.Sin(index / 45.0)) + (40 * (rng.NextDouble() - 0.5));
        var cpu = 5 + (0.04 * requests) + (rng.NextDouble() - 0.5);
        if (anomalous)
        {
            cpu += requests > 1000 ? -20 : 20;
        }

        return (cpu, requests);
    }

    /// <summary>
    /// <paramref name="points"/> samples a minute apart from <paramref name="start"/> (epoch ms); the 6 points from
    /// <paramref name="anomalyAt"/> on break the relation.
    /// </summary>
    public static IEnumerable<(long Ts, double Cpu, double Requests)> Minutes(long start, int points, int anomalyAt, int seed)
    {
        var rng = new Random(seed);
        for (var i = 0; i < points; i++)
        {
            var (cpu, requests) = Point(i, rng, i >= anomalyAt && i < anomalyAt + 6);
            yield return (start + (i * 60_000L), cpu, requests);
        }
    }
}
