using System.Globalization;
using System.IO.Hashing;
using System.Text;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Rules;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Remediation;

/// <summary>Counters of the remediation stage.</summary>
public sealed record RemediationStats(long Triggers, long Deduplicated, long RateLimited);

/// <summary>
/// Turns incident records into remediation triggers by the rules file's <c>remediation</c> section:
/// each rule matches the incident (and, with <c>match</c>, its firing alerts), renders its params,
/// and emits a trigger unless the same rule, incident and target CI triggered within the dedup
/// window or a rate limit (per target CI, per runbook) is spent. All times are event time.
/// </summary>
/// <remarks>Single writer: called from one thread (the pipeline's delivery stage).</remarks>
public sealed class RemediationEngine
{
    private readonly IRulesProvider _rules;
    private readonly ITopologyProvider _topology;
    private readonly Dictionary<string, long> _lastTrigger = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<long>> _rates = new(StringComparer.Ordinal);
    private long _triggers;
    private long _deduplicated;
    private long _rateLimited;
    private long _lastPrune = long.MinValue;

    public RemediationEngine(IRulesProvider rules, ITopologyProvider topology)
    {
        _rules = rules;
        _topology = topology;
    }

    public RemediationStats Stats => new(_triggers, _deduplicated, _rateLimited);

    /// <summary>Evaluates one incident record; appends its triggers to <paramref name="output"/>.</summary>
    public void Evaluate(IncidentRecord incident, List<RemediationTrigger> output)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var rules = _rules.Current.Remediations;
        if (rules.Count == 0 || incident.Action is IncidentAction.Resolve or IncidentAction.Merge)
        {
            return;
        }

