using System.Globalization;
using System.Text;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Pipeline;

namespace ItOpsStream.Engine.Rules;

/// <summary>The final state of one incident of a run: what reports and backtests compare.</summary>
public sealed record IncidentSummary(string Id, string Title, string PeakPriority, string? RootCause, IReadOnlyList<IncidentAlert> Alerts)
{
    public IReadOnlySet<string> Fingerprints { get; } = Alerts.Select(a => a.Fingerprint).ToHashSet(StringComparer.Ordinal);
}

/// <summary>
/// A decorator of the incidents sink that also keeps, per incident, its latest record and the highest
/// priority it reached; merged incidents are dropped (their alerts live on in the survivor).
/// </summary>
/// <remarks>Written by the delivery thread; read <see cref="Incidents"/> after the run.</remarks>
public sealed class IncidentCollector(IRecordSink<IncidentRecord>? inner = null) : IRecordSink<IncidentRecord>
{
    private readonly Dictionary<string, IncidentRecord> _latest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _peak = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public async ValueTask WriteAsync(IReadOnlyList<IncidentRecord> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var record in batch)
        {
            Add(record);
        }

        if (inner is not null)
        {
            await inner.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => inner?.FlushAsync(cancellationToken) ?? ValueTask.CompletedTask;

    /// <summary>Adds one record (also used to read an incidents file).</summary>
    public void Add(IncidentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_latest.TryGetValue(record.IncidentId, out var previous))
        {
            _order.Add(record.IncidentId);
        }
        else if (previous.Version > record.Version)
        {
            return;
        }

        _latest[record.IncidentId] = record;
        if (record.Action != IncidentAction.Merge && (!_peak.TryGetValue(record.IncidentId, out var peak) || string.CompareOrdinal(record.Priority, peak) < 0))
        {
            _peak[record.IncidentId] = record.Priority;
        }
    }

    /// <summary>The incidents that were not merged away, in the order they opened.</summary>
    public IReadOnlyList<IncidentSummary> Incidents => _order
        .Select(id => _latest[id])
        .Where(r => r.Action != IncidentAction.Merge)
        .Select(r => new IncidentSummary(r.IncidentId, r.Title, _peak.GetValueOrDefault(r.IncidentId, r.Priority), r.CmdbCi, r.Alerts))
        .ToList();
}

/// <summary>The summary an SRE reads after a replay (<c>replay --report</c>).</summary>
public static class ReplayReport
{
    /// <summary>Rows in the "noisiest" tables.</summary>
    public const int TopN = 5;

    /// <summary>Renders the report as plain text; deterministic for the same run.</summary>
    public static string Render(PipelineStats stats, IReadOnlyList<IncidentSummary> incidents, RuleEngine? rules = null, Remediation.RemediationStats? remediation = null)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(incidents);
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

        long alertsIn = stats.Alerts;
        Line("Replay report");
        Line(F($"  records read         {stats.RecordsRead} ({stats.Events} events, {stats.Metrics} metrics, {stats.Logs} logs, {stats.Changes} changes, {stats.DeadLetters} dead letters)"));
        Line(F($"  alerts in            {alertsIn}"));
        Line(F($"  incidents out        {incidents.Count} ({stats.Merges} merged into others)"));
        Line(F($"  compression          {Compression(alertsIn, incidents.Count):0.0}% (1 - incidents / alerts)"));
        Line(F($"  suppressed firings   {stats.SuppressedAlerts}{PerRule(rules?.SuppressedByRule)}"));
        Line(F($"  inhibited alerts     {stats.InhibitedAlerts}{PerRule(rules?.InhibitedByRule)}"));
        if (rules is not null && rules.GroupingRefusals.Count > 0)
        {
            Line(F($"  grouping refusals    {rules.GroupingRefusals.Values.Sum()}{PerRule(rules.GroupingRefusals)}"));
        }

        if (remediation is not null)
        {
            Line(F($"  remediation triggers {remediation.Triggers} ({remediation.Deduplicated} deduplicated, {remediation.RateLimited} rate-limited)"));
        }

        Line("Incidents by priority (highest reached)");
        foreach (var priority in new[] { "P1", "P2", "P3", "P4", "P5" })
        {
            Line(F($"  {priority}  {incidents.Count(i => i.PeakPriority == priority)}"));
        }

        var alerts = incidents.SelectMany(i => i.Alerts).ToList();
        Noisiest(Line, "Noisiest checks (alerts, occurrences)", alerts.GroupBy(a => a.Check ?? "(none)"));
        Noisiest(Line, "Noisiest CIs (alerts, occurrences)", alerts.GroupBy(a => a.Ci ?? "(none)"));
        return text.ToString();
    }

    public static double Compression(long alerts, long incidents) => alerts == 0 ? 0 : 100.0 * (1 - ((double)incidents / alerts));

    private static void Noisiest(Action<string> line, string title, IEnumerable<IGrouping<string, IncidentAlert>> groups)
    {
        line(title);
        var top = groups
            .Select(g => (Key: g.Key, Alerts: g.Count(), Occurrences: g.Sum(a => a.Count)))
            .OrderByDescending(g => g.Alerts).ThenByDescending(g => g.Occurrences).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(TopN).ToList();
        if (top.Count == 0)
        {
            line("  (none)");
        }

        int width = top.Count == 0 ? 0 : top.Max(t => t.Key.Length);
        foreach (var (key, count, occurrences) in top)
        {
            line(string.Create(CultureInfo.InvariantCulture, $"  {key.PadRight(width)}  {count,5}  {occurrences,7}"));
        }
    }

    private static string PerRule(IReadOnlyDictionary<string, long>? byRule) =>
        byRule is null || byRule.Count == 0
            ? string.Empty
            : " (" + string.Join(", ", byRule.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}: {p.Value}"))) + ")";
}
