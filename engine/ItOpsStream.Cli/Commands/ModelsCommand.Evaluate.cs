using System.CommandLine;
using System.Globalization;
using System.Text;
using ItOpsStream.Models.Anomaly;
using ItOpsStream.Models.Anomaly.Evaluation;
using ItOpsStream.Models.Training;

namespace ItOpsStream.Cli.Commands;

internal static partial class ModelsCommand
{
    private static Command CreateEvaluate()
    {
        var data = new Option<DirectoryInfo>("--data")
        {
            Description = "Directory of labelled series: *.csv with header 'timestamp,value,label' (label 1 at anomaly points, NAB style); with a pca --model, multivariate files 'timestamp,<metric>,...,label', one CI per file.",
            Required = true,
        };
        var detectors = new Option<string[]>("--detector")
        {
            Description = "Detector(s) to evaluate (repeatable, or 'all'): " + string.Join(", ", DetectorFactory.Names.Select(n => n.Name)),
            DefaultValueFactory = _ => [DetectorFactory.Default],
            AllowMultipleArgumentsPerToken = true,
        };
        var plots = new Option<DirectoryInfo?>("--plots") { Description = "Write one PNG per series and detector here (value, score, windows, labels, detections)." };
        var threshold = new Option<double?>("--threshold") { Description = "Threshold of the point- and window-wise metrics (default: the NAB standard optimum)." };
        var model = new Option<FileInfo?>("--model")
        {
            Description = "An .onnx window model (input float [1, W], output a raw anomaly statistic): also evaluated on the series; or a pca model from 'models train' (.zip): evaluated on multivariate files, with --detector run on each metric alone as the baseline.",
        };
        var command = new Command("evaluate", "Score detectors or a model on labelled series: point-wise and window-wise precision/recall/F1 and NAB scores (standard, reward_low_FP_rate, reward_low_FN_rate).")
        {
            data, detectors, plots, threshold, model,
        };
        command.SetAction(parse =>
        {
            Evaluate(parse.GetValue(data)!, parse.GetValue(detectors)!, parse.GetValue(plots), parse.GetValue(threshold), parse.GetValue(model), parse.InvocationConfiguration.Output);
            return CliApp.ExitOk;
        });
        return command;
    }

    private static Command CreateCorpus()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory to write the labelled series into.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Generator seed (same seed, same corpus).", DefaultValueFactory = _ => SyntheticCorpusOptions.Default.Seed };
        var count = new Option<int?>("--series") { Description = $"Number of series (default {SyntheticCorpusOptions.Default.Series}; with --multivariate, hosts, default {MultivariateCorpusOptions.Default.Series})." };
        var multivariate = new Option<bool>("--multivariate")
        {
            Description = "Write a multivariate corpus instead: a fleet of hosts (requests, cpu, latency_ms following one load) with anomalies that break the relation while each metric stays in range; labelled files 'timestamp,requests,cpu,latency_ms,label' and anomaly-free history for 'models train' in train/.",
        };
        var command = new Command("corpus", "Write a labelled synthetic corpus (spikes, level shifts, trend and variance changes, seasonality loss; daily and weekly seasonality, noise, missing points), or with --multivariate one for multivariate models.")
        {
            output, seed, count, multivariate,
        };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(output)!;
            var multi = parse.GetValue(multivariate);
            var n = parse.GetValue(count) ?? (multi ? MultivariateCorpusOptions.Default.Series : SyntheticCorpusOptions.Default.Series);
            if (n is < 1 or > 10_000)
            {
                throw new CliInputException($"--series: {n} is not in [1, 10000]");
            }

            dir.Create();
            if (multi)
            {
                WriteMultivariateCorpus(dir, new MultivariateCorpusOptions { Seed = parse.GetValue(seed), Series = n }, parse.InvocationConfiguration.Output);
                return CliApp.ExitOk;
            }

            var corpus = SyntheticCorpus.Generate(new SyntheticCorpusOptions { Seed = parse.GetValue(seed), Series = n });
            foreach (var series in corpus)
            {
                using var writer = new StreamWriter(Path.Combine(dir.FullName, series.Name + ".csv"), append: false, new UTF8Encoding(false));
                SeriesCsv.WriteLabeled(writer, series);
            }

