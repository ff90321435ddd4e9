using System.Globalization;
using System.Text;
using ItOpsStream.TestKit.Generators;

namespace ItOpsStream.TestKit.Scoring;

/// <summary>
/// One line of the quality table. F1, precision, recall and compression are means over the
/// scenarios (each scenario weighs the same); top-1 and top-3 are over all faults of the group.
/// </summary>
public sealed record QualityRow(string Group, int Scenarios, int Faults, int Alerts, double F1, double Precision, double Recall, double Compression, double AlertCompression, double Top1, double Top3);

/// <summary>Aggregates scenario scores into the quality table and the failure analysis.</summary>
public static class QualityReport
{
    public static QualityRow Summarize(string group, IReadOnlyList<ScenarioScore> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        int faults = scores.Sum(s => s.Faults.Count);
        double Mean(Func<ScenarioScore, double> f) => scores.Count == 0 ? 0 : scores.Average(f);
        return new QualityRow(
            group,
            scores.Count,
            faults,
            scores.Sum(s => s.Alerts),
            Mean(s => s.F1),
            Mean(s => s.Precision),
            Mean(s => s.Recall),
            Mean(s => s.Compression),
            Mean(s => s.AlertCompression),
            faults == 0 ? 0 : (double)scores.Sum(s => s.Top1Hits) / faults,
            faults == 0 ? 0 : (double)scores.Sum(s => s.Top3Hits) / faults);
    }

    public static string ToMarkdown(IReadOnlyList<QualityRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder();
        sb.AppendLine("| group | scenarios | faults | alerts | F1 | precision | recall | compression | alert compression | top-1 | top-3 |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in rows)
        {
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Group} | {r.Scenarios} | {r.Faults} | {r.Alerts} | {r.F1:F3} | {r.Precision:F3} | {r.Recall:F3} | {r.Compression:P1} | {r.AlertCompression:P1} | {r.Top1:F3} | {r.Top3:F3} |"));
        }

        return sb.ToString();
    }

    /// <summary>
    /// Per fault kind: how often a fault is split over several incidents, merged with another fault,
    /// glued to noise, and how often its root is ranked first or in the top three; then the most
    /// common wrong first-ranked CI classes. This is where tuning starts.
    /// </summary>
    /// <summary>
    /// Reliability of the top root-cause score: faults grouped by the score the engine gave its ranked-first
    /// candidate, with the share of them where that candidate is the true root. A calibrated score has the two
    /// columns close; the expected calibration error (ECE) is their gap weighted by faults.
    /// </summary>
    public static string RootCauseCalibration(IReadOnlyList<ScenarioScore> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var faults = scores.SelectMany(s => s.Faults).Where(f => !double.IsNaN(f.PredictedScore)).ToList();
        double[] edges = [0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001];
        var sb = new StringBuilder();
        sb.AppendLine("| top score | faults | mean score | share right |");
        sb.AppendLine("| --- | ---: | ---: | ---: |");
        double ece = 0;
        for (int b = 0; b < edges.Length - 1; b++)
        {
            var bin = faults.Where(f => f.PredictedScore >= edges[b] && f.PredictedScore < edges[b + 1]).ToList();
            if (bin.Count == 0)
            {
                continue;
            }

            double mean = bin.Average(f => f.PredictedScore), right = bin.Count(f => f.Top1) / (double)bin.Count;
            ece += bin.Count * Math.Abs(mean - right);
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {edges[b]:0.00}–{Math.Min(1, edges[b + 1]):0.00} | {bin.Count} | {mean:0.000} | {right:0.000} |");
        }

        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Expected calibration error: {(faults.Count == 0 ? 0 : ece / faults.Count):0.000} over {faults.Count} faults.");
        return sb.ToString();
    }

    public static string FailureAnalysis(IReadOnlyList<ScenarioScore> scores, Func<string, string?>? classOf = null)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var sb = new StringBuilder();
        sb.AppendLine("| fault kind | faults | split | merged with other fault | noise glued | mean share in main incident | top-1 | top-3 |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var kind in Enum.GetValues<FaultKind>())
        {
            var faults = scores.SelectMany(s => s.Faults).Where(f => f.Kind == kind).ToList();
            if (faults.Count == 0)
            {
                continue;
            }

            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {kind} | {faults.Count} | {Share(faults, f => f.Incidents > 1):P0} | {Share(faults, f => f.ForeignAlerts > 0):P0} | {Share(faults, f => f.NoiseAlerts > 0):P0} | {faults.Average(f => f.MajorityShare):F2} | {Share(faults, f => f.Top1):F3} | {Share(faults, f => f.Top3):F3} |"));
        }

        var misses = scores.SelectMany(s => s.Faults).Where(f => !f.Top1).ToList();
        if (misses.Count > 0 && classOf is not null)
        {
            sb.AppendLine();
            sb.AppendLine("Root-cause misses by (true root class -> ranked-first class):");
            sb.AppendLine();
            foreach (var g in misses.GroupBy(f => $"{classOf(f.RootCi) ?? "?"} -> {(f.PredictedRoot is null ? "(no incident)" : classOf(f.PredictedRoot) ?? "unknown CI")}").OrderByDescending(g => g.Count()).Take(10))
            {
                sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- {g.Key}: {g.Count()}"));
            }
        }

        return sb.ToString();
    }

    private static double Share(List<FaultScore> faults, Func<FaultScore, bool> predicate) => (double)faults.Count(predicate) / faults.Count;
}
