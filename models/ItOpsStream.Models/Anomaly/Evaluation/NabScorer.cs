namespace ItOpsStream.Models.Anomaly.Evaluation;

/// <summary>The weights of one NAB application profile.</summary>
/// <param name="Name">Profile name as NAB spells it.</param>
/// <param name="TruePositive">A_TP: reward of the earliest possible detection in a window.</param>
/// <param name="FalsePositive">A_FP: cost of a detection far from any window.</param>
/// <param name="FalseNegative">A_FN: cost of a window without detection.</param>
public sealed record NabProfile(string Name, double TruePositive, double FalsePositive, double FalseNegative)
{
    public static NabProfile Standard { get; } = new("standard", 1.0, 0.11, 1.0);

    public static NabProfile RewardLowFalsePositives { get; } = new("reward_low_FP_rate", 1.0, 0.22, 1.0);

    public static NabProfile RewardLowFalseNegatives { get; } = new("reward_low_FN_rate", 1.0, 0.11, 2.0);

    public static IReadOnlyList<NabProfile> All { get; } = [Standard, RewardLowFalsePositives, RewardLowFalseNegatives];
}

/// <summary>Anomaly window [Start, End] as point indices, both inclusive.</summary>
public readonly record struct AnomalyWindow(int Start, int End);

/// <summary>The NAB result of one detector over a corpus for one profile.</summary>
/// <param name="Profile">The profile.</param>
/// <param name="Threshold">The score threshold that maximizes the raw score over the whole corpus (detection: score ≥ threshold).</param>
/// <param name="RawScore">Sum over files of window rewards, missed-window costs and false-positive costs.</param>
/// <param name="NormalizedScore">100 · (raw − null) / (perfect − null): 0 for a detector that never fires, 100 for a perfect one.</param>
/// <param name="DetectedWindows">Windows with at least one detection.</param>
/// <param name="Windows">Scored windows (outside the probationary period).</param>
/// <param name="FalsePositives">Detections outside every window.</param>
public sealed record NabResult(NabProfile Profile, double Threshold, double RawScore, double NormalizedScore, int DetectedWindows, int Windows, int FalsePositives);

/// <summary>
/// The Numenta Anomaly Benchmark scoring (Lavin and Ahmad 2015; NAB v1.1 sweeper), implemented from
/// its published rules.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Windows: 10 % of a file's length is split evenly over its labelled anomalies, each window
/// centred on its anomaly; overlapping windows merge.</item>
/// <item>Probation: the first min(⌊0.15·n⌋, 750) points are not scored (the detector learns there).</item>
/// <item>A detection at relative position y in a window (−1 at its left edge, 0 past its right edge) earns
/// A_TP · σ(y)/σ(−1) with σ(y) = 2/(1+e^{5y}) − 1; only the best (earliest) detection of a window counts.</item>
/// <item>A detection outside windows costs A_FP · σ(y) (negative), y being the distance past the previous
/// window's end in window widths (y = 3, the full cost, before any window); a missed window costs A_FN.</item>
/// <item>One threshold per detector and profile is chosen to maximize the sum over the corpus, then
/// the sum is normalized against the null detector (−A_FN per window) and the perfect one (A_TP per window).</item>
/// </list>
/// </remarks>
public static class NabScorer
{
    /// <summary>NAB's windows for a series of <paramref name="length"/> points with anomalies at <paramref name="onsets"/>.</summary>
    public static IReadOnlyList<AnomalyWindow> Windows(int length, IReadOnlyList<int> onsets)
    {
        var windows = new List<AnomalyWindow>();
        if (onsets.Count == 0 || length == 0)
        {
            return windows;
        }

        var width = (int)(0.10 * length / onsets.Count);
        var half = width / 2;
        foreach (var onset in onsets.Order())
        {
            var w = new AnomalyWindow(Math.Max(0, onset - half), Math.Min(length - 1, onset + half));
            if (windows.Count > 0 && windows[^1].End >= w.Start)
            {
                windows[^1] = windows[^1] with { End = Math.Max(windows[^1].End, w.End) };
            }
            else
            {
                windows.Add(w);
            }
        }

        return windows;
    }

