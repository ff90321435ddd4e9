using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ItOpsStream.TestKit.Kafka;
using Xunit.Abstractions;
using static ItOpsStream.Connectors.Kafka.Tests.Source.KafkaTestClients;

namespace ItOpsStream.Connectors.Kafka.Tests.Process;

/// <summary>
/// The real <c>itopsstream run</c> against a broker in its own process, killed (SIGKILL) mid-stream
/// five times and restarted: at-least-once input plus version-skipping output must leave every
/// incident in the topic, each (incident_id, version) exactly once, each incident resolved.
/// </summary>
public sealed class EngineCrashTests(ITestOutputHelper log) : IDisposable
{
    private const int Incidents = 30;
    // The embedded broker keeps about 5 MB per partition: the whole input (~4 MB) must fit.
    private const int FillerPerIncident = 1500;
    private readonly string _dir = Directory.CreateTempSubdirectory("itops-crash-").FullName;

    [Fact]
    public async Task KilledFiveTimes_EveryIncidentArrivesOnce_AndResolves()
    {
        using var broker = await KafkaMockProcess.StartAsync(brokers: 1, ("itops.events", 1), ("itops.incidents", 3), ("itops.deadletter", 1));
        var config = WriteConfig(broker.BootstrapServers);
        await ProduceAsync(broker.BootstrapServers, "itops.events", Input());
        long total = Incidents * (4 + FillerPerIncident);
        Assert.Equal(0, LowWatermark(broker.BootstrapServers, "itops.events"));

        var random = new Random(7);
        for (int crash = 1; crash <= 5; crash++)
        {
            using var engine = StartEngine(config);
            // Kill once the engine has made some progress, at a different point each time.
            long before = CommittedTotal(broker.BootstrapServers, "crash-test", "itops.events", 1);
            await EventuallyAsync(() => CommittedTotal(broker.BootstrapServers, "crash-test", "itops.events", 1) > before || engine.HasExited, TimeSpan.FromSeconds(60));
            await Task.Delay(random.Next(50, 300));
            Assert.False(engine.HasExited, $"engine exited by itself (code {(engine.HasExited ? engine.ExitCode : 0)})");
            engine.Kill(entireProcessTree: true);
            await engine.WaitForExitAsync();
            log.WriteLine($"crash {crash}: killed at committed offset {CommittedTotal(broker.BootstrapServers, "crash-test", "itops.events", 1)} of {total}");
        }

        using (var last = StartEngine(config))
        {
            Assert.True(await EventuallyAsync(() => CommittedTotal(broker.BootstrapServers, "crash-test", "itops.events", 1) == total, TimeSpan.FromSeconds(120)),
                $"the last run committed {CommittedTotal(broker.BootstrapServers, "crash-test", "itops.events", 1)} of {total}");
            last.Kill(entireProcessTree: true);
            await last.WaitForExitAsync();
        }

        var records = ReadAll(broker.BootstrapServers, "itops.incidents", int.MaxValue, TimeSpan.FromSeconds(10))
            .Select(r => JsonDocument.Parse(r.Message.Value).RootElement)
            .Select(e => (Id: e.GetProperty("incident_id").GetString()!, Version: e.GetProperty("version").GetInt64(), Action: e.GetProperty("action").GetString()!, Ci: e.GetProperty("cmdb_ci").GetString()))
            .ToList();
        var duplicates = records.GroupBy(r => (r.Id, r.Version)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"duplicated (incident_id, version): {string.Join(", ", duplicates.Take(5))}");
        var byIncident = records.GroupBy(r => r.Id).ToList();
        var seen = records.Select(r => r.Ci).ToHashSet();
        log.WriteLine($"{records.Count} incident records; incidents on: {string.Join(",", seen.Order())}");
        Assert.Equal(Incidents, byIncident.Count);
        foreach (var incident in byIncident)
        {
            var versions = incident.Select(r => r.Version).Order().ToList();
            Assert.Equal(Enumerable.Range(1, versions.Count).Select(v => (long)v), versions);
            Assert.Equal("resolve", incident.MaxBy(r => r.Version).Action);
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static long LowWatermark(string bootstrap, string topic)
    {
        using var consumer = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(new Confluent.Kafka.ConsumerConfig { BootstrapServers = bootstrap, GroupId = "probe" }).Build();
        return consumer.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(topic, 0), TimeSpan.FromSeconds(10)).Low.Value;
    }

    private System.Diagnostics.Process StartEngine(string config)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(KafkaMockProcess.LocateCliDll());
        start.ArgumentList.Add("run");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(config);
        var process = System.Diagnostics.Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Log(string? line)
    {
        if (line is null || line.StartsWith('%'))
        {
            return;
        }

        try
        {
            log.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private string WriteConfig(string bootstrap)
    {
        var cis = new StringBuilder();
        var relations = new StringBuilder();
        for (int k = 0; k < Incidents; k++)
        {
            cis.Append(CultureInfo.InvariantCulture, $$"""{"id":"bs:s{{k}}","class":"business_service"},{"id":"svc:a{{k}}","class":"service"},{"id":"db:d{{k}}","class":"database"},""");
            relations.Append(CultureInfo.InvariantCulture, $$"""{"from":"bs:s{{k}}","to":"svc:a{{k}}"},{"from":"svc:a{{k}}","to":"db:d{{k}}"},""");
        }

        File.WriteAllText(Path.Combine(_dir, "topology.json"), $$"""{"cis":[{{cis.ToString().TrimEnd(',')}}],"relations":[{{relations.ToString().TrimEnd(',')}}]}""");
        var path = Path.Combine(_dir, "engine.yaml");
        File.WriteAllText(path, $"""
            kafka:
              bootstrap: {bootstrap}
              group_id: crash-test
              batch_size: 50
              commit_interval_ms: 200
              topics:
                itops.events: auto
              client:
                session.timeout.ms: "6000"
                heartbeat.interval.ms: "500"
            topology:
              file: topology.json
            pipeline:
              idle_advance_ms: 1000
            """);
        return path;
    }

    /// <summary>
    /// Incident k: its database fails, its service follows 5 s later, both resolve a minute on; then an
    /// hour of metrics passes in event time before the next one. The alerts of one incident are next to
    /// each other in the stream.
    /// </summary>
    private static IEnumerable<string> Input()
    {
        long start = 1795600000000;
        for (int k = 0; k < Incidents; k++)
        {
            long t = start + (k * 3_600_000L);
            yield return Event(t, $"db:d{k}", "DatabaseDown", "critical", "firing", $"db-{k}");
            yield return Event(t + 5_000, $"svc:a{k}", "HighErrorRate", "major", "firing", $"svc-{k}");
            yield return Event(t + 60_000, $"db:d{k}", "DatabaseDown", "critical", "resolved", $"db-{k}");
            yield return Event(t + 65_000, $"svc:a{k}", "HighErrorRate", "major", "resolved", $"svc-{k}");
            for (int i = 0; i < FillerPerIncident; i++)
            {
                yield return string.Create(CultureInfo.InvariantCulture, $$"""{"ts":{{t + 70_000 + (i * 1_000)}},"kind":"metric","ci":"db:d{{k}}","name":"qps","value":50}""");
            }
        }
    }

    private static string Event(long ts, string ci, string check, string severity, string status, string key) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"ts":{{ts}},"kind":"event","source":"crash-test","ci":"{{ci}}","check":"{{check}}","severity":"{{severity}}","status":"{{status}}","dedup_key":"{{key}}"}""");
}
