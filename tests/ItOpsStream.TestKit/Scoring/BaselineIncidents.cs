using System.Text.Json;
using ItOpsStream.TestKit.Generators;

namespace ItOpsStream.TestKit.Scoring;

/// <summary>
/// Reference points for the engine's figures, written as incidents (CONTRACTS §3) the scorer reads
/// like the engine's: the oracle and a topology-blind time-window baseline.
/// </summary>
public static class BaselineIncidents
{
    /// <summary>
    /// The incidents a perfect engine would emit (one per fault with its true root first, one per
    /// noise alert). It checks the harness and scorer end to end: scoring it must give F1, top-1 and
    /// top-3 of exactly 1; its compression is the ceiling the scenario allows.
    /// </summary>
    public static void WriteOracle(ScenarioTruth truth, string path)
    {
        ArgumentNullException.ThrowIfNull(truth);
        var groups = truth.Faults.Select(f => (Id: f.Id, Root: f.RootCi, Alerts: truth.Alerts.Where(a => a.Fault == f.Id).ToList()))
            .Concat(truth.Alerts.Where(a => a.Fault is null).Select((a, i) => (Id: $"N{i + 1:D5}", Root: a.Ci, Alerts: new List<AlertTruth> { a })))
            .Where(g => g.Alerts.Count > 0);
        WriteGroups(truth.Scenario, groups, path);
    }

    /// <summary>
    /// The classic topology-blind baseline: alerts in order of first firing, a new incident whenever
    /// an alert fires more than <paramref name="window"/> after the current incident's first alert;
    /// the earliest alert's CI is the root cause. It uses only what the events say (fingerprints
    /// and first firing times), so it shows what topology is worth on top of time alone.
    /// </summary>
    public static void WriteTimeWindow(ScenarioTruth truth, TimeSpan window, string path)
    {
        ArgumentNullException.ThrowIfNull(truth);
        var groups = new List<(string Id, string Root, List<AlertTruth> Alerts)>();
        foreach (var alert in truth.Alerts.OrderBy(a => a.FirstFiring).ThenBy(a => a.Ci, StringComparer.Ordinal))
        {
            if (groups.Count == 0 || alert.FirstFiring - groups[^1].Alerts[0].FirstFiring > window)
            {
                groups.Add(($"W{groups.Count + 1:D5}", alert.Ci, []));
            }

            groups[^1].Alerts.Add(alert);
        }

        WriteGroups(truth.Scenario, groups, path);
    }

    private static void WriteGroups(string scenario, IEnumerable<(string Id, string Root, List<AlertTruth> Alerts)> groups, string path)
    {
        using var stream = File.Create(path);
        var options = new JsonWriterOptions { Indented = false };
        foreach (var (id, root, alerts) in groups)
        {
            // Two versions each, as a live engine writes them: the scorer must keep the latest.
            for (int version = 1; version <= 2; version++)
            {
                using (var w = new Utf8JsonWriter(stream, options))
                {
                    w.WriteStartObject();
                    w.WriteString("incident_id", $"INC-{scenario}-{id}");
                    w.WriteNumber("version", version);
                    w.WriteString("action", version == 1 ? "open" : "update");
                    w.WriteStartArray("root_cause");
                    w.WriteStartObject();
                    w.WriteString("ci", version == 1 ? alerts[0].Ci : root);
                    w.WriteNumber("score", 1);
                    w.WriteString("reason", "ground truth");
                    w.WriteEndObject();
                    w.WriteEndArray();
                    w.WriteStartArray("alerts");
                    foreach (var a in version == 1 ? alerts.Take(1) : alerts)
                    {
                        w.WriteStartObject();
                        w.WriteString("fingerprint", a.DedupKey ?? $"derived:{a.Source}:{a.Ci}:{a.Check}");
                        w.WriteString("ci", a.Ci);
                        w.WriteString("check", a.Check);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                stream.WriteByte((byte)'\n');
            }
        }
    }
}
