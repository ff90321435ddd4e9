using System.Text.Json;
using ItOpsStream.TestKit.Redis;

namespace ItOpsStream.Cli.Tests.Commands;

public sealed class CmdbRedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class CmdbCommandTests(CmdbRedisFixture redis) : IClassFixture<CmdbRedisFixture>, IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("itops-cmdb-cli-");

    private string Url => $"{redis.Server.Url}?prefix={Guid.NewGuid():N}:";

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task ImportServiceNow_ThenExport_WritesTheTopologyInContractDirection()
    {
        string url = Url;
        string cis = Write("cmdb_ci.csv", "sys_id,name,sys_class_name,busines_criticality,support_group\na1,Online Store,cmdb_ci_service_business,1 - most critical,Commerce\nb2,checkout,cmdb_ci_appl,,Payments\nc3,node-1,cmdb_ci_linux_server,,\n");
        string rels = Write("cmdb_rel_ci.csv", "parent,child,type\na1,b2,Depends on::Used by\nc3,b2,Runs::Runs on\n");

        var (code, stdout, stderr) = await Run("cmdb", "import", "--from", cis, "--rel", rels, "--redis", url);
        Assert.True(code == 0, stderr);
        Assert.StartsWith("imported 3 CIs and 2 relations", stdout, StringComparison.Ordinal);

        string output = Path.Combine(_dir.FullName, "out.json");
        (code, _, stderr) = await Run("cmdb", "export", "--redis", url, "--out", output);
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(output));
        Assert.Equal(["a1", "b2", "c3"], json.RootElement.GetProperty("cis").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.Equal("critical", json.RootElement.GetProperty("cis")[0].GetProperty("criticality").GetString());
        Assert.Equal(
            ["a1>b2:depends_on", "b2>c3:runs_on"],
            json.RootElement.GetProperty("relations").EnumerateArray().Select(r => $"{r.GetProperty("from").GetString()}>{r.GetProperty("to").GetString()}:{r.GetProperty("type").GetString()}"));
    }

    [Fact]
    public async Task ImportTwice_IsIdempotent_StatsShowTheSameCounts()
    {
        string url = Url;
        string cis = Write("cmdb_ci.csv", "sys_id,name\na,x\nb,y\n");
        string rels = Write("cmdb_rel_ci.csv", "parent,child,type\na,b,Uses::Used by\n");
        await Run("cmdb", "import", "--from", cis, "--rel", rels, "--redis", url);
        await Run("cmdb", "import", "--from", cis, "--rel", rels, "--redis", url, "--replace");

        var (code, stdout, _) = await Run("cmdb", "stats", "--redis", url);

        Assert.Equal(0, code);
        Assert.Contains("cis: 2\n", stdout, StringComparison.Ordinal);
        Assert.Contains("relations: 1\n", stdout, StringComparison.Ordinal);
        Assert.Contains("version: 2\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_ChangeRecords_UpdatesTheCmdbAndItsVersion()
    {
        string url = Url;
        string topology = Write("topology.json", """{"cis":[{"id":"svc:a","class":"service"},{"id":"db:b","class":"database"}],"relations":[{"from":"svc:a","to":"db:b"}]}""");
        string changes = Write("changes.jsonl", "{\"op\":\"upsert\",\"id\":\"svc:c\",\"class\":\"service\",\"criticality\":\"high\"}\n\n{\"op\":\"upsert\",\"from\":\"svc:c\",\"to\":\"db:b\",\"type\":\"depends_on\"}\n{\"op\":\"delete\",\"id\":\"svc:a\"}\n");
        var (code, _, stderr) = await Run("cmdb", "import", "--from", topology, "--redis", url);
        Assert.True(code == 0, stderr);

        (code, var stdout, stderr) = await Run("cmdb", "apply", "--changes", changes, "--redis", url);

        Assert.True(code == 0, stderr);
        Assert.Contains("applied 3 changes", stdout, StringComparison.Ordinal);
        string output = Path.Combine(_dir.FullName, "out.json");
        await Run("cmdb", "export", "--redis", url, "--out", output);
        using var json = JsonDocument.Parse(File.ReadAllText(output));
        Assert.Equal(["db:b", "svc:c"], json.RootElement.GetProperty("cis").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.Equal("svc:c", Assert.Single(json.RootElement.GetProperty("relations").EnumerateArray()).GetProperty("from").GetString());
        (_, stdout, _) = await Run("cmdb", "stats", "--redis", url);
        Assert.Contains("version: 4\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_BadLine_ExitsTwoNamingTheLine_AndAppliesNothing()
    {
        string url = Url;
        string changes = Write("changes.jsonl", "{\"op\":\"upsert\",\"id\":\"svc:c\",\"class\":\"service\"}\n{\"op\":\"upsert\",\"id\":\n");

        var (code, _, stderr) = await Run("cmdb", "apply", "--changes", changes, "--redis", url);

        Assert.Equal(CliApp.ExitBadInput, code);
        Assert.StartsWith("itopsstream: changes.jsonl:2: ", Assert.Single(Lines(stderr)), StringComparison.Ordinal);
        var (_, stats, _) = await Run("cmdb", "stats", "--redis", url);
        Assert.Contains("version: 0\n", stats, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost", "invalid Redis URL 'http://localhost'")]
    [InlineData("redis://localhost/x", "database 'x' is not a number")]
    [InlineData("redis://localhost?tenant=a", "unknown parameter 'tenant'")]
    public async Task BadRedisUrl_ExitsTwoWithOneLine(string url, string expected)
    {
        var (code, _, stderr) = await Run("cmdb", "stats", "--redis", url);

        Assert.Equal(CliApp.ExitBadInput, code);
        Assert.Contains(expected, Assert.Single(Lines(stderr)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedCsv_ExitsTwoNamingFileAndLine_AndWritesNothing()
    {
        string url = Url;
        string cis = Write("cmdb_ci.csv", "sys_id,name\na,\"unterminated\n");

        var (code, _, stderr) = await Run("cmdb", "import", "--from", cis, "--redis", url);

        Assert.Equal(CliApp.ExitBadInput, code);
        Assert.Equal("itopsstream: cmdb_ci.csv line 2: unterminated quoted field", Assert.Single(Lines(stderr)));
        var (_, stats, _) = await Run("cmdb", "stats", "--redis", url);
        Assert.Contains("cis: 0\n", stats, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFile_ExitsTwoWithOneLine()
    {
        var (code, _, stderr) = await Run("cmdb", "import", "--from", Path.Combine(_dir.FullName, "nope.csv"), "--redis", Url);

        Assert.Equal(CliApp.ExitBadInput, code);
        Assert.Contains("nope.csv", Assert.Single(Lines(stderr)), StringComparison.Ordinal);
    }

    private static string[] Lines(string text) => text.TrimEnd().Split('\n');

    private string Write(string name, string content)
    {
        string path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
