using ItOpsStream.Engine.Topology;
using StackExchange.Redis;

namespace ItOpsStream.Connectors.Redis;

/// <summary>
/// The CMDB in Redis: full loads by pipelined HGETALL of bucket hashes, pipelined imports, and changes applied atomically
/// (write + version + change-stream entry in one Lua script) for every engine process to tail.
/// </summary>
/// <remarks>
/// Thread-safe. Two connections: one pipelined connection for commands, one dedicated to the blocking
/// XREAD of the change feed, so a read waiting for changes never delays other commands. Both reconnect
/// by themselves; calls made while Redis is unreachable throw <see cref="RedisConnectionException"/>.
/// </remarks>
public sealed partial class RedisTopologyStore : ITopologyStore
{
    private readonly ConnectionMultiplexer _connection;
    private readonly ConfigurationOptions _tailConfig;
    private readonly SemaphoreSlim _tailGate = new(1, 1);
    private ConnectionMultiplexer? _tail;
    private readonly int _database;

    private RedisTopologyStore(ConnectionMultiplexer connection, ConfigurationOptions config, RedisCmdbOptions options, string redactedUrl)
    {
        _connection = connection;
        _database = config.DefaultDatabase ?? 0;
        Options = options;
        Keys = new CmdbKeys(options.KeyPrefix);
        Url = redactedUrl;
        _tailConfig = config.Clone();
        _tailConfig.ClientName = "itopsstream-cmdb-feed";
        // A feed read waits up to its block time on the server: the client timeout must outlast it.
        _tailConfig.AsyncTimeout = _tailConfig.SyncTimeout = (int)(options.CommandTimeout + MaxFeedWait).TotalMilliseconds;
        _tailConfig.BacklogPolicy = BacklogPolicy.FailFast;
    }

    /// <summary>The longest a feed read blocks on the server; longer waits are cut to this.</summary>
    public static TimeSpan MaxFeedWait { get; } = TimeSpan.FromSeconds(5);

    /// <summary>The options in effect, URL parameters included.</summary>
    public RedisCmdbOptions Options { get; }

    /// <summary>The URL with its password hidden, for logs.</summary>
    public string Url { get; }

    /// <summary>Whether the command connection is up right now.</summary>
    public bool IsConnected => _connection.IsConnected;

    internal CmdbKeys Keys { get; }

    internal IDatabase Database => _connection.GetDatabase(_database);

    /// <summary>
    /// Connects to <paramref name="url"/> (<c>redis://[user:password@]host[:port][/db][?prefix=…]</c>,
    /// <c>rediss://</c> for TLS). Returns even when Redis is unreachable: the connection keeps retrying
    /// and calls throw until it is up, so an engine can start and wait.
    /// </summary>
    /// <exception cref="ArgumentException">The URL or the options are invalid (one-line message).</exception>
    public static RedisTopologyStore Connect(string url, RedisCmdbOptions? options = null)
    {
        var (config, cmdb) = RedisUrl.Parse(url, options ?? RedisCmdbOptions.Default);
        Harden(config);
        return new RedisTopologyStore(ConnectionMultiplexer.Connect(config), config, cmdb, RedisUrl.Redact(url));
    }

    /// <inheritdoc cref="Connect"/>
    public static async Task<RedisTopologyStore> ConnectAsync(string url, RedisCmdbOptions? options = null)
    {
        var (config, cmdb) = RedisUrl.Parse(url, options ?? RedisCmdbOptions.Default);
        Harden(config);
        var connection = await ConnectionMultiplexer.ConnectAsync(config).ConfigureAwait(false);
        return new RedisTopologyStore(connection, config, cmdb, RedisUrl.Redact(url));
    }

