using System.Globalization;

namespace ItOpsStream.Cli.Tests;

/// <summary><c>models corpus --multivariate</c>, <c>models train</c> on its history, <c>models evaluate --model M.zip</c>.</summary>
public sealed class ModelsMultivariateCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("itops-mv-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Temp(string name) => Path.Combine(_dir.FullName, name);

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The row of <paramref name="detector"/> in the printed table, as cells.</summary>
    private static string[] Row(string table, string detector) =>
        table.Split('\n').Single(l => l.StartsWith($"| {detector} |", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries)[1..^1];

    [Fact]
    public async Task CorpusTrainEvaluate_PcaBeatsTheDefaultDetectorPerMetric_AndPlotsEveryFile()
    {
        var corpus = Temp("corpus");
        var model = Temp("fleet.zip");
        var written = await Run("models", "corpus", "--multivariate", "--out", corpus, "--series", "4");
        Assert.Equal(0, written.Code);
        Assert.Equal(4, Directory.GetFiles(corpus, "*.csv").Length);
        Assert.StartsWith("timestamp,requests,cpu,latency_ms,label\n", await File.ReadAllTextAsync(Path.Combine(corpus, "host_00_cpu_decoupled.csv")), StringComparison.Ordinal);
        Assert.Equal(0, (await Run("models", "train", "--data", Path.Combine(corpus, "train"), "--out", model, "--rank", "1")).Code);

        var (code, output, err) = await Run("models", "evaluate", "--data", corpus, "--model", model, "--plots", Temp("plots"));

        Assert.True(code == 0, err);
        Assert.Contains("corpus: 4 files", output, StringComparison.Ordinal);
        var pca = Row(output, "pca:fleet");
        var baseline = Row(output, "default per metric (max)");
        var pcaNab = double.Parse(pca[1], CultureInfo.InvariantCulture);
        var baselineNab = double.Parse(baseline[1], CultureInfo.InvariantCulture);
        Assert.True(pcaNab > baselineNab + 30, $"pca NAB {pcaNab} vs default per metric {baselineNab}");
        Assert.True(double.Parse(pca[8], CultureInfo.InvariantCulture) >= 0.8, $"pca window recall {pca[8]}");
        Assert.Equal(8, Directory.GetFiles(Temp("plots"), "*.png").Length);
        Assert.True(File.Exists(Path.Combine(Temp("plots"), "host_00_cpu_decoupled.pca_fleet.png")));
    }

    [Fact]
    public async Task Evaluate_PcaModelOnUnivariateSeries_ExitsTwoNamingTheMissingMetric()
    {
        var corpus = Temp("mv");
        Assert.Equal(0, (await Run("models", "corpus", "--multivariate", "--out", corpus, "--series", "1")).Code);
        Assert.Equal(0, (await Run("models", "train", "--data", Path.Combine(corpus, "train"), "--out", Temp("fleet.zip"))).Code);
        Assert.Equal(0, (await Run("models", "corpus", "--out", Temp("uni"), "--series", "1")).Code);

        var (code, _, err) = await Run("models", "evaluate", "--data", Temp("uni"), "--model", Temp("fleet.zip"));
        Assert.Equal(2, code);
        Assert.Contains("no column 'cpu'", err, StringComparison.Ordinal);

        await File.WriteAllTextAsync(Temp("junk.zip"), "junk");
        var junk = await Run("models", "evaluate", "--data", corpus, "--model", Temp("junk.zip"));
        Assert.Equal(2, junk.Code);
        Assert.Contains("junk.zip", junk.Err, StringComparison.Ordinal);
    }
}
