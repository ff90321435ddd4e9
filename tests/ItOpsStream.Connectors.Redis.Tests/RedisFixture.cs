using ItOpsStream.TestKit.Redis;

namespace ItOpsStream.Connectors.Redis.Tests;

/// <summary>One real redis-server per test collection; each test takes fresh key prefixes.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private int _prefixes;

    public RedisServer Server { get; private set; } = null!;

    public string Url => Server.Url;

    /// <summary>A prefix no other test uses, so tests share the server without seeing each other.</summary>
    public string NewPrefix() => $"t{Interlocked.Increment(ref _prefixes)}:{Guid.NewGuid():N}:";

    public RedisCmdbOptions NewOptions() => RedisCmdbOptions.Default with { KeyPrefix = NewPrefix() };

    public async Task InitializeAsync() => Server = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}
