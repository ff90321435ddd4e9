namespace ItOpsStream.Models.Anomaly.Evaluation;

/// <summary>
/// One metric series with optional NAB-style point labels: 1 marks an anomaly point, 0 normal.
/// A run of consecutive 1s is one anomaly starting at its first point.
/// </summary>
public sealed class LabeledSeries
{
    public LabeledSeries(string name, long[] timestamps, double[] values, byte[]? labels = null)
    {
        if (timestamps.Length != values.Length || (labels is not null && labels.Length != values.Length))
        {
            throw new ArgumentException("timestamps, values and labels must have the same length");
        }

        Name = name;
        Timestamps = timestamps;
        Values = values;
        Labels = labels;
    }

    /// <summary>Series name (file name without extension).</summary>
    public string Name { get; }

    /// <summary>Event times, Unix epoch milliseconds.</summary>
    public long[] Timestamps { get; }

    public double[] Values { get; }

    /// <summary>Point labels, or null for an unlabelled series.</summary>
    public byte[]? Labels { get; }

    public int Length => Values.Length;

    /// <summary>Index of the first point of every run of 1s in <see cref="Labels"/>.</summary>
    public IReadOnlyList<int> AnomalyOnsets()
    {
        var onsets = new List<int>();
        if (Labels is null)
        {
            return onsets;
        }

        for (var i = 0; i < Labels.Length; i++)
        {
            if (Labels[i] != 0 && (i == 0 || Labels[i - 1] == 0))
            {
                onsets.Add(i);
            }
        }

        return onsets;
    }

    /// <summary>Scores every point with a fresh detector, in order (causal).</summary>
    public double[] Score(IStreamingDetector detector)
    {
        var scores = new double[Length];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = detector.Score(Timestamps[i], Values[i]);
        }

        return scores;
    }
}
