using System.Globalization;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Correlation;

/// <summary>
/// Root-cause ranking as inference over the topology. Every alerting CI of an incident is a
/// hypothesis, "this CI failed and the other alerts followed from it"; each hypothesis gets a
/// log-likelihood, and the score of a candidate is its posterior probability among the
/// candidates (scores sum to 1 over all of them, so 0.9 means "nine chances in ten under the
/// model"). The likelihood multiplies, against the alternative that an alert is unrelated noise:
/// <list type="bullet">
/// <item><b>what it explains</b>: each other alerting CI that depends on the candidate (within
/// RootCauseMaxHops) is explained through its nearest alerting CI on the way (a symptom of a
/// symptom costs one hop, not the whole path), with probability <see cref="RootCauseModel.HopPropagation"/>
/// per hop and a timing factor: a cause's alert may follow its symptoms' by up to UpstreamLag (slow
/// monitors), and symptoms follow the cause within a detection delay (UpstreamLag per hop); an
/// alert explained less well than <see cref="RootCauseModel.NoiseProbability"/> counts as noise;</item>
/// <item><b>what should have broken with it but did not</b>: each silent direct dependent (not a
/// business service), weighted by how surely it fails with the candidate (hosting relations
/// more than plain dependencies) and by how much of a detection delay has passed since the
/// candidate failed; bounded, so a hub's silence is worth at most a few dependents;</item>
/// <item><b>a prior per candidate</b>: its highest severity, and a recent change on it before its
/// alert (within ChangeLookback).</item>
/// </list>
/// A CI unknown to the topology explains nothing and is explained by nothing; it ranks by its
/// prior only. The reason lists the factors that made the score.
/// </summary>
public sealed class RootCauseScorer : IRootCauseScorer
{
    private readonly RootCauseModel _model;
    private readonly List<(int Node, int Hops)> _near = [];
    private readonly Queue<int> _queue = new();

    public RootCauseScorer(RootCauseModel? model = null)
    {
        _model = (model ?? RootCauseModel.Default).Validate();
    }

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
        var index = new Dictionary<int, int>(n);
        for (int i = 0; i < n; i++)
        {
            if (cis[i].Node >= 0)
            {
                index.TryAdd(cis[i].Node, i);
            }
        }

        long lagMs = Math.Max(1, (long)context.Options.UpstreamLag.TotalMilliseconds);
        var parents = Parents(context, index, lagMs);
        var hosted = new int[n];
        var children = new List<int>[n];
        for (int i = 0; i < n; i++)
        {
            children[i] = [];
        }

        for (int a = 0; a < n; a++)
        {
            foreach (var p in parents[a])
            {
                if (p.Hosting)
                {
                    hosted[p.Cause]++;
                }

                if (p.Weight > 0)
                {
                    children[p.Cause].Add(a);
                }
            }
        }

        long first = long.MaxValue;
        foreach (var ci in cis)
        {
            first = Math.Min(first, ci.FirstSeen);
        }

