using System.Globalization;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.TestKit.Generators;

/// <summary>
/// Injects faults into a generated topology and writes what monitoring would have seen: alerts
/// propagating from a root CI to (some of) its transitive dependents with realistic delays,
/// repeats, flapping, resolves, unrelated noise (also on shared platform CIs and unknown CIs),
/// overlapping independent faults, suspect changes before some faults, and metric and log records.
/// Deterministic from <see cref="ScenarioOptions.Seed"/>.
/// </summary>
public static class FaultScenarioGenerator
{
    /// <summary>Generates the topology and the scenario the options describe.</summary>
    public static GeneratedScenario Generate(ScenarioOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var topology = TopologyGenerator.Generate(options.Topology);
        return Generate(options, topology);
    }

    /// <summary>Generates a scenario on an existing topology.</summary>
    public static GeneratedScenario Generate(ScenarioOptions options, GeneratedTopology topology)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(topology);
        options.Validate();
        string name = options.Name ?? string.Create(CultureInfo.InvariantCulture, $"{topology.ShapeName}-{topology.Options.Services}-s{options.Seed}");
        var run = new ScenarioRun(options, topology, name);
        return run.Execute();
    }

    internal static string FormatTimestamp(long epochMillis) =>
        DateTimeOffset.FromUnixTimeMilliseconds(epochMillis).UtcDateTime.ToString(epochMillis % 1000 == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    internal static TelemetryRecord Alert(long ts, string ci, string source, string check, Severity severity, AlertStatus status, string? dedupKey, string message, LabelSet labels) =>
        new(ts, TelemetryKind.Event, ci, Source: source, Check: check, Severity: severity, Status: status, DedupKey: dedupKey, Message: message, Labels: labels);
}
