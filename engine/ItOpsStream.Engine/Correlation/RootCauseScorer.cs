using System.Globalization;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Correlation;

/// <summary>
/// Root-cause ranking v1: a weighted sum of explainable factors, each in [0,1], so the score is in
/// [0,1] and the reason lists the factors that made it.
/// <list type="bullet">
/// <item>fan-in (0.40): the share of the other alerting CIs that depend on the candidate (within RootCauseMaxHops), each counted fully when the candidate alerted first and less the later it alerted (nothing at UpstreamLag after): the cause explains its symptoms;</item>
/// <item>most upstream (0.25): the candidate depends on no other alerting CI that credibly explains it;</item>
/// <item>temporal precedence (0.10): how early its first alert came, relative to the incident's span;</item>
/// <item>recent change (0.10): a change on the candidate before its alert (within ChangeLookback);</item>
/// <item>infrastructure (0.05): a host-like CI (a runs_on / hosted_on target) that explains alerting CIs;</item>
/// <item>severity (0.10): a minor alert on a shared CI should not outrank a critical one that explains as much.</item>
/// </list>
/// A candidate that alerted alone long before the first alert it could explain (more than a third of
/// UpstreamLag of silence) is a less credible cause: its fan-in and earliness shrink, down to nothing
/// after a whole UpstreamLag, and its dependents are no longer counted as explained by it.
/// </summary>
public sealed class RootCauseScorer : IRootCauseScorer
{
    private const double WeightFanIn = 0.40;
    private const double WeightUpstream = 0.25;
    private const double WeightEarliest = 0.10;
    private const double WeightChange = 0.10;
    private const double WeightInfrastructure = 0.05;
    private const double WeightSeverity = 0.10;

    private readonly List<(int Node, int Hops)> _near = [];
    private readonly List<(int Dependent, int Cause, double Weight)> _pairs = [];

    /// <summary>Whether a relation type puts its target in the infrastructure layer (the source runs on it).</summary>
    internal static bool IsHostingRelation(string? type) =>
        type is not null && (type.Contains("runs_on", StringComparison.OrdinalIgnoreCase)
            || type.Contains("hosted_on", StringComparison.OrdinalIgnoreCase)
            || type.Contains("deployed_on", StringComparison.OrdinalIgnoreCase)
            || type.Contains("scheduled_on", StringComparison.OrdinalIgnoreCase));

