using System.Globalization;
using System.Text;

namespace ItOpsStream.Engine.Rules;

/// <summary>
/// What a rule change does to incidents: the incidents of two runs over the same input, matched by
/// the alerts they share. An old incident whose alerts now lie in several new ones <b>split</b>; a new
/// incident holding alerts of several old ones <b>merged</b> them; incidents sharing no alert with the
/// other run <b>appeared</b> or <b>disappeared</b>; one-to-one pairs are unchanged or changed.
/// </summary>
public sealed record BacktestResult(
    int OldIncidents,
    int NewIncidents,
    long OldAlerts,
    long NewAlerts,
    IReadOnlyList<(IncidentSummary Old, IReadOnlyList<IncidentSummary> Into)> Splits,
    IReadOnlyList<(IncidentSummary New, IReadOnlyList<IncidentSummary> From)> Merges,
    IReadOnlyList<IncidentSummary> Appeared,
    IReadOnlyList<IncidentSummary> Disappeared,
    IReadOnlyList<(IncidentSummary Old, IncidentSummary New)> Changed,
    int Unchanged)
{
    public double CompressionBefore => ReplayReport.Compression(OldAlerts, OldIncidents);

    public double CompressionAfter => ReplayReport.Compression(NewAlerts, NewIncidents);

    /// <summary>Matches the incidents of two runs (each in opening order).</summary>
    public static BacktestResult Compare(IReadOnlyList<IncidentSummary> before, IReadOnlyList<IncidentSummary> after, long alertsBefore, long alertsAfter)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var newByAlert = new Dictionary<string, IncidentSummary>(StringComparer.Ordinal);
        foreach (var incident in after)
        {
            foreach (var fingerprint in incident.Fingerprints)
            {
                newByAlert.TryAdd(fingerprint, incident);
            }
        }

        var oldByAlert = new Dictionary<string, IncidentSummary>(StringComparer.Ordinal);
        foreach (var incident in before)
        {
            foreach (var fingerprint in incident.Fingerprints)
            {
                oldByAlert.TryAdd(fingerprint, incident);
            }
        }

        List<IncidentSummary> Related(IncidentSummary incident, Dictionary<string, IncidentSummary> other) =>
            incident.Alerts.Select(a => other.GetValueOrDefault(a.Fingerprint)).OfType<IncidentSummary>().Distinct().ToList();

        var splits = new List<(IncidentSummary, IReadOnlyList<IncidentSummary>)>();
        var merges = new List<(IncidentSummary, IReadOnlyList<IncidentSummary>)>();
        var appeared = new List<IncidentSummary>();
        var disappeared = new List<IncidentSummary>();
        var changed = new List<(IncidentSummary, IncidentSummary)>();
        int unchanged = 0;
        foreach (var old in before)
        {
            var into = Related(old, newByAlert);
            if (into.Count == 0)
            {
                disappeared.Add(old);
            }
            else if (into.Count > 1)
            {
                splits.Add((old, into));
            }
            else if (Related(into[0], oldByAlert).Count == 1)
            {
                if (old.Fingerprints.SetEquals(into[0].Fingerprints))
                {
                    unchanged++;
                }
                else
                {
                    changed.Add((old, into[0]));
                }
            }
        }

        foreach (var incident in after)
        {
            var from = Related(incident, oldByAlert);
            if (from.Count == 0)
            {
                appeared.Add(incident);
            }
            else if (from.Count > 1)
            {
                merges.Add((incident, from));
            }
        }

        return new BacktestResult(before.Count, after.Count, alertsBefore, alertsAfter, splits, merges, appeared, disappeared, changed, unchanged);
    }

    /// <summary>Plain text, deterministic.</summary>
    public string Render(string oldName, string newName)
    {
        var text = new StringBuilder();
        void Line(FormattableString line) => text.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');
        Line($"Backtest: {oldName} -> {newName}");
        Line($"  incidents    {OldIncidents} -> {NewIncidents}");
        Line($"  alerts       {OldAlerts} -> {NewAlerts}");
        Line($"  compression  {CompressionBefore:0.0}% -> {CompressionAfter:0.0}%");
        Line($"  unchanged {Unchanged}, changed {Changed.Count}, split {Splits.Count}, merged {Merges.Count}, appeared {Appeared.Count}, disappeared {Disappeared.Count}");
        foreach (var (old, into) in Splits)
        {
            Line($"split     {old.Id} ({old.Alerts.Count} alerts, {old.Title}) into {string.Join(", ", into.Select(i => $"{i.Id} ({i.Alerts.Count})"))}");
        }

        foreach (var (incident, from) in Merges)
        {
            Line($"merged    {string.Join(", ", from.Select(i => $"{i.Id} ({i.Alerts.Count})"))} into {incident.Id} ({incident.Alerts.Count} alerts, {incident.Title})");
        }

        foreach (var (old, incident) in Changed)
        {
            int added = incident.Fingerprints.Count(f => !old.Fingerprints.Contains(f));
            int removed = old.Fingerprints.Count(f => !incident.Fingerprints.Contains(f));
            Line($"changed   {old.Id} -> {incident.Id}: +{added} / -{removed} alerts, priority {old.PeakPriority} -> {incident.PeakPriority}");
        }

        foreach (var incident in Appeared)
        {
            Line($"appeared  {incident.Id} ({incident.Alerts.Count} alerts, {incident.PeakPriority}, {incident.Title})");
        }

        foreach (var incident in Disappeared)
        {
            Line($"disappeared {incident.Id} ({incident.Alerts.Count} alerts, {incident.PeakPriority}, {incident.Title})");
        }

        return text.ToString();
    }
}
