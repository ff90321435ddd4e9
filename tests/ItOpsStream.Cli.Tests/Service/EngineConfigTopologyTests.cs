using System.Collections;
using ItOpsStream.Cli.Service;

namespace ItOpsStream.Cli.Tests.Service;

public sealed class EngineConfigTopologyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("itops-config-").FullName;

    [Fact]
    public void TopologyOverride_RedisUrl_ReplacesTheFileOfTheConfiguration()
    {
        var config = EngineConfig.Load(Write("topology:\n  file: cmdb.json\n"), NoEnvironment(), "redis://127.0.0.1:6379/2");
        Assert.Null(config.TopologyFile);
        Assert.Equal("redis://127.0.0.1:6379/2", config.TopologyRedisUrl);
        Assert.Equal("itops.cmdb", config.CmdbTopic);
        Assert.Equal("itopsstream-cmdb", config.CmdbGroupId);
    }

    [Fact]
    public void TopologyOverride_FilePath_IsRelativeToTheWorkingDirectory_AndReplacesRedis()
    {
        File.WriteAllText(Path.Combine(_dir, "other.json"), "{}");
        var config = EngineConfig.Load(Write("topology:\n  redis: redis://h\n"), NoEnvironment(), Path.Combine(_dir, "other.json"));
        Assert.Equal(Path.Combine(_dir, "other.json"), config.TopologyFile);
        Assert.Null(config.TopologyRedisUrl);
    }

    [Fact]
    public void EnvironmentRedis_WithTheFileCleared_SelectsRedis()
    {
        var environment = new Hashtable { ["ITOPS__TOPOLOGY__FILE"] = "", ["ITOPS__TOPOLOGY__REDIS"] = "rediss://cmdb@h:6380" };
        var config = EngineConfig.Load(Write("topology:\n  file: cmdb.json\n"), environment);
        Assert.Equal("rediss://cmdb@h:6380", config.TopologyRedisUrl);
    }

    [Fact]
    public void BothFileAndRedis_AreRefusedWithOneLineNamingTheKeys()
    {
        var ex = Assert.Throws<CliInputException>(() => EngineConfig.Load(Write("topology:\n  file: cmdb.json\n  redis: redis://h\n"), NoEnvironment()));
        Assert.Contains("topology.file and topology.redis", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RedisKey_WithAnotherScheme_IsRefused()
    {
        var ex = Assert.Throws<CliInputException>(() => EngineConfig.Load(Write("topology:\n  redis: http://h\n"), NoEnvironment()));
        Assert.Contains("topology.redis", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyCmdbTopic_TurnsTheFeedOff_AndTheGroupCanBeNamed()
    {
        var config = EngineConfig.Load(Write("kafka:\n  bootstrap: k:9092\n  group_id: g\n  cmdb_topic: \"\"\ntopology:\n  file: cmdb.json\n"), NoEnvironment());
        Assert.Null(config.CmdbTopic);
        Assert.Equal("g-cmdb", config.CmdbGroupId);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Hashtable NoEnvironment() => [];

    private string Write(string yaml)
    {
        File.WriteAllText(Path.Combine(_dir, "cmdb.json"), "{}");
        var path = Path.Combine(_dir, "engine.yaml");
        File.WriteAllText(path, yaml.Contains("bootstrap", StringComparison.Ordinal) ? yaml : "kafka:\n  bootstrap: k:9092\n" + yaml);
        return path;
    }
}
