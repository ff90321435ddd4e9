using ItOpsStream.Engine.Pipeline;

namespace ItOpsStream.Engine.Alerts;

/// <summary>Dedup and alert lifecycle settings. All durations are event time.</summary>
public sealed record AlertOptions
{
    /// <summary>The defaults documented on each property.</summary>
    public static AlertOptions Default { get; } = new();

    /// <summary>
    /// Label names that take part in a derived fingerprint (no <c>dedup_key</c>), besides source, ci
    /// and check. Null (the default) means all labels, as Alertmanager does; an empty list means none.
    /// </summary>
    public IReadOnlyList<string>? FingerprintLabels { get; init; }

    /// <summary>State changes (firing ↔ resolved) within <see cref="FlapWindow"/> that mark an alert flapping. Default 4.</summary>
    public int FlapThreshold { get; init; } = 4;

    /// <summary>
    /// The flapping window. A flapping alert stops flapping after this long without a state change,
    /// and only then does its resolve reach the incident. Default 10 min.
    /// </summary>
    public TimeSpan FlapWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A firing alert with no repeat for this long resolves by itself ("stale"). Default 1 h.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A resolved alert is forgotten this long after its last change (at least one flap window), so
    /// a long-running engine keeps only recent alerts; if it fires later it starts with count 1.
    /// Default 2 h.
    /// </summary>
    public TimeSpan ResolvedRetention { get; init; } = TimeSpan.FromHours(2);

    public AlertOptions Validate()
    {
        PipelineOptions.Check(FlapThreshold >= 2, nameof(FlapThreshold), "must be at least 2");
        PipelineOptions.Check(FlapWindow > TimeSpan.Zero, nameof(FlapWindow), "must be positive");
        PipelineOptions.Check(StaleAfter > TimeSpan.Zero, nameof(StaleAfter), "must be positive");
        PipelineOptions.Check(ResolvedRetention >= TimeSpan.Zero, nameof(ResolvedRetention), "must not be negative");
        return this;
    }
}
