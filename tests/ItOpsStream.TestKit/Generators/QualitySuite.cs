namespace ItOpsStream.TestKit.Generators;

/// <summary>
/// The generated quality suite: scenarios spread evenly over the four shapes and three sizes, each
/// with its own seeds; plus one large scenario with at least 10 000 distinct alerts.
/// </summary>
public static class QualitySuite
{
    /// <summary>Application services per size: small, medium, large.</summary>
    public static IReadOnlyList<int> Sizes { get; } = [12, 30, 80];

    public static IReadOnlyList<ScenarioOptions> Plan(int scenarios, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scenarios, 1);
        var shapes = Enum.GetValues<TopologyShape>();
        var plan = new List<ScenarioOptions>(scenarios);
        for (int i = 0; i < scenarios; i++)
        {
            var shape = shapes[i % shapes.Length];
            int size = Sizes[i / shapes.Length % Sizes.Count];
            int s = (seed * 1000) + i;
            plan.Add(new ScenarioOptions
            {
                Seed = s,
                Topology = new TopologyOptions { Shape = shape, Services = size, Seed = s },
                Faults = size switch { <= 12 => 4, <= 30 => 6, _ => 10 },
                // More noise on bigger estates, as in life; overlap grows with the number of faults.
                NoiseAlertsPerHour = size switch { <= 12 => 4, <= 30 => 6, _ => 10 },
                Start = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero).AddDays(i),
            });
        }

        return plan;
    }

    /// <summary>
    /// Scenarios on the reference applications (<see cref="ReferenceTopologies"/>): <paramref name="perApplication"/>
    /// each, 4 faults and 4 noise alerts per hour like the small generated estates.
    /// </summary>
    public static IReadOnlyList<GeneratedScenario> Reference(int perApplication, int seed)
    {
        var scenarios = new List<GeneratedScenario>();
        foreach (var name in ReferenceTopologies.Names)
        {
            for (int i = 0; i < perApplication; i++)
            {
                int s = (seed * 1000) + 500 + i;
                var topology = ReferenceTopologies.Build(name, s);
                scenarios.Add(FaultScenarioGenerator.Generate(new ScenarioOptions { Seed = s, Faults = 4, NoiseAlertsPerHour = 4, Topology = topology.Options }, topology));
            }
        }

        return scenarios;
    }

    /// <summary>A mesh of 1 500 services with enough faults and noise for at least 10 000 distinct alerts.</summary>
    public static ScenarioOptions Large(int seed) => new()
    {
        Name = $"mesh-10k-s{seed}",
        Seed = (seed * 1000) + 999,
        Topology = new TopologyOptions { Shape = TopologyShape.Mesh, Services = 1500, Seed = (seed * 1000) + 999 },
        Faults = 1500,
        OverlapProbability = 0.4,
        NoiseAlertsPerHour = 6,
        MetricCis = 4,
        Start = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero),
    };
}
