using System.Globalization;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Correlation;

/// <summary>
/// Root-cause ranking v1: a weighted sum of explainable factors, each in [0,1], so the score is in
/// [0,1] and the reason lists the factors that made it.
/// <list type="bullet">
/// <item>fan-in (0.40): the share of the other alerting CIs that depend on the candidate (within RootCauseMaxHops), each counted fully when the candidate alerted first and less the later it alerted (nothing at UpstreamLag after): the cause explains its symptoms;</item>
/// <item>most upstream (0.25): the candidate depends on no other alerting CI;</item>
/// <item>temporal precedence (0.15): how early its first alert came, relative to the incident's span;</item>
/// <item>recent change (0.10): a change on the candidate before its alert (within ChangeLookback);</item>
/// <item>infrastructure (0.05): a host-like CI (a runs_on / hosted_on target) that explains alerting CIs;</item>
/// <item>severity (0.05).</item>
/// </list>
/// </summary>
public sealed class RootCauseScorer : IRootCauseScorer
{
    private const double WeightFanIn = 0.40;
    private const double WeightUpstream = 0.25;
    private const double WeightEarliest = 0.15;
    private const double WeightChange = 0.10;
    private const double WeightInfrastructure = 0.05;
    private const double WeightSeverity = 0.05;

    private readonly List<(int Node, int Hops)> _near = [];

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
                    explainWeight[j] += late <= 0 ? 1 : Math.Max(0, 1 - ((double)late / lagMs));
                    dependsOn[i]++;
                    if (hops == 1 && IsHostingRelation(graph.GetRelationType(cis[i].Node, node)))
                    {
                        hosted[j]++;
                    }
                }
            }
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
            double upstream = ci.Node < 0 ? (anyKnown ? 0.3 : 1) : dependsOn[i] == 0 ? 1 : 0;
            double earliest = last == first ? 1 : 1 - ((double)(ci.FirstSeen - first) / (last - first));
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

    private static string Seconds(long ms) => $"{Math.Round(ms / 1000.0).ToString(CultureInfo.InvariantCulture)} s";
}
