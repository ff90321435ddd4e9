using System.Collections;
using ItOpsStream.Cli.Commands;
using ItOpsStream.Cli.Service;

namespace ItOpsStream.Cli.Tests;

public sealed class EngineConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("itops-config-").FullName;

    public EngineConfigTests() => File.WriteAllText(Path.Combine(_dir, "cmdb.json"), """{"cis":[{"id":"svc:a","class":"service"}],"relations":[]}""");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Yaml(string text)
    {
        var path = Path.Combine(_dir, "engine.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Load_FullFile_MapsEverySection()
    {
        var path = Yaml("""
            kafka:
              bootstrap: broker-1:9092,broker-2:9092
              group_id: prod-engine
              batch_size: 500
              topics:
                itops.events: alertmanager
                otel.logs: otlp-logs
              client:
                security.protocol: SASL_SSL
                sasl.mechanism: SCRAM-SHA-512
            topology:
              file: cmdb.json
            formats:
              otlp_ci_attributes: ["service.name=svc:", "host.name=host:"]
            pipeline:
              decode_workers: 3
            """);

        var config = EngineConfig.Load(path, new Hashtable());

        Assert.Equal("broker-1:9092,broker-2:9092", config.Source.BootstrapServers);
        Assert.Equal("prod-engine", config.Source.GroupId);
        Assert.Equal(500, config.Source.MaxBatchSize);
        Assert.Equal("otlp-logs", config.Source.Topics["otel.logs"]);
        Assert.Equal("SASL_SSL", config.Source.ClientProperties["security.protocol"]);
        Assert.Equal("SCRAM-SHA-512", config.Sink.ClientProperties["sasl.mechanism"]);
        Assert.Equal("svc:", config.Source.Formats.OtlpCiAttributes[0].Prefix);
        Assert.Equal("host.name", config.Source.Formats.OtlpCiAttributes[1].Attribute);
        Assert.Equal(3, config.Pipeline.DecodeWorkers);
        Assert.Equal(Path.Combine(_dir, "cmdb.json"), config.TopologyFile);
    }

    [Fact]
    public void Load_EnvironmentVariable_OverridesTheFile()
    {
        var path = Yaml("kafka:\n  bootstrap: localhost:9092\ntopology:\n  file: cmdb.json\n");

        var config = EngineConfig.Load(path, new Hashtable { ["ITOPS__KAFKA__BOOTSTRAP"] = "kafka:9092", ["ITOPS__KAFKA__GROUP_ID"] = "from-env" });

        Assert.Equal("kafka:9092", config.Source.BootstrapServers);
        Assert.Equal("from-env", config.Source.GroupId);
    }

    [Theory]
    [InlineData("kafka:\n  bootstrap: x\n  bootsrap: y\ntopology:\n  file: cmdb.json\n", "kafka.bootsrap: unknown setting")]
    [InlineData("topology:\n  file: cmdb.json\n", "kafka.bootstrap: required")]
    [InlineData("kafka:\n  bootstrap: x\n  batch_size: many\ntopology:\n  file: cmdb.json\n", "kafka.batch_size: 'many' is not an integer")]
    [InlineData("kafka:\n  bootstrap: x\n  topics:\n    t: syslog\ntopology:\n  file: cmdb.json\n", "format 'syslog'")]
    [InlineData("kafka:\n  bootstrap: x\ntopology:\n  file: missing.json\n", "does not exist")]
    [InlineData("kafka:\n  bootstrap: [\n", "engine.yaml:3:1")]
    [InlineData("kafka:\n  bootstrap: x\n  client:\n    enable.auto.offset.store: 'true'\ntopology:\n  file: cmdb.json\n", "enable.auto.offset.store")]
    public void Load_BadSetting_IsOneLineNamingTheKey(string yaml, string expected)
    {
        var ex = Assert.Throws<CliInputException>(() => EngineConfig.Load(Yaml(yaml), new Hashtable()));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void KafkaMockTopics_ParsesNamePartitionsAndReplicas()
    {
        var topics = KafkaMockCommand.ParseTopics("itops.events:6, itops.incidents:3:2,plain", brokers: 3);

        Assert.Equal([("itops.events", 6, 1), ("itops.incidents", 3, 2), ("plain", 1, 1)], topics);
    }

    [Theory]
    [InlineData("a:0")]
    [InlineData("a:x")]
    [InlineData("a:1:5")]
    [InlineData(":3")]
    public void KafkaMockTopics_BadEntry_IsRejected(string spec)
    {
        Assert.Throws<CliInputException>(() => KafkaMockCommand.ParseTopics(spec, brokers: 3));
    }
}
