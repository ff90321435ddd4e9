using System.Globalization;
using System.Text;

namespace ItOpsStream.Cli.Tests;

public sealed class DetectCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("itops-detect-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string WriteSeries(string name, int n, Func<int, string> timestamp, int spikeAt = -1)
    {
        var rng = new Random(1);
        var sb = new StringBuilder("timestamp,value\n");
        for (var i = 0; i < n; i++)
        {
            var v = i == spikeAt ? 500 : 100 + (5 * rng.NextDouble());
            sb.Append(timestamp(i)).Append(',').Append(v.ToString("0.###", CultureInfo.InvariantCulture)).Append('\n');
        }

        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    private static string Nab(int i) =>
        new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc).AddMinutes(5 * i).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static async Task<(int Code, string Stderr)> Run(params string[] args)
    {
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, new StringWriter(), stderr);
        return (code, stderr.ToString());
    }

    [Fact]
    public async Task Detect_WritesOneScoredRowPerInputRow_EchoingTimestampAndValue()
    {
        var input = WriteSeries("s.csv", 2000, Nab, spikeAt: 1500);
        var output = Path.Combine(_dir.FullName, "o.csv");
        var (code, stderr) = await Run("detect", "--in", input, "--out", output);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stderr);

        var inLines = File.ReadAllLines(input);
        var outLines = File.ReadAllLines(output);
        Assert.Equal("timestamp,value,anomaly_score", outLines[0]);
        Assert.Equal(inLines.Length, outLines.Length);
        for (var i = 1; i < inLines.Length; i++)
        {
            Assert.StartsWith(inLines[i] + ",", outLines[i], StringComparison.Ordinal);
            var score = double.Parse(outLines[i].Split(',')[2], CultureInfo.InvariantCulture);
            Assert.InRange(score, 0, 1);
        }

        var spike = double.Parse(outLines[1501].Split(',')[2], CultureInfo.InvariantCulture);
        Assert.True(spike >= 0.5, $"spike scored {spike}");
    }

    [Theory]
    [InlineData("default")]
    [InlineData("ensemble")]
    [InlineData("robust")]
    [InlineData("seasonal")]
    [InlineData("spectral")]
    [InlineData("changepoint")]
    public async Task Detect_ScoreOfRowUsesEarlierRowsOnly(string detector)
    {
        var full = WriteSeries("full.csv", 1500, Nab);
        var prefixLines = File.ReadAllLines(full).Take(1001);
        var prefix = Path.Combine(_dir.FullName, "prefix.csv");
        File.WriteAllLines(prefix, prefixLines);

        Assert.Equal(0, (await Run("detect", "--in", full, "--out", Path.Combine(_dir.FullName, "a.csv"), "--detector", detector)).Code);
        Assert.Equal(0, (await Run("detect", "--in", prefix, "--out", Path.Combine(_dir.FullName, "b.csv"), "--detector", detector)).Code);
        var a = File.ReadAllLines(Path.Combine(_dir.FullName, "a.csv")).Take(1001);
        var b = File.ReadAllLines(Path.Combine(_dir.FullName, "b.csv"));
        Assert.Equal(b, a);
    }

    [Fact]
    public async Task Detect_AcceptsRfc3339AndEpochMillisecondTimestamps()
    {
        var rfc = WriteSeries("rfc.csv", 300, i => new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(1)).AddMinutes(i).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
        var epoch = WriteSeries("epoch.csv", 300, i => (1_767_571_200_000L + (i * 60_000L)).ToString(CultureInfo.InvariantCulture));
        Assert.Equal(0, (await Run("detect", "--in", rfc, "--out", Path.Combine(_dir.FullName, "r.csv"))).Code);
        Assert.Equal(0, (await Run("detect", "--in", epoch, "--out", Path.Combine(_dir.FullName, "e.csv"))).Code);
        Assert.Equal(301, File.ReadAllLines(Path.Combine(_dir.FullName, "e.csv")).Length);
    }

    [Fact]
    public async Task Detect_BadRow_ExitsTwoWithFileAndLineAndWritesNoOutput()
    {
        var input = WriteSeries("bad.csv", 50, Nab);
        var lines = File.ReadAllLines(input);
        lines[7] = lines[7].Split(',')[0] + ",abc";
        File.WriteAllLines(input, lines);
        var output = Path.Combine(_dir.FullName, "o.csv");

        var (code, stderr) = await Run("detect", "--in", input, "--out", output);
        Assert.Equal(2, code);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains("bad.csv:8:", stderr, StringComparison.Ordinal);
        Assert.Contains("'abc'", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("time,value\n2026-01-01 00:00:00,1\n", "bad.csv:1:")]
    [InlineData("timestamp,value\nyesterday,1\n", "bad.csv:2:")]
    [InlineData("timestamp,value\n2026-01-01 00:00:00\n", "bad.csv:2:")]
    [InlineData("", "bad.csv:1:")]
    public async Task Detect_MalformedInput_ExitsTwoWithOneLine(string content, string where)
    {
        var input = Path.Combine(_dir.FullName, "bad.csv");
        File.WriteAllText(input, content);
        var (code, stderr) = await Run("detect", "--in", input, "--out", Path.Combine(_dir.FullName, "o.csv"));
        Assert.Equal(2, code);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains(where, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detect_UnknownDetectorOrMissingFile_ExitsTwo()
    {
        var input = WriteSeries("s.csv", 10, Nab);
        Assert.Equal(2, (await Run("detect", "--in", input, "--out", Path.Combine(_dir.FullName, "o.csv"), "--detector", "magic")).Code);
        Assert.Equal(2, (await Run("detect", "--in", Path.Combine(_dir.FullName, "none.csv"), "--out", Path.Combine(_dir.FullName, "o.csv"))).Code);
    }
}

public sealed class ModelsEvaluateCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("itops-eval-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Evaluate_OnGeneratedCorpus_PrintsNabTableAndWritesOnePngPerSeries()
    {
        var corpus = Path.Combine(_dir.FullName, "corpus");
        var plots = Path.Combine(_dir.FullName, "plots");
        Assert.Equal(0, await CliApp.RunAsync(["models", "corpus", "--out", corpus, "--series", "3"], new StringWriter(), new StringWriter()));
        var stdout = new StringWriter();
        var code = await CliApp.RunAsync(["models", "evaluate", "--data", corpus, "--detector", "default", "robust", "--plots", plots], stdout, new StringWriter());
        Assert.Equal(0, code);
        var text = stdout.ToString();
        Assert.Contains("| default |", text, StringComparison.Ordinal);
        Assert.Contains("| robust |", text, StringComparison.Ordinal);
        var pngs = Directory.GetFiles(plots, "*.png");
        Assert.Equal(6, pngs.Length);
        var header = File.ReadAllBytes(pngs[0]).Take(8).ToArray();
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, header);
    }

    [Fact]
    public async Task Evaluate_LabelOtherThanZeroOrOne_ExitsTwoWithFileAndLine()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "x.csv"), "timestamp,value,label\n2026-01-01 00:00:00,1,0\n2026-01-01 00:05:00,1,2\n");
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["models", "evaluate", "--data", _dir.FullName], new StringWriter(), stderr);
        Assert.Equal(2, code);
        Assert.Contains("x.csv:3:", stderr.ToString(), StringComparison.Ordinal);
    }
}
