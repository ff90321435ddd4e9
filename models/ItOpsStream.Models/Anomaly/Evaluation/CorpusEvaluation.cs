namespace ItOpsStream.Models.Anomaly.Evaluation;

/// <summary>One series' scores and metrics inside a corpus evaluation.</summary>
public sealed record SeriesEvaluation(
    LabeledSeries Series,
    double[] Scores,
    IReadOnlyList<AnomalyWindow> Windows,
    PrecisionRecall PointWise,
    PrecisionRecall WindowWise);

/// <summary>A detector's evaluation over a labelled corpus.</summary>
/// <param name="Detector">Detector name.</param>
/// <param name="Threshold">Threshold of the point- and window-wise metrics (the NAB standard optimum unless given).</param>
/// <param name="Nab">NAB results, one per profile.</param>
/// <param name="PointWise">Point-wise counts summed over the corpus.</param>
/// <param name="WindowWise">Window-wise counts summed over the corpus.</param>
/// <param name="Series">Per-series details.</param>
public sealed record CorpusEvaluation(
    string Detector,
    double Threshold,
    IReadOnlyList<NabResult> Nab,
    PrecisionRecall PointWise,
    PrecisionRecall WindowWise,
    IReadOnlyList<SeriesEvaluation> Series)
{
    /// <summary>Runs a fresh detector over every series and scores the corpus.</summary>
    /// <param name="detector">Detector name, as <see cref="DetectorFactory.Create"/>.</param>
    /// <param name="corpus">Labelled series.</param>
    /// <param name="threshold">Fixed threshold for the classification metrics, or null for the NAB standard optimum.</param>
    public static CorpusEvaluation Run(string detector, IReadOnlyList<LabeledSeries> corpus, double? threshold = null) =>
        Run(detector, () => DetectorFactory.Create(detector), corpus, threshold);

    /// <summary>Runs a detector made by <paramref name="factory"/> (one per series) over every series and scores the corpus.</summary>
    public static CorpusEvaluation Run(string name, Func<IStreamingDetector> factory, IReadOnlyList<LabeledSeries> corpus, double? threshold = null)
    {
        var detector = name;
        var scored = corpus
            .Select(s => (Series: s, Scores: s.Score(factory()), Windows: NabScorer.Windows(s.Length, s.AnomalyOnsets())))
            .ToList();
        var files = scored.Select(s => (s.Scores, s.Windows)).ToList();
        var nab = NabProfile.All.Select(p => NabScorer.Score(files, p)).ToList();
        var t = threshold ?? Math.Min(1, nab[0].Threshold);
        var series = scored
            .Select(s => new SeriesEvaluation(s.Series, s.Scores, s.Windows, DetectionMetrics.PointWise(s.Series, s.Scores, t), DetectionMetrics.WindowWise(s.Scores, s.Windows, t)))
            .ToList();
        var point = series.Aggregate(default(PrecisionRecall), (a, s) => a + s.PointWise);
        var window = series.Aggregate(default(PrecisionRecall), (a, s) => a + s.WindowWise);
        return new CorpusEvaluation(detector, t, nab, point, window, series);
    }
}
