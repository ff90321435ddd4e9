using System.Globalization;
using System.Text;
using ItOpsStream.Models.Anomaly.Evaluation;
using ItOpsStream.Models.Training;

namespace ItOpsStream.Cli.Commands;

internal static partial class ModelsCommand
{
    /// <summary>
    /// <c>models evaluate --model M.zip</c>: the PCA model on labelled multivariate files, then each
    /// <c>--detector</c> on every metric alone (highest score of the metrics) as the baseline it has to beat.
    /// </summary>
    private static void EvaluateMultivariate(DirectoryInfo data, IReadOnlyList<string> detectors, PcaModel model, string modelName, DirectoryInfo? plots, double? threshold, TextWriter output)
    {
        var corpus = ReadMultivariateCorpus(data);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"corpus: {corpus.Count} files, {corpus.Sum(s => s.Length)} rows, {corpus.Sum(s => s.Metric(0).AnomalyOnsets().Count)} labelled anomalies; model {modelName}: pca rank {model.Info.Rank} over {string.Join(", ", model.Info.Metrics)}"));
        WriteTableHeader(output);
        CorpusEvaluation pca;
        try
        {
            pca = MultivariateEvaluation.RunModel("pca:" + modelName, model, corpus, threshold);
        }
        catch (InvalidDataException ex)
        {
            throw new CliInputException($"{data.FullName}: {ex.Message}");
        }

        Report(pca.Detector, pca, plots, output);
        foreach (var detector in detectors)
        {
            var baseline = MultivariateEvaluation.RunPerMetric(detector, corpus, threshold, model.Info.Metrics);
            Report(baseline.Detector, baseline, plots, output);
        }
    }

    private static PcaModel ReadPca(FileInfo model)
    {
        if (!model.Exists)
        {
            throw new CliInputException($"{model.FullName}: file not found");
        }

        try
        {
            using var stream = File.OpenRead(model.FullName);
            return PcaModel.Load(stream);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A damaged zip surfaces as several exception types from ML.NET; each means "not a pca model".
            throw new CliInputException($"{model.FullName}: not a pca model from 'models train' (or an .onnx model): {ex.Message.Split('\n')[0]}");
        }
    }

    private static List<MultivariateSeries> ReadMultivariateCorpus(DirectoryInfo data)
    {
        if (!data.Exists)
        {
            throw new CliInputException($"{data.FullName}: directory not found");
        }

        var files = data.GetFiles("*.csv").OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new CliInputException($"{data.FullName}: no *.csv files");
        }

        var corpus = new List<MultivariateSeries>(files.Count);
        foreach (var file in files)
        {
            using var reader = new StreamReader(file.FullName);
            try
            {
                corpus.Add(MultivariateCsv.ReadLabeled(reader, Path.GetFileNameWithoutExtension(file.Name)));
            }
            catch (FormatException ex)
            {
                throw new CliInputException($"{file.FullName}:{ex.Message}");
            }
        }

        return corpus;
    }

    /// <summary>The labelled files in <paramref name="dir"/>, the training history in <c>train/fleet.csv</c>.</summary>
    private static void WriteMultivariateCorpus(DirectoryInfo dir, MultivariateCorpusOptions options, TextWriter output)
    {
        var corpus = MultivariateCorpus.Generate(options);
        foreach (var series in corpus)
        {
            using var writer = new StreamWriter(Path.Combine(dir.FullName, series.Name + ".csv"), append: false, new UTF8Encoding(false));
            MultivariateCsv.WriteLabeled(writer, series);
        }

        var train = Directory.CreateDirectory(Path.Combine(dir.FullName, "train"));
        using (var writer = new StreamWriter(Path.Combine(train.FullName, "fleet.csv"), append: false, new UTF8Encoding(false)))
        {
            writer.Write("timestamp,ci,metric,value\n");
            foreach (var s in MultivariateCorpus.Training(options))
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture,
                    $"{DateTimeOffset.FromUnixTimeMilliseconds(s.TimestampMs).UtcDateTime:yyyy-MM-dd HH:mm:ss},{s.Ci},{s.Metric},{s.Value:0.#####}\n"));
            }
        }

        output.WriteLine($"wrote {corpus.Count} labelled multivariate files to {dir.FullName} and their training history to {train.FullName}");
        output.WriteLine($"next: itopsstream models train --data {train.FullName} --out fleet.zip --rank 1 && itopsstream models evaluate --data {dir.FullName} --model fleet.zip");
    }
}
