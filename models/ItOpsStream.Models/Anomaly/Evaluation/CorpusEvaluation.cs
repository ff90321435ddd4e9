namespace ItOpsStream.Models.Anomaly.Evaluation;

/// <summary>One series' scores and metrics inside a corpus evaluation.</summary>
public sealed record SeriesEvaluation(
    LabeledSeries Series,
    double[] Scores,
    IReadOnlyList<AnomalyWindow> Windows,
    PrecisionRecall PointWise,
    PrecisionRecall WindowWise)
{
    /// <summary>
    /// For a multivariate file: every metric of it (same timestamps and labels as <see cref="Series"/>,
    /// which is then its first metric), plotted together; null for a univariate series.
    /// </summary>
    public MultivariateSeries? Multivariate { get; init; }
}

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
    public static CorpusEvaluation Run(string name, Func<IStreamingDetector> factory, IReadOnlyList<LabeledSeries> corpus, double? threshold = null) =>
        FromScores(name, corpus.Select(s => new ScoredSeries(s, s.Score(factory()))).ToList(), threshold);

    /// <summary>
    /// Scores a corpus whose scores are already computed (by any detector: univariate, multivariate,
    /// a combination): NAB with its threshold optimisation per profile, then window- and point-wise
    /// metrics at the NAB standard threshold or <paramref name="threshold"/>.
    /// </summary>
    /// <param name="name">Detector name for the report.</param>
    /// <param name="scored">Each labelled series with one score per point.</param>
    /// <param name="threshold">Fixed threshold for the classification metrics, or null for the NAB standard optimum.</param>
    public static CorpusEvaluation FromScores(string name, IReadOnlyList<ScoredSeries> scored, double? threshold = null)
    {
        ArgumentNullException.ThrowIfNull(scored);
        var detector = name;
        var withWindows = scored
            .Select(s => (s.Series, s.Scores, s.Multivariate, Windows: NabScorer.Windows(s.Series.Length, s.Series.AnomalyOnsets())))
            .ToList();
        var files = withWindows.Select(s => (s.Scores, s.Windows)).ToList();
        var nab = NabProfile.All.Select(p => NabScorer.Score(files, p)).ToList();
        var t = threshold ?? Math.Min(1, nab[0].Threshold);
        var series = withWindows
            .Select(s => new SeriesEvaluation(s.Series, s.Scores, s.Windows, DetectionMetrics.PointWise(s.Series, s.Scores, t), DetectionMetrics.WindowWise(s.Scores, s.Windows, t)) { Multivariate = s.Multivariate })
            .ToList();
        var point = series.Aggregate(default(PrecisionRecall), (a, s) => a + s.PointWise);
        var window = series.Aggregate(default(PrecisionRecall), (a, s) => a + s.WindowWise);
        return new CorpusEvaluation(detector, t, nab, point, window, series);
    }
}

/// <summary>A labelled series with one score per point, for <see cref="CorpusEvaluation.FromScores"/>.</summary>
/// <param name="Series">The labelled series (for a multivariate file: its first metric, with the file's labels).</param>
/// <param name="Scores">One score in [0, 1] per point.</param>
public sealed record ScoredSeries(LabeledSeries Series, double[] Scores)
{
    /// <summary>The whole multivariate file, when <see cref="Series"/> stands for one.</summary>
    public MultivariateSeries? Multivariate { get; init; }
}
