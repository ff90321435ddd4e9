using System.Text.Json;
using System.Text.Json.Serialization;

namespace ItOpsStream.TestKit.Generators;

/// <summary>
/// The ground truth of a generated scenario (<c>truth.json</c>, documented in docs/TESTKIT.md):
/// every injected fault with its root CI, and every distinct alert with the fault it belongs to,
/// or none when it is noise.
/// </summary>
public sealed record ScenarioTruth
{
    public int FormatVersion { get; init; } = 1;

    public required string Scenario { get; init; }

    public required string Shape { get; init; }

    public required int Seed { get; init; }

    public required int Services { get; init; }

    public required DateTimeOffset Start { get; init; }

    public required DateTimeOffset End { get; init; }

    public required IReadOnlyList<FaultTruth> Faults { get; init; }

    public required IReadOnlyList<AlertTruth> Alerts { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a truth file; throws <see cref="FormatException"/> naming the file on bad content.</summary>
    public static ScenarioTruth Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<ScenarioTruth>(stream, Json) ?? throw new FormatException($"{path}: empty truth file");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{path}: not a truth file: {ex.Message}", ex);
        }
    }
}

/// <summary>What kind of failure a fault is.</summary>
public enum FaultKind
{
    ServiceFailure,
    DatastoreFailure,
    HostFailure,
    PodFailure,
    PlatformFailure,
}

/// <summary>One injected fault: where it started, when, and which CIs alerted because of it.</summary>
public sealed record FaultTruth
{
    public required string Id { get; init; }

    public required FaultKind Kind { get; init; }

    /// <summary>The CI that failed first; the correct root cause.</summary>
    public required string RootCi { get; init; }

    public required DateTimeOffset Start { get; init; }

    public required DateTimeOffset End { get; init; }

    /// <summary>Change ids recorded on the root CI shortly before the fault: the suspect changes an engine should name.</summary>
    public required IReadOnlyList<string> SuspectChanges { get; init; }

    /// <summary>CIs with at least one alert of this fault, root first.</summary>
    public required IReadOnlyList<string> AlertingCis { get; init; }

    /// <summary>Faults active at the same time (independent, in other parts of the topology).</summary>
    public required IReadOnlyList<string> Overlaps { get; init; }
}

/// <summary>Why a noise alert is noise.</summary>
public enum NoiseKind
{
    /// <summary>Unrelated alert on an ordinary CI.</summary>
    Random,

    /// <summary>Unrelated alert on a shared platform CI (DNS, ingress, storage, shared datastores) that many things depend on.</summary>
    Platform,

    /// <summary>Alert on a CI the topology does not know.</summary>
    UnknownCi,
}

/// <summary>
/// One distinct alert (one fingerprint). An incident's alert is matched to it by
/// <see cref="DedupKey"/> when set, otherwise by (<see cref="Ci"/>, <see cref="Check"/>), which the
/// generator keeps unique within a scenario.
/// </summary>
public sealed record AlertTruth
{
    /// <summary>The explicit fingerprint written in the events, or null when the engine derives one.</summary>
    public string? DedupKey { get; init; }

    public required string Source { get; init; }

    public required string Ci { get; init; }

    public required string Check { get; init; }

    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    /// <summary>The fault this alert belongs to, or null for noise.</summary>
    public string? Fault { get; init; }

    /// <summary>Set for noise alerts.</summary>
    public NoiseKind? Noise { get; init; }

    /// <summary>Hops from the fault's root along dependents (0 = the root CI itself); null for noise.</summary>
    public int? Hops { get; init; }

    public required DateTimeOffset FirstFiring { get; init; }

    public required bool Flapping { get; init; }

    public required bool Resolved { get; init; }

    /// <summary>Firing and resolved events written for this alert (repeats and flaps included).</summary>
    public required int Events { get; init; }
}
