using System.Net;

namespace ItOpsStream.Connectors.Redis.Tests;

public sealed class RedisUrlTests
{
    [Fact]
    public void AclUserAndPassword_ArePercentDecoded_DatabaseAndPrefixRead()
    {
        var (redis, cmdb) = RedisUrl.Parse("redis://engine:p%40ss%3Aword@cmdb.internal:6380/3?prefix=tenant-a%3A", RedisCmdbOptions.Default);

        Assert.Equal(("engine", "p@ss:word", 3), (redis.User, redis.Password, redis.DefaultDatabase));
        Assert.Equal(new DnsEndPoint("cmdb.internal", 6380), Assert.Single(redis.EndPoints));
        Assert.False(redis.Ssl);
        Assert.Equal("tenant-a:", cmdb.KeyPrefix);
    }

    [Fact]
    public void PasswordOnly_IsTheDefaultUsersPassword_AndPortDefaultsTo6379()
    {
        var (redis, _) = RedisUrl.Parse("rediss://s3cret@localhost", RedisCmdbOptions.Default);

        Assert.Equal(((string?)null, "s3cret"), (redis.User, redis.Password));
        Assert.Equal(new DnsEndPoint("localhost", 6379), Assert.Single(redis.EndPoints));
        Assert.True(redis.Ssl);
        Assert.Equal("localhost", redis.SslHost);
    }

    [Theory]
    [InlineData("redis://user:secret@host:1/0", "redis://user:***@host:1/0")]
    [InlineData("redis://secret@host", "redis://***@host")]
    [InlineData("redis://host:1", "redis://host:1")]
    public void Redact_HidesThePassword(string url, string expected) => Assert.Equal(expected, RedisUrl.Redact(url));

    [Theory]
    [InlineData("localhost:6379", "invalid Redis URL 'localhost:6379'")]
    [InlineData("redis://user:secret@host/x", "invalid Redis URL 'redis://user:***@host/x': database 'x' is not a number")]
    [InlineData("redis://host?prefix=", "KeyPrefix must be non-empty")]
    [InlineData("redis://host?ca=/nonexistent/ca.pem", "use rediss://")]
    [InlineData("rediss://host?ca=/nonexistent/ca.pem", "CA certificate file not found: /nonexistent/ca.pem")]
    [InlineData("rediss://host?key=/k.pem", "TlsClientKeyPath needs TlsClientCertificatePath")]
    public void BadUrl_FailsWithOneLineNamingTheProblem_WithoutThePassword(string url, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => RedisUrl.Parse(url, RedisCmdbOptions.Default));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Options_Validate_NamesTheInvalidProperty()
    {
        var ex = Assert.Throws<ArgumentException>(() => (RedisCmdbOptions.Default with { LoadBucketsInFlight = 0 }).Validate());

        Assert.Equal("LoadBucketsInFlight", ex.ParamName);
    }
}