        var graph = _topology.Current;
        long ts = incident.UpdatedAt;
        Prune(ts);
        foreach (var rule in rules)
        {
            if (!IncidentMatches(rule.IncidentMatch, incident, graph))
            {
                continue;
            }

            if (rule.AlertMatch is null)
            {
                Fire(rule, incident, graph, incident.CmdbCi, null, ts, $"incident {incident.IncidentId} ({incident.Priority}) matches {rule.IncidentMatch.Text}", output);
                continue;
            }

            var done = new HashSet<string>(StringComparer.Ordinal);
            foreach (var alert in incident.Alerts)
            {
                if (alert.Status != AlertStatus.Firing && !alert.Flapping)
                {
                    continue;
                }

                var snapshot = new Alerts.AlertSnapshot(alert.Fingerprint, null, alert.Ci, alert.Check, alert.Severity, alert.Status, alert.Flapping, alert.FirstSeen, alert.LastSeen, alert.Count, alert.LastSeen, null, alert.Labels);
                if (!rule.AlertMatch.Matches(AlertSubject.Of(snapshot, graph)))
                {
                    continue;
                }

                string? target = rule.Target == RemediationTarget.Alert ? alert.Ci : incident.CmdbCi;
                if (done.Add(target ?? string.Empty))
                {
                    Fire(rule, incident, graph, target, alert, ts, $"alert {alert.Fingerprint} ({alert.Check} on {alert.Ci ?? "no CI"}) in incident {incident.IncidentId} ({incident.Priority}) matches {rule.AlertMatch.Text}", output);
                }
            }
        }
    }

    private static bool IncidentMatches(MatcherSet match, IncidentRecord incident, TopologyGraph graph)
    {
        var subject = new IncidentSubject(incident, graph, null);
        if (!match.Matchers.Any(m => m.Name == "impacted_service"))
        {
            return match.Matches(subject);
        }

        // impacted_service holds when any impacted service satisfies the whole set.
        if (incident.ImpactedServices.Count == 0)
        {
            return match.Matches(subject);
        }

        foreach (var service in incident.ImpactedServices)
        {
            if (match.Matches(subject.WithService(service)))
            {
                return true;
            }
        }

        return false;
    }

    private void Fire(RemediationRule rule, IncidentRecord incident, TopologyGraph graph, string? target, IncidentAlert? alert, long ts, string reason, List<RemediationTrigger> output)
    {
        string dedupKey = $"{rule.Name}\0{incident.IncidentId}\0{target}";
        if (_lastTrigger.TryGetValue(dedupKey, out long last) && ts - last < (long)rule.DedupWindow.TotalMilliseconds)
        {
            _deduplicated++;
            return;
        }

        string ciKey = $"ci\0{rule.Runbook}\0{target}";
        string runbookKey = $"rb\0{rule.Runbook}";
        if (!Allowed(ciKey, rule.PerCi, ts) || !Allowed(runbookKey, rule.PerRunbook, ts))
        {
            _rateLimited++;
            return;
        }

        Take(ciKey, rule.PerCi, ts);
        Take(runbookKey, rule.PerRunbook, ts);
        _lastTrigger[dedupKey] = ts;
        _triggers++;
        CiRecord? ci = target is not null && graph.TryGetNode(target, out int node) ? graph.GetCi(node) : null;
        string? Lookup(string reference) => reference switch
        {
            "ci.id" => target,
            "ci.name" => ci?.Name,
            "ci.class" => ci?.Class,
            "ci.owner" => ci?.Owner,
            "alert.check" => alert?.Check,
            "alert.fingerprint" => alert?.Fingerprint,
            "alert.severity" => alert is null ? null : IncidentJson.SeverityName(alert.Severity),
            "incident.id" => incident.IncidentId,
            "incident.priority" => incident.Priority,
            "incident.title" => incident.Title,
            _ when reference.StartsWith("labels.", StringComparison.Ordinal) => alert is not null && alert.Labels.TryGetValue(reference["labels.".Length..], out var label) ? label : null,
            _ when reference.StartsWith("ci.attributes.", StringComparison.Ordinal) => ci?.Attributes is { } attributes && attributes.TryGetValue(reference["ci.attributes.".Length..], out var value) ? value : null,
            _ => null,
        };

        output.Add(new RemediationTrigger
        {
            TriggerId = TriggerId(rule.Name, incident.IncidentId, target, ts),
            Timestamp = ts,
            Rule = rule.Name,
            Runbook = rule.Runbook,
            IncidentId = incident.IncidentId,
            TargetCi = target,
            Params = rule.Params.Select(p => new KeyValuePair<string, string>(p.Key, p.Value.Render(Lookup))).ToArray(),
            RequiresApproval = rule.RequiresApproval,
            Priority = incident.Priority,
            Reason = $"rule {rule.Name}: {reason}",
        });
    }

    private bool Allowed(string key, RateLimit? limit, long ts)
    {
        if (limit is null || !_rates.TryGetValue(key, out var times))
        {
            return true;
        }

        long since = ts - (long)limit.Period.TotalMilliseconds;
        while (times.Count > 0 && times.Peek() <= since)
        {
            times.Dequeue();
        }

        return times.Count < limit.Count;
    }

    private void Take(string key, RateLimit? limit, long ts)
    {
        if (limit is null)
        {
            return;
        }

        if (!_rates.TryGetValue(key, out var times))
        {
            _rates[key] = times = new Queue<long>();
        }

        times.Enqueue(ts);
    }

    /// <summary>Drops dedup and rate state older than any window of the current rules, once per event-time hour.</summary>
    private void Prune(long ts)
    {
        if (ts - _lastPrune < 3_600_000)
        {
            return;
        }

        _lastPrune = ts;
        long keep = 0;
        foreach (var rule in _rules.Current.Remediations)
        {
            keep = Math.Max(keep, (long)rule.DedupWindow.TotalMilliseconds);
            keep = Math.Max(keep, (long)(rule.PerCi?.Period.TotalMilliseconds ?? 0));
            keep = Math.Max(keep, (long)(rule.PerRunbook?.Period.TotalMilliseconds ?? 0));
        }

        long cutoff = ts - keep;
        foreach (var key in _lastTrigger.Where(p => p.Value < cutoff).Select(p => p.Key).ToList())
        {
            _lastTrigger.Remove(key);
        }

        foreach (var key in _rates.Where(p => p.Value.Count == 0 || p.Value.Max() < cutoff).Select(p => p.Key).ToList())
        {
            _rates.Remove(key);
        }
    }

    /// <summary><c>TRG-</c> + 16 hex digits of XxHash64 over rule, incident, target and event time.</summary>
    private static string TriggerId(string rule, string incident, string? target, long ts)
    {
        string key = string.Create(CultureInfo.InvariantCulture, $"{rule}\n{incident}\n{target}\n{ts}");
        return "TRG-" + XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(key)).ToString("x16", CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// The remediation stage as a decorator of the incidents sink: every incident record goes to the
/// inner sink, then the triggers it causes to <paramref name="triggers"/>; a flush flushes both, so a
/// checkpoint completes only after its triggers are delivered (at-least-once, idempotent ids).
/// </summary>
public sealed class RemediationSink(IRecordSink<IncidentRecord> inner, IRecordSink<RemediationTrigger> triggers, RemediationEngine engine) : IRecordSink<IncidentRecord>
{
    private readonly List<RemediationTrigger> _buffer = [];

    public async ValueTask WriteAsync(IReadOnlyList<IncidentRecord> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await inner.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        _buffer.Clear();
        foreach (var record in batch)
        {
            engine.Evaluate(record, _buffer);
        }

        if (_buffer.Count > 0)
        {
            await triggers.WriteAsync(_buffer.ToArray(), cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        await triggers.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
