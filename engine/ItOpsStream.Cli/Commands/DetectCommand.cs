using System.CommandLine;
using System.Globalization;
using System.Text;
using ItOpsStream.Models.Anomaly;
using ItOpsStream.Models.Anomaly.Evaluation;

namespace ItOpsStream.Cli.Commands;

/// <summary>
/// <c>itopsstream detect --in S.csv --out O.csv [--detector NAME]</c>: scores one metric series
/// (CONTRACTS §4). Streams row by row: the score of row i is written before row i+1 is read.
/// </summary>
internal static class DetectCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--in") { Description = "Input CSV with header 'timestamp,value' (NAB-style, RFC 3339 or epoch-ms timestamps).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Output CSV 'timestamp,value,anomaly_score', one row per input row.", Required = true };
        var detector = new Option<string>("--detector")
        {
            Description = "Detector: " + string.Join("; ", DetectorFactory.Names.Select(n => $"{n.Name} = {n.Description}")),
            DefaultValueFactory = _ => DetectorFactory.Default,
        };
        var command = new Command("detect", "Score one metric series for anomalies; the score of row i uses rows <= i only.")
        {
            input, output, detector,
        };
        command.SetAction(parse =>
        {
            Run(parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(detector)!);
            return CliApp.ExitOk;
        });
        return command;
    }

    internal static void Run(FileInfo input, FileInfo output, string detectorName)
    {
        if (!DetectorFactory.IsKnown(detectorName))
        {
            throw new CliInputException($"--detector: unknown detector '{detectorName}' (known: {string.Join(", ", DetectorFactory.Names.Select(n => n.Name))})");
        }

        if (!input.Exists)
        {
            throw new CliInputException($"{input.FullName}: file not found");
        }

        var detector = DetectorFactory.Create(detectorName);
        var temp = output.FullName + ".tmp";
        try
        {
            using (var reader = new StreamReader(input.FullName, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16))
            using (var writer = new StreamWriter(temp, append: false, new UTF8Encoding(false), bufferSize: 1 << 16))
            {
                Score(reader, writer, detector, input.Name);
            }

            // Written aside then moved, so a bad row never leaves a half-written output behind.
            File.Move(temp, output.FullName, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    internal static void Score(TextReader reader, TextWriter writer, IStreamingDetector detector, string sourceName)
    {
        try
        {
            SeriesCsv.CheckHeader(reader.ReadLine(), withLabel: false);
        }
        catch (FormatException ex)
        {
            throw new CliInputException($"{sourceName}:{ex.Message}");
        }

        writer.Write("timestamp,value,anomaly_score\n");
        var lineNumber = 1;
        var sb = new StringBuilder(96);
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            (string TimestampText, long Timestamp, string ValueText, double Value, byte Label) row;
            try
            {
                row = SeriesCsv.ParseRow(line, lineNumber, withLabel: false);
            }
            catch (FormatException ex)
            {
                throw new CliInputException($"{sourceName}:{ex.Message}");
            }

            var score = detector.Score(row.Timestamp, row.Value);
            sb.Clear();
            sb.Append(row.TimestampText).Append(',').Append(row.ValueText).Append(',')
                .Append(score.ToString("0.######", CultureInfo.InvariantCulture)).Append('\n');
            writer.Write(sb);
        }
    }
}
