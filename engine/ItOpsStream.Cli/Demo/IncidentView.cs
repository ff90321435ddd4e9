using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;

namespace ItOpsStream.Cli.Demo;

/// <summary>
/// Reads the incidents topic back, as an ITSM integration would, and shows each incident's latest
/// version: a live table on a terminal, one line per change when the output is redirected.
/// </summary>
internal sealed class IncidentView(string bootstrapServers, string topic, TextWriter output, bool redraw)
{
    private readonly Dictionary<string, Row> _rows = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Incidents seen, and how many of them are not resolved.</summary>
    public (int Total, int Open) Counts()
    {
        lock (_gate)
        {
            return (_rows.Count, _rows.Values.Count(r => r.Action != "resolve" && r.Action != "merge"));
        }
    }

    /// <summary>Consumes the incidents topic on its own thread until cancelled.</summary>
    public Task ConsumeAsync(CancellationToken cancellationToken) => Task.Factory.StartNew(() =>
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "itopsstream-demo-view",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        while (!cancellationToken.IsCancellationRequested)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result?.Message?.Value is { } value && Parse(value) is { } row)
            {
                bool changed;
                lock (_gate)
                {
                    changed = !_rows.TryGetValue(row.Id, out var old) || old.Version < row.Version;
                    if (changed)
                    {
                        _rows[row.Id] = row;
                    }
                }

                if (changed && !redraw)
                {
                    output.WriteLine($"{DateTime.Now:HH:mm:ss} {row.Action.ToUpperInvariant(),-7} {row.Priority} {Short(row.Id)} v{row.Version} {row.Title} | root cause: {row.RootCause} | impacted: {row.Impacted} | alerts: {row.Firing} of {row.Alerts} firing, {row.Checks}");
                }
            }
        }

        consumer.Close();
    }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Redraws the table with <paramref name="status"/> as the last line (terminal mode only).</summary>
    public void Render(string status)
    {
        if (!redraw)
        {
            return;
        }

        List<Row> rows;
        lock (_gate)
        {
            rows = _rows.Values
                .OrderBy(r => r.Action is "resolve" or "merge" ? 1 : 0)
                .ThenBy(r => r.Priority, StringComparer.Ordinal)
                .ThenByDescending(r => r.UpdatedAt, StringComparer.Ordinal)
                .Take(Math.Max(5, Console.WindowHeight - 8))
                .ToList();
        }

        int width = Math.Max(80, Console.WindowWidth);
        var screen = new StringBuilder();
        screen.Append("\u001b[H\u001b[2J");
        screen.AppendLine("\u001b[1mItOpsStream demo\u001b[0m — incidents read back from the itops.incidents topic (Ctrl-C to stop)");
        screen.AppendLine();
        screen.AppendLine(Fit($"{"STATE",-8} {"PRI",-3} {"INCIDENT",-12} {"VER",3} {"FIRING",7}  {"ROOT CAUSE",-26} {"IMPACTED SERVICES",-34} TITLE", width));
        foreach (var r in rows)
        {
            var color = r.Action is "resolve" or "merge" ? "\u001b[32m" : r.Priority is "P1" or "P2" ? "\u001b[31m" : "\u001b[33m";
            screen.Append(color);
            screen.Append(Fit($"{r.Action.ToUpperInvariant(),-8} {r.Priority,-3} {Short(r.Id),-12} {r.Version,3} {$"{r.Firing}/{r.Alerts}",7}  {Cut(r.RootCause, 26),-26} {Cut(r.Impacted, 34),-34} {r.Title}", width));
            screen.AppendLine("\u001b[0m");
        }

        if (rows.Count == 0)
        {
            screen.AppendLine("(waiting for the first incident: faults are injected every few seconds)");
        }

        screen.AppendLine();
        screen.Append(Fit(status, width));
        output.Write(screen.ToString());
        output.Flush();
    }

    private static Row? Parse(byte[] json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            string Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : string.Empty;
            var rootCause = root.TryGetProperty("root_cause", out var rc) && rc.ValueKind == JsonValueKind.Array && rc.GetArrayLength() > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{rc[0].GetProperty("ci").GetString()} ({rc[0].GetProperty("score").GetDouble():0.00})")
                : "-";
            var impacted = root.TryGetProperty("impacted_services", out var im) && im.ValueKind == JsonValueKind.Array
                ? string.Join(", ", im.EnumerateArray().Select(e => e.GetString()))
                : string.Empty;
            bool hasAlerts = root.TryGetProperty("alerts", out var a) && a.ValueKind == JsonValueKind.Array;
            int alerts = hasAlerts ? a.GetArrayLength() : 0;

            // Alerts resolving one by one are versions of their own: the firing count is what changed.
            int firing = hasAlerts
                ? a.EnumerateArray().Count(e => e.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.String && st.GetString() == "firing")
                : 0;

            // Which checks joined (metric anomalies and log-derived alerts among them), in order of first appearance.
            var checks = hasAlerts
                ? string.Join(", ", a.EnumerateArray().Select(e => e.TryGetProperty("check", out var c) ? c.GetString() : null).OfType<string>().Distinct(StringComparer.Ordinal))
                : string.Empty;
            return new Row(Text("incident_id"), root.GetProperty("version").GetInt64(), Text("action"), Text("priority"), Text("title"), rootCause, impacted.Length == 0 ? "-" : impacted, alerts, firing, checks.Length == 0 ? "-" : checks, Text("updated_at"));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Short(string id) => id.Length > 12 ? id[..12] : id;

    private static string Cut(string text, int width) => text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");

    private static string Fit(string line, int width) => line.Length <= width ? line : line[..width];

    private sealed record Row(string Id, long Version, string Action, string Priority, string Title, string RootCause, string Impacted, int Alerts, int Firing, string Checks, string UpdatedAt);
}
