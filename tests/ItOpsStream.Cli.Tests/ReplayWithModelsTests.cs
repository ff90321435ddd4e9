using System.Globalization;
using System.Text;
using System.Text.Json;
using ItOpsStream.Cli.Service;
using ItOpsStream.Engine.Detection;
using ItOpsStream.TestKit.Generators;

namespace ItOpsStream.Cli.Tests;

/// <summary>
/// Promoted models in the engine without Kafka: <c>models train</c> and <c>models promote</c>, then
/// <c>replay --models DIR</c>; and the <c>run</c> configuration's <c>models</c> keys.
/// </summary>
public sealed class ReplayWithModelsTests : IDisposable
{
    private const long Start = 1_795_609_800_000L;
    private readonly string _dir = Directory.CreateTempSubdirectory("itops-replay-models-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Scenario(string name) => Path.Combine(AppContext.BaseDirectory, "Scenarios", name);

    private string Temp(string name) => Path.Combine(_dir, name);

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string TrainingCsv()
    {
        var sb = new StringBuilder("timestamp,ci,metric,value\n");
        foreach (var (ts, cpu, requests) in CorrelatedHostSeries.Minutes(Start, 800, int.MaxValue, 7))
        {
            sb.Append(CultureInfo.InvariantCulture, $"{ts},host:node-3,cpu,{cpu:0.###}\n{ts},host:node-3,requests,{requests:0.###}\n");
        }

        var dir = Directory.CreateDirectory(Temp("train")).FullName;
        File.WriteAllText(Path.Combine(dir, "history.csv"), sb.ToString());
        return dir;
    }

    private string Events()
    {
        var sb = new StringBuilder();
        foreach (var (ts, cpu, requests) in CorrelatedHostSeries.Minutes(Start, 600, 450, 1))
        {
            sb.Append(CultureInfo.InvariantCulture, $"{{\"ts\":{ts},\"kind\":\"metric\",\"ci\":\"host:node-3\",\"name\":\"cpu\",\"value\":{cpu:0.###}}}\n");
            sb.Append(CultureInfo.InvariantCulture, $"{{\"ts\":{ts},\"kind\":\"metric\",\"ci\":\"host:node-3\",\"name\":\"requests\",\"value\":{requests:0.###}}}\n");
        }

        var path = Temp("events.jsonl");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    private static List<string> ModelChecks(string incidents) =>
        File.ReadAllLines(incidents)
            .SelectMany(line => JsonDocument.Parse(line).RootElement.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("check").GetString()!))
            .Where(c => c.StartsWith("anomaly:model:", StringComparison.Ordinal))
            .Distinct()
            .ToList();

    [Fact]
    public async Task Replay_WithPromotedPcaModel_RaisesItsAlertIntoAnIncident_AndWithoutModelsDoesNot()
    {
        var models = Temp("models");
        Assert.Equal(0, (await Run("models", "train", "--data", TrainingCsv(), "--out", Temp("fleet.zip"), "--rank", "1")).Code);
        Assert.Equal(0, (await Run("models", "promote", "--model", Temp("fleet.zip"), "--models-dir", models, "--name", "fleet")).Code);
        var events = Events();

        var with = await Run("replay", "--topology", Scenario("shop-topology.json"), "--events", events, "--out", Temp("with.jsonl"), "--models", models);
        var without = await Run("replay", "--topology", Scenario("shop-topology.json"), "--events", events, "--out", Temp("without.jsonl"));

        Assert.Equal(0, with.Code);
        Assert.Contains("replay: models version 1: fleet (pca)", with.Err, StringComparison.Ordinal);
        Assert.Equal(["anomaly:model:fleet"], ModelChecks(Temp("with.jsonl")));
        Assert.Equal(0, without.Code);
        Assert.Empty(ModelChecks(Temp("without.jsonl")));
    }

    [Fact]
    public async Task Replay_ModelsDirectoryThatDoesNotLoad_ExitsTwoNamingTheFile()
    {
        var models = Temp("models");
        var junk = Temp("junk.zip");
        await File.WriteAllTextAsync(junk, "not a model");
        ItOpsStream.Models.Training.ModelManifest.Promote(models, junk, "fleet", "pca");

        var (code, _, err) = await Run("replay", "--topology", Scenario("shop-topology.json"), "--events", Events(), "--out", Temp("out.jsonl"), "--models", models);
        Assert.Equal(2, code);
        Assert.Contains("fleet.v1.zip", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));

        var missing = await Run("replay", "--topology", Scenario("shop-topology.json"), "--events", Events(), "--out", Temp("out.jsonl"), "--models", Temp("nowhere"));
        Assert.Equal(2, missing.Code);
        Assert.Contains("models directory not found", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_Onnx_NeedsMetricAndRecordsIt_PcaRefusesOne()
    {
        var onnx = Temp("spikes.onnx");
        await File.WriteAllBytesAsync(onnx, ItOpsStream.Models.Tests.Training.TinyOnnx.MaxAbs(8));
        var models = Temp("models");

        var without = await Run("models", "promote", "--model", onnx, "--models-dir", models, "--name", "spikes");
        Assert.Equal(2, without.Code);
        Assert.Contains("--metric", without.Err, StringComparison.Ordinal);

        Assert.Equal(0, (await Run("models", "promote", "--model", onnx, "--models-dir", models, "--name", "spikes", "--metric", "latency_ms")).Code);
        Assert.Equal("latency_ms", ItOpsStream.Models.Training.ModelManifest.Read(models).Models.Single().Metric);

        Assert.Equal(0, (await Run("models", "train", "--data", TrainingCsv(), "--out", Temp("fleet.zip"))).Code);
        var pca = await Run("models", "promote", "--model", Temp("fleet.zip"), "--models-dir", models, "--name", "fleet", "--metric", "cpu");
        Assert.Equal(2, pca.Code);
    }

    [Fact]
    public void Config_ModelsKeys_ResolveRelativeToTheFile_AndABadModelAtStartLeavesNoModelsRunning()
    {
        File.WriteAllText(Temp("cmdb.json"), """{"cis":[{"id":"svc:a","class":"service"}],"relations":[]}""");
        File.WriteAllText(Temp("engine.yaml"), "kafka:\n  bootstrap: localhost:9092\ntopology:\n  file: cmdb.json\nmodels:\n  dir: models\n  poll_interval_ms: 500\n");
        var config = EngineConfig.Load(Temp("engine.yaml"), new System.Collections.Hashtable());
        Assert.Equal(Temp("models"), config.ModelsDirectory);
        Assert.Equal(TimeSpan.FromMilliseconds(500), config.ModelsPollInterval);

        File.WriteAllText(Temp("junk.zip"), "not a model");
        ItOpsStream.Models.Training.ModelManifest.Promote(Temp("models"), Temp("junk.zip"), "fleet", "pca");
        using var wiring = ModelsWiring.Load(config)!;
        Assert.Equal(ModelReloadStatus.Refused, wiring.Initial.Status);
        Assert.Same(ModelSet.Empty, wiring.Provider.Current);

        File.WriteAllText(Temp("engine.yaml"), "kafka:\n  bootstrap: localhost:9092\ntopology:\n  file: cmdb.json\nmodels:\n  dir: models\n  poll_interval_ms: 1\n");
        Assert.Contains("models.poll_interval_ms", Assert.Throws<CliInputException>(() => EngineConfig.Load(Temp("engine.yaml"), new System.Collections.Hashtable())).Message, StringComparison.Ordinal);
    }
}
