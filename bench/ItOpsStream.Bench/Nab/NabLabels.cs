using System.Globalization;
using System.Text;
using System.Text.Json;
using ItOpsStream.Bench.Quality;

namespace ItOpsStream.Bench.Nab;

/// <summary>
/// <c>nab-labels --nab DIR --out DIR</c>: turns a local copy of the Numenta Anomaly Benchmark (its
/// <c>data/</c> folders and <c>labels/combined_windows.json</c>) into the labelled series that
/// <c>itopsstream models evaluate</c> reads: <c>timestamp,value,label</c>, label 1 at the centre of each
/// NAB window (NAB centres its windows on the labelled anomaly, 10 % of the file wide in all, so the
/// evaluator derives the same windows back). Files listed in the windows file but absent locally are
/// skipped and counted; a repeated timestamp keeps its first row. Nothing of NAB is in this repository.
/// When the checkout has NAB's published per-file results of Numenta HTM
/// (<c>results/numenta/numenta_standard_scores.csv</c>), it also prints HTM's standard score over the same
/// files, normalized as NAB does (raw + windows) / (2 · windows), unless those results cannot have been scored
/// against these windows (a file scoring more than its window count): NAB's stored results were scored against
/// the labels of their time, which are not always the checkout's.
/// </summary>
internal static class NabLabels
{
    public static int Run(string[] args)
    {
        HarnessArgs parsed;
        try
        {
            parsed = HarnessArgs.Parse(args, "--nab", "--out");
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"nab-labels: {ex.Message}");
            return 2;
        }

        string nab = parsed.Get("--nab", string.Empty);
        string outDir = parsed.Get("--out", "nab-labelled");
        string windowsFile = Path.Combine(nab, "labels", "combined_windows.json");
        if (nab.Length == 0 || !File.Exists(windowsFile))
        {
            Console.Error.WriteLine($"nab-labels: --nab must name a NAB checkout with {Path.Combine("labels", "combined_windows.json")}");
            return 2;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(windowsFile));
        Directory.CreateDirectory(outDir);
        int written = 0, missing = 0, windows = 0;
        var present = new List<(string Name, int Windows)>();
        foreach (var entry in doc.RootElement.EnumerateObject().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            string data = Path.Combine(nab, "data", entry.Name);
            if (!File.Exists(data))
            {
                missing++;
                continue;
            }

            var rows = ReadRows(data);
            var centres = new HashSet<int>();
            foreach (var window in entry.Value.EnumerateArray())
            {
                var from = Timestamp(window[0].GetString());
                var to = Timestamp(window[1].GetString());
                var inside = Enumerable.Range(0, rows.Count).Where(i => rows[i].At >= from && rows[i].At <= to).ToList();
                if (inside.Count > 0)
                {
                    centres.Add(inside[inside.Count / 2]);
                    windows++;
                }
            }

            var sb = new StringBuilder("timestamp,value,label\n");
            for (int i = 0; i < rows.Count; i++)
            {
                sb.Append(rows[i].Text).Append(',').Append(rows[i].Value).Append(',').Append(centres.Contains(i) ? '1' : '0').Append('\n');
            }

            File.WriteAllText(Path.Combine(outDir, entry.Name.Replace('/', '_').Replace('\\', '_')), sb.ToString());
            written++;
            present.Add((entry.Name, entry.Value.GetArrayLength()));
        }

        Console.WriteLine($"nab-labels: {written} series with {windows} windows written to {outDir}; {missing} listed files not found under {Path.Combine(nab, "data")}");
        PrintReference(Path.Combine(nab, "results", "numenta", "numenta_standard_scores.csv"), present);
        return written > 0 ? 0 : 1;
    }

    /// <summary>Numenta HTM's published NAB standard score restricted to <paramref name="files"/>, if the results file is there.</summary>
    private static void PrintReference(string scoresFile, List<(string Name, int Windows)> files)
    {
        if (!File.Exists(scoresFile))
        {
            return;
        }

        // Detector,Profile,File,Threshold,Score,TP,TN,FP,FN,Total_Count: one row per file, raw scores at HTM's threshold.
        var raw = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(scoresFile).Skip(1))
        {
            var cells = line.Split(',');
            if (cells.Length >= 5 && double.TryParse(cells[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var score))
            {
                raw[cells[2]] = score;
            }
        }

        double sum = 0;
        int count = 0, windows = 0;
        var foreign = new List<string>();
        foreach (var (name, n) in files)
        {
            if (raw.TryGetValue(name, out var score))
            {
                sum += score;
                windows += n;
                count++;

                // A window is worth at most 1: a file scoring more was scored against more windows than it has here.
                if (score > n + 1e-9)
                {
                    foreign.Add(FormattableString.Invariant($"{name} {score:0.00} with {n} window(s) here"));
                }
            }
        }

        if (foreign.Count > 0)
        {
            Console.WriteLine($"nab-labels: Numenta HTM's per-file results were scored against other windows than these ({foreign.Count} file(s) above their window count: {string.Join("; ", foreign)}); no like-for-like HTM reference");
        }
        else if (windows > 0)
        {
            Console.WriteLine($"nab-labels: reference, Numenta HTM (published per-file results) on {count} of these files: NAB standard {100 * (sum + windows) / (2.0 * windows):0.0}");
        }
    }

    private static List<(string Text, DateTime At, string Value)> ReadRows(string path)
    {
        var rows = new List<(string Text, DateTime At, string Value)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var cells = line.Split(',');
            if (cells.Length < 2 || !seen.Add(cells[0]))
            {
                continue;
            }

            rows.Add((cells[0], Timestamp(cells[0]), cells[1].Trim()));
        }

        return rows;
    }

    private static DateTime Timestamp(string? text) =>
        DateTime.ParseExact((text ?? string.Empty).Split('.')[0], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
