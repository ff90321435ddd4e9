namespace ItOpsStream.TestKit.Generators;

/// <summary>
/// Parameters of one fault-injection scenario. Everything random derives from <see cref="Seed"/>:
/// the same options give byte-identical files.
/// </summary>
public sealed record ScenarioOptions
{
    /// <summary>Six faults on a medium mesh, seed 1.</summary>
    public static ScenarioOptions Default { get; } = new();

    /// <summary>Scenario name, written to the truth file; derived from shape, size and seed when null.</summary>
    public string? Name { get; init; }

    public int Seed { get; init; } = 1;

    public TopologyOptions Topology { get; init; } = TopologyOptions.Default;

    /// <summary>Event time of the first record (a fault never starts in the first 10 minutes).</summary>
    public DateTimeOffset Start { get; init; } = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Number of injected faults.</summary>
    public int Faults { get; init; } = 6;

    /// <summary>Probability that a fault starts while the previous one is still active (overlapping independent faults in other parts of the estate).</summary>
    public double OverlapProbability { get; init; } = 0.3;

    /// <summary>Unrelated noise alerts per hour of scenario time.</summary>
    public double NoiseAlertsPerHour { get; init; } = 6;

    /// <summary>Share of noise alerts on CIs the topology does not know.</summary>
    public double UnknownCiNoiseShare { get; init; } = 0.2;

    /// <summary>Share of noise alerts on shared platform CIs (DNS, ingress, storage, shared datastores, load balancers).</summary>
    public double PlatformNoiseShare { get; init; } = 0.35;

    /// <summary>Share of alerts that carry an explicit <c>dedup_key</c>; the rest rely on the engine's derived fingerprint.</summary>
    public double ExplicitDedupKeyShare { get; init; } = 0.85;

    /// <summary>Probability that an alert flaps (resolves and re-fires several times) while active.</summary>
    public double FlappingProbability { get; init; } = 0.1;

    /// <summary>Probability that a host/node fault is preferred as the fault kind whenever the shape has hosts with several workloads.</summary>
    public double HostFaultShare { get; init; } = 0.25;

    /// <summary>CIs that stream metrics (one sample per minute) besides those in faults.</summary>
    public int MetricCis { get; init; } = 10;

    /// <summary>Share of records written a few seconds after records with later timestamps (out of order, as from several collectors).</summary>
    public double LateRecordShare { get; init; } = 0.03;

    /// <summary>Most seconds a late record trails.</summary>
    public int MaxLatenessSeconds { get; init; } = 10;

    /// <summary>Cap on alerting CIs per fault (a DNS outage alerts on many, not all).</summary>
    public int MaxAlertingCisPerFault { get; init; } = 40;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public ScenarioOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Topology);
        Topology.Validate();
        Check(Faults >= 0, nameof(Faults), Faults);
        Check(OverlapProbability is >= 0 and <= 1, nameof(OverlapProbability), OverlapProbability);
        Check(NoiseAlertsPerHour >= 0, nameof(NoiseAlertsPerHour), NoiseAlertsPerHour);
        Check(UnknownCiNoiseShare is >= 0 and <= 1, nameof(UnknownCiNoiseShare), UnknownCiNoiseShare);
        Check(PlatformNoiseShare is >= 0 and <= 1 && PlatformNoiseShare + UnknownCiNoiseShare <= 1, nameof(PlatformNoiseShare), PlatformNoiseShare);
        Check(ExplicitDedupKeyShare is >= 0 and <= 1, nameof(ExplicitDedupKeyShare), ExplicitDedupKeyShare);
        Check(FlappingProbability is >= 0 and <= 1, nameof(FlappingProbability), FlappingProbability);
        Check(HostFaultShare is >= 0 and <= 1, nameof(HostFaultShare), HostFaultShare);
        Check(MetricCis >= 0, nameof(MetricCis), MetricCis);
        Check(LateRecordShare is >= 0 and <= 1, nameof(LateRecordShare), LateRecordShare);
        Check(MaxLatenessSeconds >= 0, nameof(MaxLatenessSeconds), MaxLatenessSeconds);
        Check(MaxAlertingCisPerFault >= 1, nameof(MaxAlertingCisPerFault), MaxAlertingCisPerFault);
        return this;
    }

    private static void Check(bool ok, string field, object value)
    {
        if (!ok)
        {
            throw new ArgumentException($"{field} is out of range: {value}", field);
        }
    }
}