    public IReadOnlyList<RootCauseCandidate> Rank(RootCauseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cis = context.Cis;
        int n = cis.Count;
        if (n == 0)
        {
            return [];
        }

        var graph = context.Graph;
        var index = new Dictionary<int, int>();
        for (int i = 0; i < n; i++)
        {
            if (cis[i].Node >= 0)
            {
                index.TryAdd(cis[i].Node, i);
            }
        }

        // One walk per alerting CI over its dependencies gives both counts for every pair. A cause
        // precedes its effects: a candidate that started after a dependent's alert explains it less
        // and less, down to nothing at UpstreamLag after it.
        long lagMs = Math.Max(1, (long)context.Options.UpstreamLag.TotalMilliseconds);
        var explains = new int[n];
        var explainWeight = new double[n];
        var dependsOn = new int[n];
        var hosted = new int[n];
        var lead = new long[n];
        Array.Fill(lead, long.MaxValue);
        var pairs = _pairs;
        pairs.Clear();
        for (int i = 0; i < n; i++)
        {
            if (cis[i].Node < 0)
            {
                continue;
            }

            graph.Dependencies(cis[i].Node, context.Options.RootCauseMaxHops, _near);
            foreach (var (node, hops) in _near)
            {
                if (index.TryGetValue(node, out int j) && j != i)
                {
                    explains[j]++;
                    long late = cis[j].FirstSeen - cis[i].FirstSeen;
                    double weight = late <= 0 ? 1 : Math.Max(0, 1 - ((double)late / lagMs));
                    pairs.Add((i, j, weight));
                    lead[j] = Math.Min(lead[j], Math.Max(0, -late));
                    dependsOn[i]++;
                    if (hops == 1 && IsHostingRelation(graph.GetRelationType(cis[i].Node, node)))
                    {
                        hosted[j]++;
                    }
                }
            }
        }

        // A cause's first symptom follows it within a detection delay; an alert that fired alone long
        // before anything it could explain (a warning on a shared database minutes before an unrelated
        // service fails) is credited less as their cause: full credit up to a third of UpstreamLag of
        // silence, none after a whole UpstreamLag. Its dependents then count as upstream again.
        var credible = new double[n];
        for (int j = 0; j < n; j++)
        {
            credible[j] = lead[j] == long.MaxValue ? 1 : Credibility(lead[j], lagMs);
        }

        var explainedBy = new double[n];
        foreach (var (dependent, cause, weight) in pairs)
        {
            double w = weight * credible[cause];
            explainWeight[cause] += w;
            explainedBy[dependent] = Math.Max(explainedBy[dependent], w);
        }

        long first = long.MaxValue, last = long.MinValue;
        bool anyKnown = false;
        foreach (var ci in cis)
        {
            first = Math.Min(first, ci.FirstSeen);
            last = Math.Max(last, ci.FirstSeen);
            anyKnown |= ci.Node >= 0;
        }

        long lookbackMs = (long)context.Options.ChangeLookback.TotalMilliseconds;
        var ranked = new List<(RootCauseCandidate Candidate, long FirstSeen)>(n);
        var reason = new List<string>(6);
        for (int i = 0; i < n; i++)
        {
            var ci = cis[i];
            reason.Clear();
            double fanIn = n > 1 ? explainWeight[i] / (n - 1) : 1;
            double upstream = ci.Node < 0 ? (anyKnown ? 0.3 : 1) : 1 - explainedBy[i];
            double earliest = (last == first ? 1 : 1 - ((double)(ci.FirstSeen - first) / (last - first))) * credible[i];
            ChangeEntry? change = null;
            foreach (var entry in context.Changes)
            {
                if (string.Equals(entry.Ci, ci.Ci, StringComparison.Ordinal) && entry.Timestamp <= ci.FirstSeen && entry.Timestamp >= ci.FirstSeen - lookbackMs)
                {
                    change = entry; // the latest one before the alert
                }
            }

            double infrastructure = hosted[i] > 0 ? 1 : 0;
            double score = (WeightFanIn * fanIn) + (WeightUpstream * upstream) + (WeightEarliest * earliest)
                + (WeightChange * (change is null ? 0 : 1)) + (WeightInfrastructure * infrastructure)
                + (WeightSeverity * ((double)ci.Severity / (double)Severity.Critical));

            if (ci.Node < 0)
            {
                reason.Add("CI unknown to the topology");
            }
            else if (n > 1)
            {
                reason.Add(explains[i] > 0 ? $"{explains[i]} of {n - 1} other alerting CIs depend on it" : "no other alerting CI depends on it");
                reason.Add(dependsOn[i] == 0 ? "depends on no other alerting CI" : $"depends on {dependsOn[i]} alerting CI{(dependsOn[i] == 1 ? "" : "s")}");
            }

            if (credible[i] < 1)
            {
                reason.Add($"alerted alone {Seconds(lead[i])} before the first alert it explains");
            }

            if (hosted[i] > 0)
            {
                reason.Add($"infrastructure: {hosted[i]} alerting CI{(hosted[i] == 1 ? " runs" : "s run")} on it");
            }

            if (n > 1)
            {
                reason.Add(ci.FirstSeen == first ? "first to alert" : $"alerted {Seconds(ci.FirstSeen - first)} after the first");
            }

            if (change is { } c)
            {
                reason.Add($"change {c.ChangeId} {Seconds(ci.FirstSeen - c.Timestamp)} before its alert");
            }

            reason.Add($"{ci.Severity.ToString().ToLowerInvariant()} {ci.Check ?? "alert"}");
            ranked.Add((new RootCauseCandidate(ci.Ci, Math.Round(score, 3), string.Join("; ", reason)), ci.FirstSeen));
        }

        ranked.Sort(static (a, b) =>
        {
            int c = b.Candidate.Score.CompareTo(a.Candidate.Score);
            if (c == 0)
            {
                c = a.FirstSeen.CompareTo(b.FirstSeen);
            }

            return c != 0 ? c : string.CompareOrdinal(a.Candidate.Ci, b.Candidate.Ci);
        });
        int keep = Math.Min(ranked.Count, context.Options.MaxRootCauses);
        var result = new RootCauseCandidate[keep];
        for (int i = 0; i < keep; i++)
        {
            result[i] = ranked[i].Candidate;
        }

        return result;
    }

    /// <summary>1 up to lag/3 of silence before the first alert the candidate explains, falling linearly to 0 at lag.</summary>
    private static double Credibility(long leadMs, long lagMs)
    {
        double full = lagMs / 3.0;
        return leadMs <= full ? 1 : Math.Max(0, 1 - ((leadMs - full) / (lagMs - full)));
    }

    private static string Seconds(long ms) => $"{Math.Round(ms / 1000.0).ToString(CultureInfo.InvariantCulture)} s";
}