    /// <summary>NAB's probationary length for a series of <paramref name="length"/> points.</summary>
    public static int ProbationLength(int length) => (int)Math.Min(Math.Floor(0.15 * length), 0.15 * 5000);

    /// <summary>The scaled sigmoid of NAB: 0.987 at y = −1, 0 at y = 0, −0.987 at y = 1, −1 from y = 3.</summary>
    public static double ScaledSigmoid(double y) => y >= 3 ? -1 : (2 / (1 + Math.Exp(5 * y))) - 1;

    /// <summary>Scores a corpus (one score array and its windows per file) with one threshold optimized for the profile.</summary>
    public static NabResult Score(IReadOnlyList<(double[] Scores, IReadOnlyList<AnomalyWindow> Windows)> files, NabProfile profile)
    {
        var points = new List<Point>();
        var windowCount = 0;
        foreach (var (scores, windows) in files)
        {
            windowCount += Sweep(scores, windows, profile, windowCount, points);
        }

        points.Sort(static (a, b) => b.Score.CompareTo(a.Score));
        var best = new double[windowCount];
        Array.Fill(best, -profile.FalseNegative);
        var scorable = new bool[windowCount];
        foreach (var p in points)
        {
            if (p.Window >= 0)
            {
                scorable[p.Window] = true;
            }
        }

        var windowsScored = scorable.Count(s => s);
        var total = -profile.FalseNegative * windowsScored;
        double bestTotal = total, bestThreshold = double.PositiveInfinity;
        int detected = 0, falsePositives = 0, bestDetected = 0, bestFalsePositives = 0;
        for (var i = 0; i < points.Count;)
        {
            var threshold = points[i].Score;
            for (; i < points.Count && points[i].Score == threshold; i++)
            {
                var p = points[i];
                if (p.Window < 0)
                {
                    total += p.Weighted;
                    falsePositives++;
                }
                else if (p.Weighted > best[p.Window])
                {
                    if (best[p.Window] == -profile.FalseNegative)
                    {
                        detected++;
                    }

                    total += p.Weighted - best[p.Window];
                    best[p.Window] = p.Weighted;
                }
            }

            if (total > bestTotal)
            {
                bestTotal = total;
                bestThreshold = threshold;
                bestDetected = detected;
                bestFalsePositives = falsePositives;
            }
        }

        var nullScore = -profile.FalseNegative * windowsScored;
        var perfect = profile.TruePositive * windowsScored;
        var normalized = windowsScored == 0 ? 0 : 100 * (bestTotal - nullScore) / (perfect - nullScore);
        return new NabResult(profile, bestThreshold, bestTotal, normalized, bestDetected, windowsScored, bestFalsePositives);
    }

    /// <summary>Per-point weighted contributions of one file (NAB's calcSweepScore); returns the file's window count.</summary>
    private static int Sweep(double[] scores, IReadOnlyList<AnomalyWindow> windows, NabProfile profile, int windowBase, List<Point> points)
    {
        var maxTp = ScaledSigmoid(-1);
        var probation = ProbationLength(scores.Length);
        var next = 0;
        var current = -1;
        int prevEnd = -1, prevWidth = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (current < 0 && next < windows.Count && windows[next].Start == i)
            {
                current = next++;
            }

            double weighted;
            if (current >= 0)
            {
                var w = windows[current];
                var width = (double)(w.End - w.Start + 1);
                var position = -(w.End - i + 1) / width;
                weighted = ScaledSigmoid(position) * profile.TruePositive / maxTp;
            }
            else
            {
                var past = prevEnd < 0 ? 3.0 : Math.Abs(prevEnd - i) / (double)Math.Max(1, prevWidth - 1);
                weighted = ScaledSigmoid(past) * profile.FalsePositive;
            }

            if (i >= probation)
            {
                points.Add(new Point(scores[i], weighted, current >= 0 ? windowBase + current : -1));
            }

            if (current >= 0 && windows[current].End == i)
            {
                prevEnd = i;
                prevWidth = windows[current].End - windows[current].Start + 1;
                current = -1;
            }
        }

        return windows.Count;
    }

    private readonly record struct Point(double Score, double Weighted, int Window);
}
