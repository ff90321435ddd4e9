using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using ItOpsStream.Cli.Service;
using ItOpsStream.Models.Training;
using ItOpsStream.TestKit.Generators;
using Microsoft.Extensions.Logging;

namespace ItOpsStream.Cli.Tests.Service;

/// <summary>
/// <c>itopsstream run</c> with the <c>models</c> key: a promoted PCA model raises its alerts into
/// incidents on Kafka, and the watcher logs a refused promotion once while the old model stays.
/// </summary>
[Collection(CmdbWiringCollection.Name)]
public sealed class RunWithModelsTests(CmdbWiringFixture env) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("itops-runmodels-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PromoteFleetModel(string models)
    {
        var samples = CorrelatedHostSeries.Minutes(0, 800, int.MaxValue, 7).SelectMany(p => new[] { new MetricSample(p.Ts, "host:a", "cpu", p.Cpu), new MetricSample(p.Ts, "host:a", "requests", p.Requests) });
        var file = Path.Combine(_dir, "fleet.zip");
        using (var stream = File.Create(file))
        {
            PcaModel.Train(MetricTable.Pivot(samples), PcaModelOptions.Default with { Rank = 1 }).Save(stream);
        }

        ModelManifest.Promote(models, file, "fleet", "pca");
        return file;
    }

    [Fact]
    public async Task Run_WithAPromotedModel_PutsItsAlertIntoAnIncidentOnTheIncidentsTopic()
    {
        string events = env.Kafka.NewTopic("metrics", 1);
        string incidents = env.Kafka.NewTopic("incidents", 1);
        PromoteFleetModel(Path.Combine(_dir, "models"));
        var config = await WriteConfigAsync(events, incidents, env.Kafka.BootstrapServers);

        using var stop = new CancellationTokenSource();
        var stderr = new StringWriter();
        var run = Task.Run(() => CliApp.RunAsync(["run", "--config", config], new StringWriter(), stderr, stop.Token));

        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (600 * 60_000L);
        var records = CorrelatedHostSeries.Minutes(start, 600, 450, 1).SelectMany(p => new[] { Metric(p.Ts, "cpu", p.Cpu), Metric(p.Ts, "requests", p.Requests) });
        ProduceAll(events, records);
        var read = env.ReadUntil(incidents, r => CmdbWiringFixture.Incidents(r).Any(HasModelAlert), Timeout);
        await stop.CancelAsync();
        Assert.Equal(CliApp.ExitOk, await run);

        var incident = CmdbWiringFixture.Incidents(read).First(HasModelAlert);
        Assert.Equal("host:node-3", incident.GetProperty("cmdb_ci").GetString());
        var alert = incident.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("check").GetString() == "anomaly:model:fleet");
        Assert.Equal("anomaly|host:node-3|model:fleet|{}", alert.GetProperty("fingerprint").GetString());
    }

    [Fact]
    public async Task Watch_RefusedPromotion_IsLoggedOnceAndTheModelInForceStays_ThenAGoodOneSwapsIn()
    {
        var models = Path.Combine(_dir, "models");
        var good = PromoteFleetModel(models);
        var config = await WriteConfigAsync("metrics", "incidents", "127.0.0.1:1");
        using var wiring = ModelsWiring.Load(EngineConfig.Load(config, new Dictionary<string, string>()))!;
        var logger = new ListLogger();
        wiring.Watch(logger);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("version 1 in force: fleet (pca)", StringComparison.Ordinal));
        var before = wiring.Provider.Current;

        await File.WriteAllTextAsync(Path.Combine(_dir, "junk.zip"), "not a model");
        ModelManifest.Promote(models, Path.Combine(_dir, "junk.zip"), "fleet", "pca");
        Assert.True(await CmdbWiringFixture.EventuallyAsync(() => logger.Entries.Any(e => e.Level == LogLevel.Error), Timeout));
        var refused = Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("fleet.v2.zip", refused.Message, StringComparison.Ordinal);
        Assert.Same(before, wiring.Provider.Current);

        ModelManifest.Promote(models, good, "fleet", "pca");
        Assert.True(await CmdbWiringFixture.EventuallyAsync(() => wiring.Provider.Current.Version == 3, Timeout));
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
    }

    private static bool HasModelAlert(JsonElement incident) =>
        incident.GetProperty("alerts").EnumerateArray().Any(a => a.GetProperty("check").GetString() == "anomaly:model:fleet");

    private static string Metric(long ts, string name, double value) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"ts":{{ts}},"kind":"metric","ci":"host:node-3","name":"{{name}}","value":{{value:0.###}}}""");

    private void ProduceAll(string topic, IEnumerable<string> values)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = env.Kafka.BootstrapServers, Acks = Acks.All, EnableIdempotence = true }).Build();
        foreach (var value in values)
        {
            producer.Produce(topic, new Message<byte[]?, byte[]> { Value = Encoding.UTF8.GetBytes(value) });
        }

        producer.Flush(Timeout);
    }

    private async Task<string> WriteConfigAsync(string events, string incidents, string bootstrap)
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "topology.json"), """{"cis":[{"id":"host:node-3","class":"host"}],"relations":[]}""");
        var config = Path.Combine(_dir, "engine.yaml");
        await File.WriteAllTextAsync(config, $"""
            kafka:
              bootstrap: {bootstrap}
              group_id: {env.Kafka.UniqueName("run")}
              topics:
                {events}: auto
              incidents_topic: {incidents}
              cmdb_topic: ""
              client:
                session.timeout.ms: "6000"
            topology:
              file: topology.json
            models:
              dir: models
              poll_interval_ms: 50
            pipeline:
              idle_advance_ms: 1000
            """);
        return config;
    }

    /// <summary>Keeps every log line.</summary>
    private sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
