using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Rules;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Cli.Commands;

/// <summary>
/// <c>itopsstream explain --incidents I.jsonl --id INC [--alert FP] [--topology T] [--rules R] [--events E]</c>:
/// why these alerts are together (each join's path, hops and time, the window and the rule), and
/// why a given alert is not in the incident (the incident it is in, or: no path within the hop limit,
/// outside the window, suppressed). Reads the incident records only; the topology and rules add the
/// path and window checks.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var incidents = new Option<string>("--incidents") { Description = "Incident records, JSON Lines (replay --out).", Required = true };
        var id = new Option<string>("--id") { Description = "The incident to explain.", Required = true };
        var alert = new Option<string?>("--alert") { Description = "An alert fingerprint: why it is (or is not) in the incident." };
        var topology = new Option<string?>("--topology") { Description = "Topology file, to check paths between the alert and the incident." };
        var rules = new Option<string?>("--rules") { Description = "The rules file of the run, for the window and hop limits (and, with --events, suppression)." };
        var events = new Option<string?>("--events") { Description = "The telemetry of the run: says which suppress rule kept an alert out of every incident." };
        var command = new Command("explain", "Explain an incident: why its alerts are together, and why a given alert is not in it.")
        {
            incidents, id, alert, topology, rules, events,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(incidents), parse.GetRequiredValue(id), parse.GetValue(alert), parse.GetValue(topology), parse.GetValue(rules), parse.GetValue(events), parse.InvocationConfiguration.Output));
        return command;
    }

    private static int Run(string incidentsPath, string id, string? fingerprint, string? topologyPath, string? rulesPath, string? eventsPath, TextWriter stdout)
    {
        var latest = Read(incidentsPath);
        var ruleSet = ReplayCommand.LoadRules(rulesPath);
        var options = ruleSet.Options.Correlation;
        var graph = topologyPath is null ? null : RulesCommand.LoadTopology(topologyPath);
        if (!latest.TryGetValue(id, out var incident))
        {
            throw new CliInputException($"incident {id} is not in {incidentsPath}");
        }

        if (incident.TryGetProperty("merged_into", out var into) && into.GetString() is { } survivor)
        {
            stdout.WriteLine($"{id} was merged into {survivor}; explaining {survivor}.");
            id = survivor;
            incident = latest.TryGetValue(id, out var s) ? s : throw new CliInputException($"incident {id} is not in {incidentsPath}");
        }

        var alerts = incident.GetProperty("alerts").EnumerateArray().ToList();
        var explanation = incident.GetProperty("explanation").EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToList();
        stdout.WriteLine($"{id} v{incident.GetProperty("version").GetInt64()} {incident.GetProperty("action").GetString()}: {incident.GetProperty("title").GetString()} ({incident.GetProperty("priority").GetString()})");
        stdout.WriteLine($"  opened {incident.GetProperty("opened_at").GetString()}, {alerts.Count} alerts; grouping: alerts {Minutes(options.Window)} apart at most, dependency paths up to {options.MaxHops} hops");
        foreach (var a in alerts)
        {
            stdout.WriteLine($"  - {a.GetProperty("fingerprint").GetString()}  {Text(a, "ci")}  {Text(a, "check")}  {Text(a, "severity")}  {Text(a, "status")}  first seen {Text(a, "first_seen")}{(a.TryGetProperty("inhibited", out var inh) && inh.GetBoolean() ? "  (inhibited)" : "")}");
        }

        stdout.WriteLine("Why these alerts are together:");
        foreach (var line in explanation)
        {
            stdout.WriteLine($"  {line}");
        }

        if (fingerprint is not null)
        {
            if (!ExplainAlert(stdout, latest, id, alerts, explanation, fingerprint, graph, options) && eventsPath is not null)
            {
                ExplainSuppression(stdout, fingerprint, eventsPath, ruleSet, graph ?? TopologyGraph.Empty);
            }
        }

        return CliApp.ExitOk;
    }

    /// <summary>Finds the alert's firings in the events and names the suppress rule that covered each.</summary>
    private static void ExplainSuppression(TextWriter stdout, string fingerprint, string eventsPath, RuleSet rules, TopologyGraph graph)
    {
        if (!File.Exists(eventsPath))
        {
            throw new CliInputException($"events file not found: {eventsPath}");
        }

        var decoder = new NativeRecordDecoder();
        var fingerprints = new Fingerprints(rules.Options.Alerts.FingerprintLabels);
        var engine = new RuleEngine(new RulesProvider(rules), new StaticTopology(graph));
        long line = 0;
        int found = 0;
        foreach (var text in File.ReadLines(eventsPath))
        {
            line++;
            if (text.Length == 0 || !decoder.TryDecode(new RawRecord(Encoding.UTF8.GetBytes(text), new RecordOrigin(eventsPath, -1, line)), out var record, out _, out _)
                || record.Kind != TelemetryKind.Event || record.Status != AlertStatus.Firing
                || (record.DedupKey ?? Fingerprints.DerivedText(fingerprints.Derived(record))) != fingerprint)
            {
                continue;
            }

            found++;
            var snapshot = new AlertSnapshot(fingerprint, record.Source, record.Ci, record.Check, record.Severity, record.Status, false, record.Timestamp, record.Timestamp, 1, record.Timestamp, record.Message, record.Labels);
            var subject = AlertSubject.Of(snapshot, graph);
            var rule = rules.Suppressions.FirstOrDefault(r => engine.Suppresses(r, subject, graph, record.Timestamp));
            stdout.WriteLine(rule is null
                ? $"  {eventsPath}:{line}: fired at {IncidentJson.FormatTime(record.Timestamp)}, no suppress rule covers it"
                : $"  {eventsPath}:{line}: fired at {IncidentJson.FormatTime(record.Timestamp)}, suppressed by rule {rule.Name} ({rule.Position}){(rule.Windows.Count == 0 ? "" : ", window " + string.Join(" or ", rule.Windows.Select(w => w.Describe())))}");
            if (found >= 5)
            {
                break;
            }
        }

        if (found == 0)
        {
            stdout.WriteLine($"  it never fires in {eventsPath}");
        }
    }

    /// <summary>Says where the alert is and why it is not in the incident; false when it is in no incident at all.</summary>
    private static bool ExplainAlert(TextWriter stdout, Dictionary<string, JsonElement> latest, string id, List<JsonElement> alerts, List<string> explanation, string fingerprint, TopologyGraph? graph, CorrelationOptions options)
    {
        stdout.WriteLine($"Alert {fingerprint}:");
        if (alerts.Any(a => a.GetProperty("fingerprint").GetString() == fingerprint))
        {
            foreach (var line in explanation.Where(l => l.Contains(fingerprint, StringComparison.Ordinal)))
            {
                stdout.WriteLine($"  in {id}: {line}");
            }

            return true;
        }

        var home = latest.Values
            .Where(r => !r.TryGetProperty("merged_into", out var m) || m.ValueKind == JsonValueKind.Null)
            .FirstOrDefault(r => r.GetProperty("alerts").EnumerateArray().Any(a => a.GetProperty("fingerprint").GetString() == fingerprint));
        if (home.ValueKind != JsonValueKind.Object)
        {
            stdout.WriteLine($"  is in no incident of this file: it was suppressed by a rule (give --events and --rules to see which), never fired, or its incident closed before this input");
            return false;
        }

        string homeId = home.GetProperty("incident_id").GetString()!;
        var alert = home.GetProperty("alerts").EnumerateArray().First(a => a.GetProperty("fingerprint").GetString() == fingerprint);
        stdout.WriteLine($"  is in {homeId}: {home.GetProperty("title").GetString()}");
        foreach (var line in home.GetProperty("explanation").EnumerateArray().Select(e => e.GetString() ?? string.Empty).Where(l => l.Contains(fingerprint, StringComparison.Ordinal)))
        {
            stdout.WriteLine($"    {line}");
        }

        // Why not here: time first (cheap and decisive), then the topology.
        long onset = Time(alert, "first_seen");
        long nearest = alerts.Select(a => Math.Abs(Time(a, "first_seen") - onset)).DefaultIfEmpty(long.MaxValue).Min();
        long windowMs = (long)options.Window.TotalMilliseconds;
        stdout.WriteLine(nearest > windowMs
            ? $"  not in {id}: outside the window: the nearest onset in {id} is {Seconds(nearest)} away, the window is {Minutes(options.Window)}"
            : $"  time: within the window of {id} (nearest onset {Seconds(nearest)} away)");
        string? ci = Text(alert, "ci") is var c && c != "-" ? c : null;
        if (graph is null)
        {
            stdout.WriteLine("  topology: give --topology to check the paths");
            return true;
        }

        if (ci is null || !graph.TryGetNode(ci, out int node))
        {
            stdout.WriteLine($"  not in {id}: its CI {ci ?? "(none)"} is not in the topology, so it relates only to alerts on the same CI");
            return true;
        }

        int best = int.MaxValue;
        string? via = null;
        foreach (var other in alerts)
        {
            if (Text(other, "ci") is var oc && graph.TryGetNode(oc, out int otherNode) && graph.ShortestPath(node, otherNode, options.MaxHops) is { } path && path.Length - 1 < best)
            {
                best = path.Length - 1;
                via = string.Join(" - ", path.Select(graph.GetId));
            }
        }

        if (via is null)
        {
            stdout.WriteLine($"  not in {id}: no dependency path within {options.MaxHops} hops between {ci} and any CI of {id}");
        }
        else if (nearest > windowMs)
        {
            stdout.WriteLine($"  path to {id}: {via} ({best} hop{(best == 1 ? "" : "s")}), but too far apart in time");
        }
        else
        {
            stdout.WriteLine($"  path to {id}: {via} ({best} hop{(best == 1 ? "" : "s")}); related to both, it joined {homeId} by the better link (same CI, fewer hops, closer onset, older incident), or a grouping rule refused {id}");
        }

        return true;
    }

    private static Dictionary<string, JsonElement> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliInputException($"incidents file not found: {path}");
        }

        var latest = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            try
            {
                var record = JsonDocument.Parse(text).RootElement.Clone();
                string incidentId = record.GetProperty("incident_id").GetString() ?? throw new KeyNotFoundException();
                if (!latest.TryGetValue(incidentId, out var previous) || previous.GetProperty("version").GetInt64() <= record.GetProperty("version").GetInt64())
                {
                    latest[incidentId] = record;
                }
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new CliInputException($"{path}:{line}: not an incident record ({ex.Message.Split('\n')[0]})");
            }
        }

        return latest;
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "-";

    private static long Time(JsonElement element, string name) =>
        DateTimeOffset.Parse(element.GetProperty(name).GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    private static string Seconds(long ms) => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(ms / 1000.0)} s");

    private static string Minutes(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalMinutes:0.#} min");
}