            parse.InvocationConfiguration.Output.WriteLine($"wrote {corpus.Count} series to {dir.FullName}");
            return CliApp.ExitOk;
        });
        return command;
    }

    internal static IReadOnlyList<LabeledSeries> ReadCorpus(DirectoryInfo data)
    {
        if (!data.Exists)
        {
            throw new CliInputException($"{data.FullName}: directory not found");
        }

        var files = data.GetFiles("*.csv").OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new CliInputException($"{data.FullName}: no *.csv series");
        }

        var corpus = new List<LabeledSeries>(files.Count);
        foreach (var file in files)
        {
            using var reader = new StreamReader(file.FullName);
            try
            {
                corpus.Add(SeriesCsv.ReadLabeled(reader, Path.GetFileNameWithoutExtension(file.Name)));
            }
            catch (FormatException ex)
            {
                throw new CliInputException($"{file.FullName}:{ex.Message}");
            }
        }

        return corpus;
    }

    private static void Evaluate(DirectoryInfo data, string[] detectors, DirectoryInfo? plots, double? threshold, FileInfo? model, TextWriter output)
    {
        var names = detectors.SelectMany(d => d.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (names.Contains("all", StringComparer.OrdinalIgnoreCase))
        {
            names = DetectorFactory.Names.Select(n => n.Name).ToList();
        }

        foreach (var name in names.Where(n => !DetectorFactory.IsKnown(n)))
        {
            throw new CliInputException($"--detector: unknown detector '{name}' (known: {string.Join(", ", DetectorFactory.Names.Select(n => n.Name))}, all)");
        }

        if (threshold is < 0 or > 1)
        {
            throw new CliInputException($"--threshold: {threshold} is not in [0, 1]");
        }

        if (model is not null && !model.Extension.Equals(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            EvaluateMultivariate(data, names, ReadPca(model), Path.GetFileNameWithoutExtension(model.Name), plots, threshold, output);
            return;
        }

        var onnx = model is null ? null : ReadOnnx(model);
        var corpus = ReadCorpus(data);
        output.WriteLine($"corpus: {corpus.Count} series, {corpus.Sum(s => s.Length)} points, {corpus.Sum(s => s.AnomalyOnsets().Count)} labelled anomalies");
        WriteTableHeader(output);
        var runs = names.Select(n => (Name: n, Factory: (Func<IStreamingDetector>)(() => DetectorFactory.Create(n)))).ToList();
        var sessions = new List<OnnxWindowDetector>();
        if (model is not null && onnx is not null)
        {
            runs.Add(("onnx:" + Path.GetFileNameWithoutExtension(model.Name), OpenOnnx));
        }

        IStreamingDetector OpenOnnx()
        {
            var detector = new OnnxWindowDetector(onnx!);
            sessions.Add(detector);
            return detector;
        }

        try
        {
            foreach (var (name, factory) in runs)
            {
                EvaluateOne(name, factory, corpus, plots, threshold, output);
            }
        }
        finally
        {
            sessions.ForEach(s => s.Dispose());
        }
    }

    private static byte[] ReadOnnx(FileInfo model)
    {
        if (!model.Exists)
        {
            throw new CliInputException($"{model.FullName}: file not found");
        }

        var bytes = File.ReadAllBytes(model.FullName);
        try
        {
            using var probe = new OnnxWindowDetector(bytes);
        }
        catch (InvalidDataException ex)
        {
            throw new CliInputException($"{model.FullName}: {ex.Message}");
        }

        return bytes;
    }

    private static void EvaluateOne(string name, Func<IStreamingDetector> factory, IReadOnlyList<LabeledSeries> corpus, DirectoryInfo? plots, double? threshold, TextWriter output) =>
        Report(name, CorpusEvaluation.Run(name, factory, corpus, threshold), plots, output);

    private static void WriteTableHeader(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("| detector | NAB standard | NAB low FP | NAB low FN | threshold | windows found | FP (NAB std) | window P | window R | window F1 | point P | point R | point F1 |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    }

    /// <summary>One table row, and the plots of every series when asked.</summary>
    private static void Report(string name, CorpusEvaluation result, DirectoryInfo? plots, TextWriter output)
    {
        var std = result.Nab[0];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {std.NormalizedScore:0.0} | {result.Nab[1].NormalizedScore:0.0} | {result.Nab[2].NormalizedScore:0.0} | {result.Threshold:0.###} | {std.DetectedWindows}/{std.Windows} | {std.FalsePositives} | {result.WindowWise.Precision:0.00} | {result.WindowWise.Recall:0.00} | {result.WindowWise.F1:0.00} | {result.PointWise.Precision:0.00} | {result.PointWise.Recall:0.00} | {result.PointWise.F1:0.00} |"));

        if (plots is null)
        {
            return;
        }

        plots.Create();
        foreach (var series in result.Series)
        {
            var png = SeriesPlot.RenderPng(series, name, result.Threshold);
            var file = $"{series.Series.Name}.{PlotName(name)}.png";
            File.WriteAllBytes(Path.Combine(plots.FullName, file), png);
        }
    }

    /// <summary>A detector name as a file-name part: <c>onnx:m</c> → <c>onnx_m</c>, <c>default per metric (max)</c> → <c>default_per_metric</c>.</summary>
    private static string PlotName(string name) =>
        name.Replace(" (max)", string.Empty, StringComparison.Ordinal).Replace(':', '_').Replace(' ', '_');
}