    /// <summary>Throws <see cref="RedisConnectionException"/> unless Redis answers (and AUTH succeeded).</summary>
    public async Task PingAsync()
    {
        await Database.PingAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<TopologySnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        var db = Database;
        // The version is read first: a change landing during the load is then replayed from the feed
        // on top of whatever state the load saw, and upserts and deletes are idempotent.
        long version = (long?)await db.StringGetAsync(Keys.Version).ConfigureAwait(false) ?? 0;
        var ciCounts = await Task.WhenAll(Keys.Cis.Select(k => db.HashLengthAsync(k))).ConfigureAwait(false);
        var relationCounts = await Task.WhenAll(Keys.Relations.Select(k => db.HashLengthAsync(k))).ConfigureAwait(false);

        var ids = new StringPool((int)ciCounts.Sum());
        var shared = new StringPool();
        var cis = new List<CiRecord>((int)ciCounts.Sum());
        await ForEachBucketAsync(db, Keys.Cis, entries =>
        {
            foreach (var entry in entries)
            {
                string id = ids.Get(((ReadOnlyMemory<byte>)entry.Name).Span, out bool added);
                if (added)
                {
                    cis.Add(CmdbCodec.DecodeCi(id, ((ReadOnlyMemory<byte>)entry.Value).Span, shared));
                }
            }
        }, cancellationToken).ConfigureAwait(false);

        var relations = new List<RelationRecord>((int)relationCounts.Sum());
        await ForEachBucketAsync(db, Keys.Relations, entries =>
        {
            foreach (var entry in entries)
            {
                // Endpoints come from the id pool, so a relation adds no string of its own for a known CI.
                var (from, to) = CmdbCodec.DecodeRelationField(((ReadOnlyMemory<byte>)entry.Name).Span, ids);
                relations.Add(new RelationRecord(from, to, shared.Get(((ReadOnlyMemory<byte>)entry.Value).Span)));
            }
        }, cancellationToken).ConfigureAwait(false);

        return new TopologySnapshot(new TopologyDocument(cis, relations), version);
    }

    /// <summary>
    /// HGETALL of every bucket, <see cref="RedisCmdbOptions.LoadBucketsInFlight"/> at a time, handed to
    /// <paramref name="decode"/> in bucket order while the next ones are on the wire.
    /// </summary>
    private async Task ForEachBucketAsync(IDatabase db, RedisKey[] buckets, Action<HashEntry[]> decode, CancellationToken cancellationToken)
    {
        var inFlight = new Queue<Task<HashEntry[]>>();
        int next = 0;
        while (next < buckets.Length || inFlight.Count > 0)
        {
            while (next < buckets.Length && inFlight.Count < Options.LoadBucketsInFlight)
            {
                inFlight.Enqueue(db.HashGetAllAsync(buckets[next++]));
            }

            cancellationToken.ThrowIfCancellationRequested();
            decode(await inFlight.Dequeue().ConfigureAwait(false));
        }
    }

    /// <summary>The URL (password hidden) and the key prefix, for logs.</summary>
    public override string ToString() => $"{Url} (prefix {Options.KeyPrefix})";

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _connection.CloseAsync().ConfigureAwait(false);
        _connection.Dispose();
        if (_tail is { } tail)
        {
            await tail.CloseAsync().ConfigureAwait(false);
            tail.Dispose();
        }

        _tailGate.Dispose();
    }

    private static void Harden(ConfigurationOptions config)
    {
        // RESP2 keeps the raw replies of XREAD (parsed below) the same on every server version.
        config.Protocol = RedisProtocol.Resp2;
        config.ReconnectRetryPolicy = new ExponentialRetry(250, 5_000);
    }

    private async ValueTask<IDatabase> TailDatabaseAsync()
    {
        if (_tail is { } existing)
        {
            return existing.GetDatabase(_database);
        }

        await _tailGate.WaitAsync().ConfigureAwait(false);
        try
        {
            _tail ??= await ConnectionMultiplexer.ConnectAsync(_tailConfig).ConfigureAwait(false);
            return _tail.GetDatabase(_database);
        }
        finally
        {
            _tailGate.Release();
        }
    }
}