        double logNoise = Math.Log(_model.NoiseProbability);
        var logLikelihood = new double[n];
        var explained = new int[n];
        var silentDependents = new int[n];
        var alertingDependents = new int[n];
        var lead = new long[n];
        var change = new ChangeEntry?[n];
        var inExplained = new bool[n];
        // Bounded cost: in a huge incident only the earliest MaxCandidates CIs are hypotheses (a cause alerts
        // early); every CI still counts as evidence for them.
        int candidates = Math.Min(n, _model.MaxCandidates);
        Array.Fill(logLikelihood, double.NegativeInfinity);
        for (int c = 0; c < candidates; c++)
        {
            var ci = cis[c];
            change[c] = LatestChange(context, ci);
            double log = SeverityLogPrior(ci.Severity) + (change[c] is null ? 0 : Math.Log(_model.ChangeFactor));
            lead[c] = long.MaxValue;
            if (ci.Node >= 0)
            {
                // E(c): the alerting CIs that follow from c, directly or through other alerting CIs
                // (each step a dependency within RootCauseMaxHops whose timing fits).
                Array.Clear(inExplained);
                long onset = ci.FirstSeen;
                _queue.Clear();
                _queue.Enqueue(c);
                while (_queue.Count > 0)
                {
                    int cause = _queue.Dequeue();
                    foreach (int a in children[cause])
                    {
                        if (a == c || inExplained[a])
                        {
                            continue;
                        }

                        inExplained[a] = true;
                        onset = Math.Min(onset, cis[a].FirstSeen);
                        if (cause == c)
                        {
                            lead[c] = Math.Min(lead[c], Math.Max(0, cis[a].FirstSeen - ci.FirstSeen));
                        }

                        _queue.Enqueue(a);
                    }
                }

                // Each explained CI through its best parent inside the hypothesis (c itself or another of E(c)).
                for (int a = 0; a < n; a++)
                {
                    if (!inExplained[a])
                    {
                        continue;
                    }

                    double best = 0;
                    foreach (var p in parents[a])
                    {
                        if ((p.Cause == c || inExplained[p.Cause]) && p.Likelihood > best)
                        {
                            best = p.Likelihood;
                        }
                    }

                    if (best > _model.NoiseProbability)
                    {
                        log += Math.Log(best) - logNoise;
                        explained[c]++;
                    }
                }

                log += SilencePenalty(graph, ci.Node, index, context.AlertingElsewhere, Math.Clamp((double)(context.Now - onset) / lagMs, 0, 1), out silentDependents[c], out alertingDependents[c]);
            }

            logLikelihood[c] = log;
        }

        double max = logLikelihood.Max();
        double sum = 0;
        foreach (double log in logLikelihood)
        {
            sum += Math.Exp(log - max);
        }

        var ranked = new List<(RootCauseCandidate Candidate, double Log, long FirstSeen)>(n);
        var reason = new List<string>(6);
        for (int c = 0; c < n; c++)
        {
            var ci = cis[c];
            reason.Clear();
            if (ci.Node < 0)
            {
                reason.Add("CI unknown to the topology");
            }
            else if (n > 1)
            {
                reason.Add(explained[c] > 0 ? $"explains {explained[c]} of {n - 1} other alerting CIs" : "explains no other alerting CI");
            }

            if (ci.Node >= 0 && (silentDependents[c] > 0 || alertingDependents[c] > 0))
            {
                int direct = silentDependents[c] + alertingDependents[c];
                reason.Add($"{alertingDependents[c]} of {direct} direct dependent{(direct == 1 ? "" : "s")} alerting");
            }

            if (lead[c] != long.MaxValue && lead[c] > lagMs / 3)
            {
                reason.Add($"alerted alone {Seconds(lead[c])} before the first alert it explains");
            }

            if (hosted[c] > 0)
            {
                reason.Add($"infrastructure: {hosted[c]} alerting CI{(hosted[c] == 1 ? " runs" : "s run")} on it");
            }

            if (n > 1)
            {
                reason.Add(ci.FirstSeen == first ? "first to alert" : $"alerted {Seconds(ci.FirstSeen - first)} after the first");
            }

            if (change[c] is { } chg)
            {
                reason.Add($"change {chg.ChangeId} {Seconds(ci.FirstSeen - chg.Timestamp)} before its alert");
            }

            reason.Add($"{ci.Severity.ToString().ToLowerInvariant()} {ci.Check ?? "alert"}");
            double posterior = Math.Exp(logLikelihood[c] - max) / sum;
            ranked.Add((new RootCauseCandidate(ci.Ci, Math.Round(posterior, 3), string.Join("; ", reason)), logLikelihood[c], ci.FirstSeen));
        }

