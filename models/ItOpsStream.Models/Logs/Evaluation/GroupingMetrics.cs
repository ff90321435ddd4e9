namespace ItOpsStream.Models.Logs.Evaluation;

/// <summary>
/// Accuracy of a log parser's grouping against ground truth, as in the LogPAI benchmarks.
/// </summary>
/// <param name="Messages">Messages compared.</param>
/// <param name="GroupingAccuracy">
/// GA (Zhu et al. 2019): share of messages whose predicted group holds exactly the messages of their true group.
/// </param>
/// <param name="GroupPrecision">Share of predicted groups that equal a true group.</param>
/// <param name="GroupRecall">Share of true groups that equal a predicted group.</param>
/// <param name="GroupF1">FGA (Jiang et al. 2024, loghub-2.0): harmonic mean of group precision and recall.</param>
/// <param name="PredictedGroups">Number of predicted groups.</param>
/// <param name="TrueGroups">Number of true groups.</param>
public sealed record GroupingMetrics(
    int Messages,
    double GroupingAccuracy,
    double GroupPrecision,
    double GroupRecall,
    double GroupF1,
    int PredictedGroups,
    int TrueGroups)
{
    /// <summary>Compares <paramref name="predicted"/> with <paramref name="truth"/> (same length, any label type).</summary>
    public static GroupingMetrics Compute<TPredicted, TTruth>(IReadOnlyList<TPredicted> predicted, IReadOnlyList<TTruth> truth)
        where TPredicted : notnull
        where TTruth : notnull
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(truth);
        if (predicted.Count != truth.Count)
        {
            throw new ArgumentException($"predicted has {predicted.Count} labels, truth has {truth.Count}");
        }

        var predictedSizes = new Dictionary<TPredicted, int>();
        var trueSizes = new Dictionary<TTruth, int>();
        var pairSizes = new Dictionary<(TPredicted, TTruth), int>();
        for (int i = 0; i < predicted.Count; i++)
        {
            predictedSizes[predicted[i]] = predictedSizes.GetValueOrDefault(predicted[i]) + 1;
            trueSizes[truth[i]] = trueSizes.GetValueOrDefault(truth[i]) + 1;
            var pair = (predicted[i], truth[i]);
            pairSizes[pair] = pairSizes.GetValueOrDefault(pair) + 1;
        }

        // A predicted group is exact when one (predicted, true) pair covers both whole groups.
        int correctMessages = 0;
        int exactGroups = 0;
        foreach (var ((p, t), size) in pairSizes)
        {
            if (size == predictedSizes[p] && size == trueSizes[t])
            {
                correctMessages += size;
                exactGroups++;
            }
        }

        int n = predicted.Count;
        double precision = predictedSizes.Count == 0 ? 0 : (double)exactGroups / predictedSizes.Count;
        double recall = trueSizes.Count == 0 ? 0 : (double)exactGroups / trueSizes.Count;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new GroupingMetrics(n, n == 0 ? 0 : (double)correctMessages / n, precision, recall, f1, predictedSizes.Count, trueSizes.Count);
    }
}
