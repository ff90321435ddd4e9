using System.CommandLine;
using System.Globalization;
using System.Text;
using ItOpsStream.Models.Csv;
using ItOpsStream.Models.Logs;
using ItOpsStream.Models.Logs.Evaluation;

namespace ItOpsStream.Cli.Commands;

/// <summary>
/// <c>itopsstream logs mine --in L.txt --out A.csv</c> (CONTRACTS §4): one message per line in, one
/// <c>line,template_id,template</c> row per line out, in input order. <c>logs eval</c> measures grouping accuracy
/// on labelled data (LogHub-style <c>*_structured.csv</c> files, or the built-in generator).
/// </summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var logs = new Command("logs", "Log analytics: template mining and its evaluation.");
        logs.Subcommands.Add(CreateMine());
        logs.Subcommands.Add(CreateEval());
        return logs;
    }

    private static Command CreateMine()
    {
        var input = new Option<FileInfo>("--in") { Description = "Log messages, one per line (UTF-8).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "CSV output: line,template_id,template.", Required = true };
        var snapshotIn = new Option<FileInfo?>("--snapshot-in") { Description = "Start from a saved miner snapshot (JSON) so template ids carry over." };
        var snapshotOut = new Option<FileInfo?>("--snapshot-out") { Description = "Save the miner snapshot (JSON) after mining." };
        var mine = new Command("mine", "Mine log templates: every line gets a template id and template text.") { input, output, snapshotIn, snapshotOut };
        mine.SetAction(parse =>
        {
            var inFile = parse.GetRequiredValue(input);
            var outFile = parse.GetRequiredValue(output);
            if (!inFile.Exists)
            {
                throw new CliInputException($"logs mine: input file not found: {inFile.FullName}");
            }

            var miner = LoadMiner(parse.GetValue(snapshotIn));
            // Batch mode, two passes: see LogTemplateBatch and docs/LOGS.md.
            var ids = LogTemplateBatch.Assign(miner, File.ReadLines(inFile.FullName));
            WriteAssignments(outFile, miner, ids);
            if (parse.GetValue(snapshotOut) is { } snapshot)
            {
                using var stream = File.Create(snapshot.FullName);
                miner.Save(stream);
            }

            return CliApp.ExitOk;
        });
        return mine;
    }

    private static LogTemplateMiner LoadMiner(FileInfo? snapshot)
    {
        if (snapshot is null)
        {
            return new LogTemplateMiner();
        }

        if (!snapshot.Exists)
        {
            throw new CliInputException($"logs mine: snapshot not found: {snapshot.FullName}");
        }

        try
        {
            using var stream = snapshot.OpenRead();
            return LogTemplateMiner.Load(stream);
        }
        catch (InvalidDataException ex)
        {
            throw new CliInputException($"logs mine: {snapshot.FullName}: {ex.Message}");
        }
    }

    private static void WriteAssignments(FileInfo outFile, LogTemplateMiner miner, IReadOnlyList<int> ids)
    {
        var texts = new Dictionary<int, string>();
        using var writer = new StreamWriter(outFile.FullName, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        writer.WriteLine("line,template_id,template");
        var row = new StringBuilder();
        for (int i = 0; i < ids.Count; i++)
        {
            int id = ids[i];
            if (!texts.TryGetValue(id, out var text))
            {
                text = miner.GetTemplate(id)?.Text ?? string.Empty;
                texts[id] = text;
            }

            row.Clear();
            row.Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append(',').Append(id.ToString(CultureInfo.InvariantCulture)).Append(',');
            CsvFields.Append(row, text);
            writer.WriteLine(row);
        }
    }

    private static Command CreateEval()
    {
        var data = new Option<DirectoryInfo?>("--data") { Description = "Folder of LogHub-style *_structured.csv files (columns Content and EventId); searched recursively." };
        var generated = new Option<int>("--generated") { Description = "Also evaluate on this many generated labelled messages (0 = none).", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generator.", DefaultValueFactory = _ => 7 };
        var write = new Option<DirectoryInfo?>("--write-generated") { Description = "Write the generated corpora as *_structured.csv files into this folder." };
        var eval = new Command("eval", "Grouping accuracy (GA) and group F1 of 'logs mine' on labelled data.") { data, generated, seed, write };
        eval.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var dir = parse.GetValue(data);
            int generatedCount = parse.GetValue(generated);
            if (dir is null && generatedCount <= 0)
            {
                throw new CliInputException("logs eval: give --data DIR and/or --generated N");
            }

            var results = new List<(string Name, GroupingMetrics Metrics)>();
            if (dir is not null)
            {
                if (!dir.Exists)
                {
                    throw new CliInputException($"logs eval: folder not found: {dir.FullName}");
                }

                foreach (var file in dir.EnumerateFiles("*_structured*.csv", SearchOption.AllDirectories).OrderBy(f => f.Name, StringComparer.Ordinal))
                {
                    var (messages, labels) = ReadStructured(file);
                    var result = LogTemplateBatch.Mine(messages);
                    results.Add((file.Name, GroupingMetrics.Compute(result.TemplateIds, labels)));
                }
            }

            if (generatedCount > 0)
            {
                foreach (var (name, messages, labels) in LabelledLogGenerator.GenerateCorpora(generatedCount, parse.GetValue(seed)))
                {
                    if (parse.GetValue(write) is { } target)
                    {
                        target.Create();
                        File.WriteAllText(System.IO.Path.Combine(target.FullName, $"gen-{name}_structured.csv"), LabelledLogGenerator.ToStructuredCsv(messages, labels));
                    }

                    var result = LogTemplateBatch.Mine(messages);
                    results.Add(("generated:" + name, GroupingMetrics.Compute(result.TemplateIds, labels)));
                }
            }

            output.WriteLine("dataset,messages,ga,group_precision,group_recall,group_f1,predicted_groups,true_groups");
            foreach (var (name, m) in results)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name},{m.Messages},{m.GroupingAccuracy:F4},{m.GroupPrecision:F4},{m.GroupRecall:F4},{m.GroupF1:F4},{m.PredictedGroups},{m.TrueGroups}"));
            }

            if (results.Count > 0)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean,{results.Sum(r => r.Metrics.Messages)},{results.Average(r => r.Metrics.GroupingAccuracy):F4},,,{results.Average(r => r.Metrics.GroupF1):F4},,"));
            }

            return CliApp.ExitOk;
        });
        return eval;
    }

    private static (List<string> Messages, List<string> Labels) ReadStructured(FileInfo file)
    {
        using var reader = file.OpenText();
        var messages = new List<string>();
        var labels = new List<string>();
        int content = -1;
        int eventId = -1;
        bool headerRead = false;
        try
        {
            foreach (var (line, fields) in CsvFields.ReadRecords(reader))
            {
                if (!headerRead)
                {
                    headerRead = true;
                    content = IndexOf(fields, "Content");
                    eventId = IndexOf(fields, "EventId");
                    if (content < 0 || eventId < 0)
                    {
                        throw new CliInputException($"logs eval: {file.Name}: header needs Content and EventId columns");
                    }

                    continue;
                }

                if (fields.Count <= Math.Max(content, eventId))
                {
                    throw new CliInputException($"logs eval: {file.Name} line {line}: {fields.Count} fields, the header has Content and EventId at columns {content + 1} and {eventId + 1}");
                }

                messages.Add(fields[content]);
                labels.Add(fields[eventId]);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new CliInputException($"logs eval: {file.Name} {ex.Message}");
        }

        return (messages, labels);
    }

    private static int IndexOf(IReadOnlyList<string> fields, string name)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            if (string.Equals(fields[i].Trim(), name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