        ranked.Sort(static (a, b) =>
        {
            int c = b.Log.CompareTo(a.Log);
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

    /// <summary>One way an alerting CI can be explained: by an alerting CI it depends on.</summary>
    private readonly record struct Parent(int Cause, double Weight, double Likelihood, bool Hosting);

    /// <summary>
    /// For each alerting CI, the alerting CIs it depends on (within RootCauseMaxHops), each with the
    /// timing weight of that pair and the likelihood that a failure there shows up here. One walk per CI.
    /// </summary>
    private List<Parent>[] Parents(RootCauseContext context, Dictionary<int, int> index, long lagMs)
    {
        var cis = context.Cis;
        var graph = context.Graph;
        var parents = new List<Parent>[cis.Count];
        for (int a = 0; a < cis.Count; a++)
        {
            var list = parents[a] = [];
            if (cis[a].Node < 0)
            {
                continue;
            }

            graph.Dependencies(cis[a].Node, context.Options.RootCauseMaxHops, _near);
            foreach (var (node, hops) in _near)
            {
                if (!index.TryGetValue(node, out int cause) || cause == a)
                {
                    continue;
                }

                double weight = Timing(cis[cause].FirstSeen, cis[a].FirstSeen, hops, lagMs);
                bool hosting = hops == 1 && IsHostingRelation(graph.GetRelationType(cis[a].Node, node));
                list.Add(new Parent(cause, weight, weight * Math.Pow(_model.HopPropagation, hops), hosting));
            }
        }

        return parents;
    }

    /// <summary>
    /// How well the timing of a cause's first alert and its symptom's fits: full when the symptom
    /// follows within a third of the detection delay per hop; falling to nothing when the cause
    /// alerted a whole UpstreamLag after the symptom (a slow monitor), or when the symptom followed
    /// a whole UpstreamLag per hop later (the cause alerted alone: more likely unrelated).
    /// </summary>
    private static double Timing(long cause, long symptom, int hops, long lagMs)
    {
        long late = cause - symptom;
        if (late > 0)
        {
            return Math.Max(0, 1 - ((double)late / lagMs));
        }

        double after = -late, full = hops * lagMs / 3.0, none = hops * (double)lagMs;
        return after <= full ? 1 : Math.Max(0, 1 - ((after - full) / (none - full)));
    }

    /// <summary>
    /// Log-likelihood of the candidate's direct dependents that stay silent although a share
    /// <paramref name="elapsed"/> of a detection delay has passed since the candidate failed.
    /// </summary>
    private double SilencePenalty(TopologyGraph graph, int node, Dictionary<int, int> alerting, Func<int, bool>? alertingElsewhere, double elapsed, out int silent, out int hit)
    {
        silent = 0;
        hit = 0;
        double log = 0;
        var dependents = graph.DirectDependents(node);
        int scan = Math.Min(dependents.Length, _model.MaxDependentsScanned);
        for (int k = 0; k < scan; k++)
        {
            int dependent = dependents[k];
            if (alerting.ContainsKey(dependent) || (alertingElsewhere?.Invoke(dependent) ?? false))
            {
                hit++;
            }
            else if (!graph.IsBusinessService(dependent))
            {
                silent++;
                double fails = IsHostingRelation(graph.GetRelationType(dependent, node)) ? _model.HostedFailure : _model.DependentFailure;
                log += Math.Log(1 - (fails * _model.AlertProbability * elapsed));
            }
        }

        // Silence is correlated (one partial outage keeps many dependents up alike): it weighs at most MaxSilentEvidence dependents.
        return silent > _model.MaxSilentEvidence ? log * _model.MaxSilentEvidence / silent : log;
    }

    private double SeverityLogPrior(Severity severity) => Math.Log(severity switch
    {
        Severity.Critical => 1,
        Severity.Major => _model.MajorPrior,
        Severity.Minor => _model.MinorPrior,
        Severity.Warning => _model.WarningPrior,
        _ => _model.InfoPrior,
    });

    /// <summary>The latest change on the CI before its first alert, within ChangeLookback.</summary>
    private static ChangeEntry? LatestChange(RootCauseContext context, in RootCauseCi ci)
    {
        long lookbackMs = (long)context.Options.ChangeLookback.TotalMilliseconds;
        ChangeEntry? change = null;
        foreach (var entry in context.Changes)
        {
            if (string.Equals(entry.Ci, ci.Ci, StringComparison.Ordinal) && entry.Timestamp <= ci.FirstSeen && entry.Timestamp >= ci.FirstSeen - lookbackMs)
            {
                change = entry;
            }
        }

        return change;
    }

    private static string Seconds(long ms) => $"{Math.Round(ms / 1000.0).ToString(CultureInfo.InvariantCulture)} s";
}
