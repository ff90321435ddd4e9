using ItOpsStream.Models.Training;

namespace ItOpsStream.Models.Anomaly.Evaluation;

/// <summary>
/// Evaluation of multivariate models on labelled multivariate files, with the same metrics as the
/// univariate evaluation (<see cref="CorpusEvaluation"/>: NAB with threshold optimisation, window- and
/// point-wise precision/recall/F1), and the univariate baseline the model has to beat.
/// </summary>
public static class MultivariateEvaluation
{
    /// <summary>
    /// Scores every file with a fresh <see cref="PcaDetector"/> (its own calibration, as the engine
    /// keeps one per CI) over the model's metrics, in the model's order. A missing value takes the
    /// metric's last known value, as training pivots; rows before every metric is known score 0.
    /// </summary>
    /// <param name="name">Name for the report.</param>
    /// <param name="model">The model.</param>
    /// <param name="corpus">Labelled files; each must have every metric of the model (others are ignored).</param>
    /// <param name="threshold">Fixed threshold for the classification metrics, or null for the NAB standard optimum.</param>
    /// <exception cref="InvalidDataException">A file lacks one of the model's metrics; the message names both.</exception>
    public static CorpusEvaluation RunModel(string name, PcaModel model, IReadOnlyList<MultivariateSeries> corpus, double? threshold = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(corpus);
        var scored = new List<ScoredSeries>(corpus.Count);
        var scorer = model.CreateScorer();
        foreach (var file in corpus)
        {
            var index = model.Info.Metrics.Select(m => file.IndexOf(m)).ToArray();
            var missing = Array.IndexOf(index, -1);
            if (missing >= 0)
            {
                throw new InvalidDataException($"{file.Name}: no column '{model.Info.Metrics[missing]}' (the model's metrics: {string.Join(", ", model.Info.Metrics)})");
            }

            var detector = new PcaDetector(model, scorer);
            var vector = new float[index.Length];
            var known = new bool[index.Length];
            var scores = new double[file.Length];
            for (var i = 0; i < file.Length; i++)
            {
                var complete = true;
                for (var m = 0; m < index.Length; m++)
                {
                    var v = file.Columns[index[m]][i];
                    if (double.IsFinite(v))
                    {
                        vector[m] = (float)v;
                        known[m] = true;
                    }

                    complete &= known[m];
                }

                scores[i] = complete ? detector.Score(file.Timestamps[i], vector) : 0;
            }

            scored.Add(new ScoredSeries(file.Metric(index[0]), scores) { Multivariate = file });
        }

        return CorpusEvaluation.FromScores(name, scored, threshold);
    }

    /// <summary>
    /// The univariate baseline: a fresh <paramref name="detector"/> on each metric of each file alone,
    /// the point's score being the highest of its metrics' (any metric alerting is a detection).
    /// </summary>
    /// <param name="detector">Detector name, as <see cref="DetectorFactory.Create"/>.</param>
    /// <param name="corpus">Labelled files.</param>
    /// <param name="threshold">Fixed threshold for the classification metrics, or null for the NAB standard optimum.</param>
    /// <param name="metrics">The metrics to score (default: every column of each file).</param>
    public static CorpusEvaluation RunPerMetric(string detector, IReadOnlyList<MultivariateSeries> corpus, double? threshold = null, IReadOnlyList<string>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var scored = new List<ScoredSeries>(corpus.Count);
        foreach (var file in corpus)
        {
            var columns = metrics is null ? Enumerable.Range(0, file.Metrics.Count).ToArray() : metrics.Select(file.IndexOf).Where(i => i >= 0).ToArray();
            var scores = new double[file.Length];
            foreach (var c in columns)
            {
                var single = file.Metric(c).Score(DetectorFactory.Create(detector));
                for (var i = 0; i < scores.Length; i++)
                {
                    scores[i] = Math.Max(scores[i], single[i]);
                }
            }

            scored.Add(new ScoredSeries(file.Metric(columns.Length > 0 ? columns[0] : 0), scores) { Multivariate = file });
        }

        return CorpusEvaluation.FromScores($"{detector} per metric (max)", scored, threshold);
    }
}
