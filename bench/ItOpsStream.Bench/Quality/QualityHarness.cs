using System.Diagnostics;
using System.Globalization;
using System.Text;
using ItOpsStream.Cli;
using ItOpsStream.TestKit.Generators;
using ItOpsStream.TestKit.Scoring;

namespace ItOpsStream.Bench.Quality;

/// <summary>
/// <c>quality [--scenarios 60] [--seed 1] [--out DIR] [--engine replay|oracle|time-window] [--large yes|no] [--reference 4]</c>:
/// generates the quality suite, runs <c>itopsstream replay</c> on each scenario in process, scores
/// the incidents against the ground truth and prints the per-shape table (also written as
/// <c>quality.md</c>, with the failure analysis and a per-scenario CSV). <c>--engine oracle</c>
/// scores perfect incidents instead (checks the harness, shows the compression ceiling);
/// <c>--engine time-window</c> scores the topology-blind 10-minute window baseline.
/// </summary>
internal static class QualityHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        HarnessArgs parsed;
        try
        {
            parsed = HarnessArgs.Parse(args, "--scenarios", "--seed", "--out", "--engine", "--large", "--reference");
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"quality: {ex.Message}");
            return 2;
        }

        int count = parsed.GetInt("--scenarios", 60);
        int seed = parsed.GetInt("--seed", 1);
        string outDir = Path.GetFullPath(parsed.Get("--out", "quality-out"));
        string engine = parsed.Get("--engine", "replay");
        bool large = parsed.Get("--large", "yes") != "no";
        int reference = parsed.Get("--reference", "4") == "0" ? 0 : parsed.GetInt("--reference", 4);
        if (engine is not ("replay" or "oracle" or "time-window"))
        {
            Console.Error.WriteLine($"quality: --engine must be replay, oracle or time-window, got '{engine}'");
            return 2;
        }

        var plan = QualitySuite.Plan(count, seed).ToList();
        if (large)
        {
            plan.Add(QualitySuite.Large(seed));
        }

        var scores = new List<ScenarioScore>();
        var classes = new Dictionary<string, string>(StringComparer.Ordinal);
        int failures = 0;
        var replayTime = TimeSpan.Zero;
        // Generated lazily, one at a time: the large scenario alone holds a few hundred thousand records.
        var scenarios = plan.Select(FaultScenarioGenerator.Generate).Concat(QualitySuite.Reference(reference, seed));
        foreach (var scenario in scenarios)
        {
            var paths = ScenarioFiles.Write(scenario, Path.Combine(outDir, "scenarios", scenario.Name));
            foreach (var ci in scenario.Topology.Document.Cis)
            {
                classes.TryAdd(ci.Id, ci.Class);
            }

            string incidents = Path.Combine(paths.Directory, "incidents.jsonl");
            var watch = Stopwatch.StartNew();
            if (engine == "oracle")
            {
                BaselineIncidents.WriteOracle(scenario.Truth, incidents);
            }
            else if (engine == "time-window")
            {
                BaselineIncidents.WriteTimeWindow(scenario.Truth, TimeSpan.FromMinutes(10), incidents);
            }
            else
            {
                var stderr = new StringWriter();
                int code = await CliApp.RunAsync(["replay", "--topology", paths.Topology, "--events", paths.Events, "--out", incidents], new StringWriter(), stderr).ConfigureAwait(false);
                if (code != 0)
                {
                    failures++;
                    Console.Error.WriteLine($"quality: replay of {scenario.Name} exited {code}: {stderr.ToString().Trim()}");
                    continue;
                }
            }

            replayTime += watch.Elapsed;
            var score = QualityScorer.Score(scenario.Truth, incidents);
            scores.Add(score);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{score.Scenario,-24} alerts {score.Alerts,6} faults {score.Faults.Count,5}  F1 {score.F1:F3}  P {score.Precision:F3}  R {score.Recall:F3}  compression {score.Compression:P1} (alerts {score.AlertCompression:P1})  top-1 {score.Top1Hits}/{score.Faults.Count}  top-3 {score.Top3Hits}/{score.Faults.Count}  ({watch.Elapsed.TotalSeconds:F1} s)"));
        }

        if (scores.Count == 0)
        {
            Console.Error.WriteLine("quality: no scenario could be scored");
            return 1;
        }

        var referenceScores = scores.Where(s => ReferenceTopologies.Names.Contains(s.Shape)).ToList();
        var suite = scores.Where(s => !s.Scenario.Contains("-10k-", StringComparison.Ordinal)).Except(referenceScores).ToList();
        var rows = suite.GroupBy(s => s.Shape).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => QualityReport.Summarize(g.Key, g.ToList())).ToList();
        rows.Add(QualityReport.Summarize("overall", suite));
        rows.AddRange(scores.Where(s => s.Scenario.Contains("-10k-", StringComparison.Ordinal)).Select(s => QualityReport.Summarize(s.Scenario, [s])));
        if (referenceScores.Count > 0)
        {
            // Held apart: these show whether the generated-suite figures carry over to real call graphs.
            rows.AddRange(referenceScores.GroupBy(s => s.Shape).Select(g => QualityReport.Summarize("ref: " + g.Key, g.ToList())));
            rows.Add(QualityReport.Summarize("ref: overall", referenceScores));
        }
        string table = QualityReport.ToMarkdown(rows);
        // Over the suite only: the 10k-alert scenario's 1 500 faults would drown the small estates.
        string analysis = QualityReport.FailureAnalysis(suite, ci => classes.GetValueOrDefault(ci));
        Console.WriteLine();
        Console.WriteLine(table);
        Console.WriteLine(analysis);
        string calibration = QualityReport.RootCauseCalibration(suite);
        Console.WriteLine(calibration);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{scores.Count} scenarios scored, {failures} failed; engine time {replayTime.TotalSeconds:F1} s"));

        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Quality on the generated suite (engine: {engine})");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet run --project bench/ItOpsStream.Bench -c Release -- quality --scenarios {count} --seed {seed}{(large ? string.Empty : " --large no")}{(reference == 4 ? string.Empty : $" --reference {reference}")}{(engine == "replay" ? string.Empty : " --engine " + engine)}`");
        md.AppendLine();
        md.Append(table);
        md.AppendLine();
        md.AppendLine("## Failure analysis (the suite, without the 10k-alert scenario)");
        md.AppendLine();
        md.Append(analysis);
        md.AppendLine();
        md.AppendLine("## Root-cause score calibration (the suite)");
        md.AppendLine();
        md.Append(calibration);
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "quality.md"), md.ToString());
        WriteCsv(Path.Combine(outDir, "scores.csv"), scores);
        WriteFaultsCsv(Path.Combine(outDir, "faults.csv"), scores);
        return failures == 0 ? 0 : 1;
    }

    /// <summary>One row per fault: where its alerts went and what was ranked first; the starting point for tuning.</summary>
    private static void WriteFaultsCsv(string path, List<ScenarioScore> scores)
    {
        var sb = new StringBuilder("scenario,shape,fault,kind,root_ci,alerts,incidents,majority_share,predicted_root,top1,top3,foreign_alerts,noise_alerts\n");
        foreach (var s in scores)
        {
            foreach (var f in s.Faults)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"{s.Scenario},{s.Shape},{f.Fault},{f.Kind},{f.RootCi},{f.Alerts},{f.Incidents},{f.MajorityShare:F3},{f.PredictedRoot},{f.Top1},{f.Top3},{f.ForeignAlerts},{f.NoiseAlerts}");
            }
        }

        File.WriteAllText(path, sb.ToString());
    }

    private static void WriteCsv(string path, List<ScenarioScore> scores)
    {
        var sb = new StringBuilder("scenario,shape,alerts,alert_events,fault_alerts,incidents,extra_incidents,unmatched_alerts,precision,recall,f1,compression,alert_compression,faults,top1,top3\n");
        foreach (var s in scores)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"{s.Scenario},{s.Shape},{s.Alerts},{s.AlertEvents},{s.FaultAlerts},{s.Incidents},{s.ExtraIncidents},{s.UnmatchedAlerts},{s.Precision:F4},{s.Recall:F4},{s.F1:F4},{s.Compression:F4},{s.AlertCompression:F4},{s.Faults.Count},{s.Top1Hits},{s.Top3Hits}");
        }

        File.WriteAllText(path, sb.ToString());
    }
}
