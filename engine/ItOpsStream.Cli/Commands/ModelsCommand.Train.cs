using System.CommandLine;
using System.Globalization;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Models.Training;

namespace ItOpsStream.Cli.Commands;

internal static partial class ModelsCommand
{
    private static Command CreateTrain()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Directory of training data: *.csv with header 'timestamp,ci,metric,value' and/or *.arrow from 'models export'.", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Model file to write (ML.NET zip).", Required = true };
        var ci = new Option<string?>("--ci") { Description = "Train on this CI only (default: every CI, one fleet model over CIs with the same metrics)." };
        var rank = new Option<int>("--rank") { Description = "Principal components kept.", DefaultValueFactory = _ => PcaModelOptions.Default.Rank };
        var command = new Command("train", "Train the multivariate per-CI model (ML.NET RandomizedPca over the CI's metric vector).")
        {
            data, output, ci, rank,
        };
        command.SetAction(parse =>
        {
            var samples = ReadSamples(parse.GetValue(data)!);
            var table = MetricTable.Pivot(samples, parse.GetValue(ci));
            PcaModel model;
            try
            {
                model = PcaModel.Train(table, PcaModelOptions.Default with { Rank = parse.GetValue(rank) }, parse.GetValue(ci));
            }
            catch (ArgumentException ex)
            {
                throw new CliInputException($"{parse.GetValue(data)!.FullName}: {ex.Message}");
            }

            var file = parse.GetValue(output)!;
            using (var stream = File.Create(file.FullName))
            {
                model.Save(stream);
            }

            var info = model.Info;
            parse.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trained pca rank {info.Rank} on {info.TrainingRows} rows x {info.Metrics.Count} metrics ({string.Join(", ", info.Metrics)}); training score p50 {info.ScoreP50:0.###}, p99 {info.ScoreP99:0.###}; wrote {file.FullName}"));
            return CliApp.ExitOk;
        });
        return command;
    }

    private static Command CreatePromote()
    {
        var model = new Option<FileInfo>("--model") { Description = "Model file: an ML.NET zip from 'models train' or an .onnx model.", Required = true };
        var dir = new Option<DirectoryInfo>("--models-dir") { Description = "The models directory a running engine watches (manifest.json).", Required = true };
        var name = new Option<string>("--name") { Description = "Logical model name; promoting the same name again replaces it. Its alerts have the check anomaly:model:NAME.", Required = true };
        var metric = new Option<string?>("--metric") { Description = "Required for an .onnx model: the metric whose series it scores, on every CI (a pca model names its metrics itself)." };
        var command = new Command("promote", "Copy a model into a models directory under a new manifest version, so a running engine hot-reloads it.")
        {
            model, dir, name, metric,
        };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(model)!;
            if (!file.Exists)
            {
                throw new CliInputException($"{file.FullName}: file not found");
            }

            var kind = file.Extension.Equals(".onnx", StringComparison.OrdinalIgnoreCase) ? "onnx" : "pca";
            var metricName = parse.GetValue(metric);
            if (kind == "onnx" && string.IsNullOrWhiteSpace(metricName))
            {
                throw new CliInputException($"{file.FullName}: an onnx model needs --metric NAME (the metric whose series it scores)");
            }

            if (kind == "pca" && metricName is not null)
            {
                throw new CliInputException($"{file.FullName}: --metric is for onnx models; a pca model names its metrics itself");
            }

            try
            {
                // Refuse what a loader would refuse, before any running engine sees it.
                var bytes = File.ReadAllBytes(file.FullName);
                if (kind == "pca")
                {
                    using var s = new MemoryStream(bytes);
                    PcaModel.Load(s);
                }
                else
                {
                    using var d = new OnnxWindowDetector(bytes);
                }

                var manifest = ModelManifest.Promote(parse.GetValue(dir)!.FullName, file.FullName, parse.GetValue(name)!, kind, metricName);
                parse.InvocationConfiguration.Output.WriteLine($"promoted {kind} model '{parse.GetValue(name)}' as manifest version {manifest.Version} in {parse.GetValue(dir)!.FullName}");
            }
            catch (Exception ex) when (ex is InvalidDataException or ArgumentException or IOException or FormatException)
            {
                throw new CliInputException($"{file.FullName}: {ex.Message}");
            }

            return CliApp.ExitOk;
        });
        return command;
    }

    private static Command CreateExport()
    {
        var events = new Option<FileInfo>("--events") { Description = "Telemetry JSON Lines (CONTRACTS §2); metric records are exported, the others skipped.", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Apache Arrow IPC file to write: timestamp, ci, metric, value.", Required = true };
        var command = new Command("export", "Export the metric records of recorded telemetry as Apache Arrow training data.")
        {
            events, output,
        };
        command.SetAction(parse =>
        {
            var input = parse.GetValue(events)!;
            if (!input.Exists)
            {
                throw new CliInputException($"{input.FullName}: file not found");
            }

            var samples = ReadMetricRecords(input).ToList();
            var file = parse.GetValue(output)!;
            long written;
            using (var stream = File.Create(file.FullName))
            {
                written = MetricArrow.Write(stream, samples);
            }

            parse.InvocationConfiguration.Output.WriteLine($"exported {written} metric samples to {file.FullName}");
            return CliApp.ExitOk;
        });
        return command;
    }

    private static IEnumerable<MetricSample> ReadMetricRecords(FileInfo input)
    {
        var decoder = new TelemetryDecoder();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(input.FullName))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (!decoder.TryDecode(System.Text.Encoding.UTF8.GetBytes(line), out var record, out var error))
            {
                throw new CliInputException($"{input.FullName}:{lineNumber}: {error}");
            }

            if (record.Kind == TelemetryKind.Metric && record.Ci is not null && record.Name is not null)
            {
                yield return new MetricSample(record.Timestamp, record.Ci, record.Name, record.Value);
            }
        }
    }

    private static List<MetricSample> ReadSamples(DirectoryInfo data)
    {
        if (!data.Exists)
        {
            throw new CliInputException($"{data.FullName}: directory not found");
        }

        var samples = new List<MetricSample>();
        var files = data.GetFiles().Where(f => f.Extension is ".csv" or ".arrow").OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new CliInputException($"{data.FullName}: no *.csv or *.arrow training data");
        }

        foreach (var file in files)
        {
            try
            {
                using var stream = File.OpenRead(file.FullName);
                if (file.Extension == ".arrow")
                {
                    samples.AddRange(MetricArrow.Read(stream));
                }
                else
                {
                    using var reader = new StreamReader(stream);
                    samples.AddRange(MetricTable.ReadCsv(reader));
                }
            }
            catch (Exception ex) when (ex is FormatException or InvalidDataException or IOException)
            {
                throw new CliInputException($"{file.FullName}:{(ex is FormatException ? string.Empty : " ")}{ex.Message}");
            }
        }

        return samples;
    }
}
