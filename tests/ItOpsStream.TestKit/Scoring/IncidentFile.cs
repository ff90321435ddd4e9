using System.Text.Json;

namespace ItOpsStream.TestKit.Scoring;

/// <summary>An alert as listed in an incident record.</summary>
public sealed record IncidentAlertRef(string Fingerprint, string? Ci, string? Check);

/// <summary>
/// The final state of one surviving incident (its latest version, not merged away). <c>Order</c> is
/// the position of the incident's first record in the file: the order incidents were opened.
/// </summary>
public sealed record IncidentSnapshot(string IncidentId, long Version, string Action, IReadOnlyList<string> RootCause, IReadOnlyList<IncidentAlertRef> Alerts, int Order)
{
    /// <summary>The score of each root-cause candidate, in the order of <see cref="RootCause"/> (NaN when the record gave none).</summary>
    public IReadOnlyList<double> RootCauseScores { get; init; } = [];
}

/// <summary>
/// Reads an incidents JSONL file (CONTRACTS §3) into final incidents: the highest
/// <c>version</c> of each <c>incident_id</c> wins, and incidents whose latest record is a
/// <c>merge</c> are dropped (their alerts are listed by the surviving incident).
/// </summary>
public static class IncidentFile
{
    /// <summary>Reads a file; throws <see cref="FormatException"/> with file and line for an unreadable record.</summary>
    public static IReadOnlyList<IncidentSnapshot> Read(string path)
    {
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    public static IReadOnlyList<IncidentSnapshot> Read(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var latest = new Dictionary<string, IncidentSnapshot>(StringComparer.Ordinal);
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            IncidentSnapshot record;
            try
            {
                record = Parse(line, latest.Count);
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new FormatException($"{name}:{lineNumber}: not an incident record: {ex.Message}", ex);
            }

            if (latest.TryGetValue(record.IncidentId, out var seen))
            {
                if (record.Version > seen.Version)
                {
                    latest[record.IncidentId] = record with { Order = seen.Order };
                }
            }
            else
            {
                latest[record.IncidentId] = record;
            }
        }

        return latest.Values.Where(i => !string.Equals(i.Action, "merge", StringComparison.Ordinal)).OrderBy(i => i.Order).ToList();
    }

    private static IncidentSnapshot Parse(string line, int order)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        string id = root.GetProperty("incident_id").GetString() ?? throw new FormatException("incident_id is null");
        long version = root.GetProperty("version").GetInt64();
        string action = root.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "update";
        var rootCause = new List<string>();
        var scores = new List<double>();
        if (root.TryGetProperty("root_cause", out var rc) && rc.ValueKind == JsonValueKind.Array)
        {
            foreach (var candidate in rc.EnumerateArray())
            {
                if (candidate.TryGetProperty("ci", out var ci) && ci.GetString() is { } ciId)
                {
                    rootCause.Add(ciId);
                    scores.Add(candidate.TryGetProperty("score", out var score) && score.ValueKind == JsonValueKind.Number ? score.GetDouble() : double.NaN);
                }
            }
        }

        var alerts = new List<IncidentAlertRef>();
        if (root.TryGetProperty("alerts", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var alert in list.EnumerateArray())
            {
                alerts.Add(new IncidentAlertRef(
                    alert.GetProperty("fingerprint").GetString() ?? throw new FormatException("alert fingerprint is null"),
                    alert.TryGetProperty("ci", out var ci) && ci.ValueKind == JsonValueKind.String ? ci.GetString() : null,
                    alert.TryGetProperty("check", out var check) && check.ValueKind == JsonValueKind.String ? check.GetString() : null));
            }
        }

        return new IncidentSnapshot(id, version, action, rootCause, alerts, order) { RootCauseScores = scores };
    }
}
