namespace ItOpsStream.TestKit.Generators;

internal sealed partial class ScenarioRun
{
    /// <summary>How likely an impaired (non-root) CI of each role raises an alert: not every dependent alerts.</summary>
    private static double AlertProbability(CiRole role) => role switch
    {
        CiRole.Service => 0.75,
        CiRole.Pod => 0.8,
        CiRole.Host or CiRole.Node => 0.9,
        CiRole.Database or CiRole.Cache or CiRole.Queue => 0.7,
        CiRole.LoadBalancer or CiRole.Ingress or CiRole.Dns or CiRole.Storage or CiRole.Network => 0.65,
        CiRole.BusinessService => 0.2,
        _ => 0.5,
    };

    private bool InjectFault(string id, long start, long end)
    {
        // Faults that are concurrent or within half an hour of each other must touch disjoint CIs, and a
        // root does not fail again within two hours: a recurrence that close is a reopen by any policy.
        var concurrent = _windows.Where(w => w.Start < end + (30 * Minute) && start < w.End + (30 * Minute)).ToList();
        var recentRoots = _windows.Where(w => start < w.End + (120 * Minute)).Select(w => w.Root).ToHashSet(StringComparer.Ordinal);
        for (int attempt = 0; attempt < 30; attempt++)
        {
            var (kind, root) = PickRoot();
            if (root is null || recentRoots.Contains(root))
            {
                continue;
            }

            var impaired = Propagate(root, start);
            if (concurrent.Any(w => impaired.Keys.Any(w.Impaired.ContainsKey)))
            {
                continue;
            }

            if (EmitFault(id, kind, root, start, end, impaired))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Fault kinds with their weight and candidate roots; computed once per scenario.</summary>
    private List<(FaultKind Kind, double Weight, IReadOnlyList<string> Cis)> RootCandidates()
    {
        var options = new List<(FaultKind Kind, double Weight, IReadOnlyList<string> Cis)>
        {
            (FaultKind.ServiceFailure, 0.35, _topology.WithRole(CiRole.Service)),
            (FaultKind.DatastoreFailure, 0.25, _topology.WithRole(CiRole.Database).Concat(_topology.WithRole(CiRole.Cache)).Concat(_topology.WithRole(CiRole.Queue)).ToList()),
            (FaultKind.HostFailure, _options.HostFaultShare, _topology.WithRole(CiRole.Host).Concat(_topology.WithRole(CiRole.Node))
                .Where(h => _topology.DependentsOf(h).Count(d => d.RelationType == "runs_on") >= 2).ToList()),
            (FaultKind.PodFailure, 0.1, _topology.WithRole(CiRole.Pod)),
            (FaultKind.PlatformFailure, 0.05, _platform.Where(c => _topology.RoleOf(c) is not (CiRole.Database or CiRole.Cache or CiRole.Queue)).ToList()),
        };
        options.RemoveAll(o => o.Cis.Count == 0 || o.Weight <= 0);
        return options;
    }

    private (FaultKind Kind, string? Root) PickRoot()
    {
        var options = _rootCandidates ??= RootCandidates();
        double total = options.Sum(o => o.Weight);
        double x = _rng.NextDouble() * total;
        foreach (var o in options)
        {
            x -= o.Weight;
            if (x <= 0)
            {
                return (o.Kind, Pick(o.Cis));
            }
        }

        return options.Count == 0 ? (FaultKind.ServiceFailure, null) : (options[^1].Kind, Pick(options[^1].Cis));
    }

    /// <summary>
    /// Breadth-first over dependents: each dependent is impaired with its relation's coupling,
    /// after a propagation delay (timeouts and retries take tens of seconds per hop; a dead host
    /// takes its workloads at once). Returns CI -> impairment, root included.
    /// </summary>
    private Dictionary<string, Impairment> Propagate(string root, long start)
    {
        var impaired = new Dictionary<string, Impairment>(StringComparer.Ordinal) { [root] = new Impairment(start, 0, true) };
        var queue = new Queue<string>();
        queue.Enqueue(root);
        while (queue.Count > 0 && impaired.Count < _options.MaxAlertingCisPerFault * 2)
        {
            string ci = queue.Dequeue();
            var at = impaired[ci];
            foreach (var dep in _topology.DependentsOf(ci))
            {
                if (impaired.ContainsKey(dep.Ci) || !Chance(dep.Coupling))
                {
                    continue;
                }

                long delay = dep.RelationType == "runs_on" ? (long)(Uniform(0, 15) * Second) : (long)(Uniform(5, 60) * Second);
                impaired[dep.Ci] = new Impairment(at.Since + delay, at.Hops + 1, false);
                queue.Enqueue(dep.Ci);
            }
        }

        return impaired;
    }

    private bool EmitFault(string id, FaultKind kind, string root, long start, long end, Dictionary<string, Impairment> impaired)
    {
        if (FreeCheck(root, _topology.RoleOf(root), rootCheck: true) is null)
        {
            // Every root check on this CI is already taken in this scenario: try another root.
            return false;
        }

        var alerting = new List<string>();
        foreach (var (ci, imp) in impaired.OrderBy(p => p.Value.Hops == 0 ? 0 : 1).ThenBy(p => p.Value.Since).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            bool isRoot = imp.Hops == 0;
            var role = _topology.RoleOf(ci);
            if (!isRoot && (alerting.Count >= _options.MaxAlertingCisPerFault || !Chance(AlertProbability(role))))
            {
                continue;
            }

            // Detection delay: scrape interval plus rule "for:" duration; the root's own monitor can be the slowest.
            long fire = imp.Since + (long)((isRoot ? Uniform(0, 120) : Uniform(10, 90)) * Second);
            if (fire >= end - (30 * Second))
            {
                continue;
            }

            int alerts = isRoot || Chance(0.2) ? (Chance(0.5) ? 2 : 1) : 1;
            bool any = false;
            for (int a = 0; a < alerts; a++)
            {
                any |= EmitAlert(ci, role, isRoot && a == 0, id, null, imp.Hops, fire + (a * (long)Uniform(5, 60) * Second), end + (long)(Uniform(0, 180) * Second));
            }

            if (any)
            {
                alerting.Add(ci);
                impaired[ci] = imp with { Alerting = true };
            }
        }

        var suspects = new List<string>();
        double changeChance = kind switch
        {
            FaultKind.ServiceFailure => 0.5,
            FaultKind.PodFailure => 0.35,
            FaultKind.DatastoreFailure => 0.3,
            FaultKind.HostFailure => 0.2,
            _ => 0.3,
        };
        if (Chance(changeChance))
        {
            suspects.Add(EmitChange(root, start - (long)(Uniform(1, 25) * Minute), kind));
        }

        if (alerting.Count > 1 && Chance(0.15))
        {
            // A decoy: an unrelated routine change on an affected dependent, not the cause.
            EmitChange(alerting[1 + _rng.Next(alerting.Count - 1)], start - (long)(Uniform(1, 30) * Minute), FaultKind.ServiceFailure);
        }

        AddFaultTelemetry(impaired, start, end);
        _faults.Add(new FaultTruth
        {
            Id = id,
            Kind = kind,
            RootCi = root,
            Start = DateTimeOffset.FromUnixTimeMilliseconds(start),
            End = DateTimeOffset.FromUnixTimeMilliseconds(end),
            SuspectChanges = suspects,
            AlertingCis = alerting,
            Overlaps = [],
        });
        _windows.Add(new ActiveFault(id, root, start, end, alerting.ToHashSet(StringComparer.Ordinal), impaired));
        return true;
    }
}
