using System.Globalization;
using System.Text;

namespace ItOpsStream.Cli.Tests;

public sealed class ModelsTrainCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("itops-train-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Events()
    {
        var rng = new Random(1);
        var sb = new StringBuilder();
        for (var i = 0; i < 300; i++)
        {
            var load = 50 + (20 * Math.Sin(i / 30.0)) + (2 * rng.NextDouble());
            var ts = 1_795_609_876_000L + (i * 60_000L);
            foreach (var (name, v) in new[] { ("cpu", load), ("mem", (0.5 * load) + 10), ("net", 3 * load) })
            {
                sb.Append(CultureInfo.InvariantCulture, $"{{\"ts\":{ts},\"kind\":\"metric\",\"ci\":\"host:a\",\"name\":\"{name}\",\"value\":{v:0.###},\"labels\":{{}}}}\n");
            }

            if (i % 100 == 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{{\"ts\":{ts},\"kind\":\"log\",\"ci\":\"svc:x\",\"level\":\"error\",\"message\":\"boom\"}}\n");
            }
        }

        var path = Path.Combine(_dir.FullName, "events.jsonl");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task ExportTrainPromote_EndToEnd_WritesArrowModelAndVersionedManifest()
    {
        var data = Directory.CreateDirectory(Path.Combine(_dir.FullName, "data")).FullName;
        var model = Path.Combine(_dir.FullName, "model.zip");
        var models = Path.Combine(_dir.FullName, "models");

        var export = await Run("models", "export", "--events", Events(), "--out", Path.Combine(data, "train.arrow"));
        Assert.Equal(0, export.Code);
        Assert.Contains("exported 900 metric samples", export.Out, StringComparison.Ordinal);

        var train = await Run("models", "train", "--data", data, "--out", model);
        Assert.Equal(0, train.Code);
        Assert.Contains("300 rows x 3 metrics (cpu, mem, net)", train.Out, StringComparison.Ordinal);

        Assert.Equal(0, (await Run("models", "promote", "--model", model, "--models-dir", models, "--name", "fleet")).Code);
        var second = await Run("models", "promote", "--model", model, "--models-dir", models, "--name", "fleet");
        Assert.Contains("manifest version 2", second.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(models, "fleet.v2.zip")));
        Assert.Contains("\"version\": 2", File.ReadAllText(Path.Combine(models, "manifest.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_FileThatIsNotAModel_ExitsTwoAndLeavesNoManifest()
    {
        var bogus = Path.Combine(_dir.FullName, "bogus.zip");
        File.WriteAllText(bogus, "not a model");
        var models = Path.Combine(_dir.FullName, "models");
        var (code, _, err) = await Run("models", "promote", "--model", bogus, "--models-dir", models, "--name", "x");
        Assert.Equal(2, code);
        Assert.Contains("bogus.zip", err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(models, "manifest.json")));
    }

    [Fact]
    public async Task Train_BadCsvRow_ExitsTwoWithFileAndLine()
    {
        var data = Directory.CreateDirectory(Path.Combine(_dir.FullName, "csv")).FullName;
        File.WriteAllText(Path.Combine(data, "t.csv"), "timestamp,ci,metric,value\n2026-01-01 00:00:00,host:a,cpu,1\n2026-01-01 00:01:00,host:a,cpu,x\n");
        var (code, _, err) = await Run("models", "train", "--data", data, "--out", Path.Combine(_dir.FullName, "m.zip"));
        Assert.Equal(2, code);
        Assert.Contains("t.csv:3:", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_UnreadableLine_ExitsTwoWithFileAndLine()
    {
        var events = Path.Combine(_dir.FullName, "e.jsonl");
        File.WriteAllText(events, "{\"ts\":1,\"kind\":\"metric\",\"ci\":\"a\",\"name\":\"cpu\",\"value\":1}\n{not json\n");
        var (code, _, err) = await Run("models", "export", "--events", events, "--out", Path.Combine(_dir.FullName, "o.arrow"));
        Assert.Equal(2, code);
        Assert.Contains("e.jsonl:2:", err, StringComparison.Ordinal);
    }
}
