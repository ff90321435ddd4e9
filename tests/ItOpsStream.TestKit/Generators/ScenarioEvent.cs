using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.TestKit.Generators;

/// <summary>One record of a generated <c>events.jsonl</c>.</summary>
/// <param name="Record">The telemetry record (CONTRACTS §2).</param>
/// <param name="EpochMillis">Write <c>ts</c> as Unix epoch milliseconds instead of RFC 3339 (some tools do).</param>
/// <param name="WrittenAt">Position in the file, in milliseconds: equal to the timestamp except for the few records that arrive late.</param>
public readonly record struct ScenarioEvent(TelemetryRecord Record, bool EpochMillis, long WrittenAt);

/// <summary>A generated scenario: its topology, its events in file order, and its ground truth.</summary>
public sealed record GeneratedScenario(GeneratedTopology Topology, IReadOnlyList<ScenarioEvent> Events, ScenarioTruth Truth)
{
    public string Name => Truth.Scenario;
}
