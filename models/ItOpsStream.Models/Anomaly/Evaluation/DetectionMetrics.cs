namespace ItOpsStream.Models.Anomaly.Evaluation;

/// <summary>Precision, recall and F1 from counts.</summary>
public readonly record struct PrecisionRecall(int TruePositives, int FalsePositives, int FalseNegatives)
{
    public double Precision => TruePositives + FalsePositives == 0 ? 0 : (double)TruePositives / (TruePositives + FalsePositives);

    public double Recall => TruePositives + FalseNegatives == 0 ? 0 : (double)TruePositives / (TruePositives + FalseNegatives);

    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    public static PrecisionRecall operator +(PrecisionRecall a, PrecisionRecall b) =>
        new(a.TruePositives + b.TruePositives, a.FalsePositives + b.FalsePositives, a.FalseNegatives + b.FalseNegatives);
}

/// <summary>Threshold-based classification metrics of one scored series.</summary>
/// <remarks>
/// Point-wise: each point is a sample, positive when labelled 1, detected when score ≥ threshold. With
/// NAB-style labels (one point per anomaly) this is deliberately harsh: only an exact hit counts.
/// Window-wise: the positives are NAB's windows; a window is found when any point in it is detected;
/// a detection event is a rising edge of (score ≥ threshold), and it is a false positive outside every
/// window. Both skip NAB's probationary period.
/// </remarks>
public static class DetectionMetrics
{
    public static PrecisionRecall PointWise(LabeledSeries series, double[] scores, double threshold)
    {
        int tp = 0, fp = 0, fn = 0;
        var labels = series.Labels;
        for (var i = NabScorer.ProbationLength(series.Length); i < scores.Length; i++)
        {
            var positive = labels is not null && labels[i] != 0;
            var detected = scores[i] >= threshold;
            if (positive && detected)
            {
                tp++;
            }
            else if (detected)
            {
                fp++;
            }
            else if (positive)
            {
                fn++;
            }
        }

        return new PrecisionRecall(tp, fp, fn);
    }

    public static PrecisionRecall WindowWise(double[] scores, IReadOnlyList<AnomalyWindow> windows, double threshold)
    {
        var probation = NabScorer.ProbationLength(scores.Length);
        var found = new bool[windows.Count];
        var fp = 0;
        var w = 0;
        var previous = false;
        for (var i = probation; i < scores.Length; i++)
        {
            while (w < windows.Count && windows[w].End < i)
            {
                w++;
            }

            var inside = w < windows.Count && windows[w].Start <= i;
            var detected = scores[i] >= threshold;
            if (detected && inside)
            {
                found[w] = true;
            }
            else if (detected && !previous)
            {
                fp++;
            }

            previous = detected;
        }

        var scored = 0;
        var tp = 0;
        for (var i = 0; i < windows.Count; i++)
        {
            if (windows[i].End >= probation)
            {
                scored++;
                tp += found[i] ? 1 : 0;
            }
        }

        return new PrecisionRecall(tp, fp, scored - tp);
    }
}
