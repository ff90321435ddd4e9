using ItOpsStream.TestKit.Generators;

namespace ItOpsStream.TestKit.Scoring;

/// <summary>
/// Scores incidents against a scenario's ground truth: pairwise grouping precision, recall and
/// F1, compression, and root-cause top-1 / top-3 per fault (definitions in docs/TESTKIT.md).
/// </summary>
public static class QualityScorer
{
    public static ScenarioScore Score(ScenarioTruth truth, string incidentsPath) => Score(truth, IncidentFile.Read(incidentsPath));

    public static ScenarioScore Score(ScenarioTruth truth, IReadOnlyList<IncidentSnapshot> incidents)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(incidents);
        var alerts = truth.Alerts;
        var byDedupKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var byCiCheck = new Dictionary<(string Ci, string Check), int>();
        for (int i = 0; i < alerts.Count; i++)
        {
            if (alerts[i].DedupKey is { } key)
            {
                byDedupKey[key] = i;
            }
            else
            {
                byCiCheck[(alerts[i].Ci, alerts[i].Check)] = i;
            }
        }

        // Each truth alert -> index of the first surviving incident that lists it (-1: none).
        var incidentOf = Enumerable.Repeat(-1, alerts.Count).ToArray();
        int several = 0, extra = 0;
        var listed = new bool[alerts.Count];
        for (int n = 0; n < incidents.Count; n++)
        {
            bool any = false;
            foreach (var a in incidents[n].Alerts)
            {
                int i = Match(a, byDedupKey, byCiCheck);
                if (i < 0)
                {
                    continue;
                }

                any = true;
                if (incidentOf[i] < 0)
                {
                    incidentOf[i] = n;
                }
                else if (incidentOf[i] != n && !listed[i])
                {
                    listed[i] = true;
                    several++;
                }
            }

            extra += any ? 0 : 1;
        }

        // Clusters: truth = fault id (noise alerts are singletons); predicted = incident (unlisted alerts are singletons).
        var truthCluster = new int[alerts.Count];
        var faultIndex = truth.Faults.Select((f, i) => (f.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        int unmatched = 0;
        for (int i = 0; i < alerts.Count; i++)
        {
            truthCluster[i] = alerts[i].Fault is { } f && faultIndex.TryGetValue(f, out int fi) ? fi : truth.Faults.Count + i;
            unmatched += incidentOf[i] < 0 ? 1 : 0;
        }

        var predictedCluster = incidentOf.Select((n, i) => n >= 0 ? n : incidents.Count + i).ToArray();
        long truePairs = PairsWithin(truthCluster), predictedPairs = PairsWithin(predictedCluster);
        long correct = PairsWithin(truthCluster.Zip(predictedCluster, (t, p) => ((long)t << 32) | (uint)p).ToArray());
        int incidentCount = incidentOf.Where(n => n >= 0).Distinct().Count() + unmatched;

        var faults = new List<FaultScore>();
        foreach (var fault in truth.Faults)
        {
            var members = Enumerable.Range(0, alerts.Count).Where(i => string.Equals(alerts[i].Fault, fault.Id, StringComparison.Ordinal)).ToList();
            var perIncident = members.Where(i => incidentOf[i] >= 0).GroupBy(i => incidentOf[i]).Select(g => (Incident: g.Key, Count: g.Count())).OrderByDescending(x => x.Count).ThenBy(x => x.Incident).ToList();
            if (perIncident.Count == 0)
            {
                faults.Add(new FaultScore(fault.Id, fault.Kind, fault.RootCi, members.Count, members.Count, 0, null, false, false, 0, 0));
                continue;
            }

            int major = perIncident[0].Incident;
            var rootCause = incidents[major].RootCause;
            var inMajor = Enumerable.Range(0, alerts.Count).Where(i => incidentOf[i] == major).ToList();
            faults.Add(new FaultScore(
                fault.Id,
                fault.Kind,
                fault.RootCi,
                members.Count,
                perIncident.Count + members.Count(i => incidentOf[i] < 0),
                (double)perIncident[0].Count / members.Count,
                rootCause.Count > 0 ? rootCause[0] : null,
                rootCause.Count > 0 && string.Equals(rootCause[0], fault.RootCi, StringComparison.Ordinal),
                rootCause.Take(3).Contains(fault.RootCi, StringComparer.Ordinal),
                inMajor.Count(i => alerts[i].Fault is { } f && !string.Equals(f, fault.Id, StringComparison.Ordinal)),
                inMajor.Count(i => alerts[i].Fault is null))
            {
                PredictedScore = incidents[major].RootCauseScores.Count > 0 ? incidents[major].RootCauseScores[0] : double.NaN,
            });
        }

        return new ScenarioScore
        {
            Scenario = truth.Scenario,
            Shape = truth.Shape,
            Alerts = alerts.Count,
            FaultAlerts = alerts.Count(a => a.Fault is not null),
            AlertEvents = alerts.Sum(a => a.Events),
            Incidents = incidentCount,
            ExtraIncidents = extra,
            UnmatchedAlerts = unmatched,
            AlertsInSeveralIncidents = several,
            TruePairs = truePairs,
            PredictedPairs = predictedPairs,
            CorrectPairs = correct,
            Faults = faults,
        };
    }

    private static int Match(IncidentAlertRef alert, Dictionary<string, int> byDedupKey, Dictionary<(string Ci, string Check), int> byCiCheck)
    {
        if (byDedupKey.TryGetValue(alert.Fingerprint, out int i))
        {
            return i;
        }

        return alert.Ci is not null && alert.Check is not null && byCiCheck.TryGetValue((alert.Ci, alert.Check), out i) ? i : -1;
    }

    /// <summary>Number of unordered pairs of items that share a cluster label: sum of C(n, 2) over clusters.</summary>
    private static long PairsWithin<T>(IEnumerable<T> labels)
        where T : notnull
    {
        long pairs = 0;
        foreach (var group in labels.GroupBy(x => x))
        {
            long n = group.Count();
            pairs += n * (n - 1) / 2;
        }

        return pairs;
    }
}
