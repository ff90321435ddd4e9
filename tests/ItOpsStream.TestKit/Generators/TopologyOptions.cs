namespace ItOpsStream.TestKit.Generators;

/// <summary>Parameters of one generated topology. Same options, same topology, byte for byte.</summary>
public sealed record TopologyOptions
{
    /// <summary>A medium microservice mesh with seed 1.</summary>
    public static TopologyOptions Default { get; } = new();

    public TopologyShape Shape { get; init; } = TopologyShape.Mesh;

    /// <summary>Number of application services (the size knob; hosts, datastores and platform CIs scale with it). At least 3.</summary>
    public int Services { get; init; } = 30;

    public int Seed { get; init; } = 1;

    /// <summary>Random extra service-to-service edges, as a fraction of the service count (real CMDBs are never clean trees).</summary>
    public double ExtraEdgeRate { get; init; } = 0.08;

    /// <summary>Probability that the topology gets one or two dependency cycles (callbacks between services).</summary>
    public double CycleProbability { get; init; } = 0.35;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public TopologyOptions Validate()
    {
        if (Services < 3)
        {
            throw new ArgumentException($"Services must be at least 3, was {Services}", nameof(Services));
        }

        if (ExtraEdgeRate is < 0 or > 1)
        {
            throw new ArgumentException($"ExtraEdgeRate must be in [0,1], was {ExtraEdgeRate}", nameof(ExtraEdgeRate));
        }

        if (CycleProbability is < 0 or > 1)
        {
            throw new ArgumentException($"CycleProbability must be in [0,1], was {CycleProbability}", nameof(CycleProbability));
        }

        return this;
    }
}
