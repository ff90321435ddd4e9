using ItOpsStream.Engine.Topology;
using StackExchange.Redis;

namespace ItOpsStream.Connectors.Redis;

/// <summary>How an import treats what the CMDB already holds.</summary>
public enum CmdbImportMode
{
    /// <summary>Upsert every CI and relation of the input; keep the others.</summary>
    Merge,

    /// <summary>Make the CMDB exactly the input: staged aside, then swapped in atomically.</summary>
    Replace,
}

/// <summary>What an import wrote.</summary>
/// <param name="Cis">CIs written.</param>
/// <param name="Relations">Relations written (one per from→to pair; a later duplicate wins).</param>
/// <param name="Version">The CMDB version after the import.</param>
public sealed record CmdbImportResult(int Cis, int Relations, long Version);

/// <summary>Sizes and versions of a CMDB in Redis.</summary>
/// <param name="Cis">CIs held.</param>
/// <param name="Relations">Relations held.</param>
/// <param name="Version">Version of the last change.</param>
/// <param name="ChangeStreamLength">Entries in the change stream.</param>
/// <param name="OldestReplayableVersion">Oldest version a process can catch up from; null when the stream is empty.</param>
/// <param name="MemoryBytes">Redis memory of the CMDB's keys (MEMORY USAGE, sampled for big hashes).</param>
public sealed record CmdbStats(long Cis, long Relations, long Version, long ChangeStreamLength, long? OldestReplayableVersion, long MemoryBytes);

public sealed partial class RedisTopologyStore
{
    // KEYS: cis, rels, version, changes, cis staging, rels staging, index generation.
    // ARGV: MAXLEN, replace (0|1), new index generation. Commits an import: swaps the staged hashes and
    // the index generation in (replace), and announces one "reload" entry, which tells every tailing
    // process to load the whole topology again.
    private const string CommitImportScript = """
        if ARGV[2] == '1' then
          if redis.call('EXISTS', KEYS[5]) == 1 then redis.call('RENAME', KEYS[5], KEYS[1]) else redis.call('DEL', KEYS[1]) end
          if redis.call('EXISTS', KEYS[6]) == 1 then redis.call('RENAME', KEYS[6], KEYS[2]) else redis.call('DEL', KEYS[2]) end
          redis.call('SET', KEYS[7], ARGV[3])
        end
        local v = redis.call('INCR', KEYS[3])
        redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[1], '0-' .. v, 'o', 'reload')
        return v
        """;

    /// <summary>
    /// Writes a whole topology in pipelined batches, then bumps the version once and announces a reload
    /// on the change stream. Idempotent: importing the same input twice leaves the same CMDB.
    /// </summary>
    /// <exception cref="ArgumentException">An id is empty or holds the separator 0x1F; nothing is committed.</exception>
    public async Task<CmdbImportResult> ImportAsync(TopologyDocument document, CmdbImportMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        foreach (var ci in document.Cis)
        {
            CmdbCodec.ValidateId(ci.Id, "CI");
        }

        foreach (var relation in document.Relations)
        {
            CmdbCodec.ValidateId(relation.From, "relation 'from'");
            CmdbCodec.ValidateId(relation.To, "relation 'to'");
        }

        var db = Database;
        bool replace = mode == CmdbImportMode.Replace;
        var cisKey = replace ? Keys.CisStaging : Keys.Cis;
        var relationsKey = replace ? Keys.RelationsStaging : Keys.Relations;
        if (replace)
        {
            // Left over by an import that died before its commit.
            await db.KeyDeleteAsync([Keys.CisStaging, Keys.RelationsStaging]).ConfigureAwait(false);
        }

        await WriteHashAsync(db, cisKey, document.Cis.Select(ci => new HashEntry(ci.Id, CmdbCodec.EncodeCi(ci))), cancellationToken).ConfigureAwait(false);
        await WriteHashAsync(db, relationsKey, document.Relations.Select(r => new HashEntry(CmdbCodec.EncodeRelationField(r.From, r.To), r.Type)), cancellationToken).ConfigureAwait(false);
        long generation = (long?)await db.StringGetAsync(Keys.Generation).ConfigureAwait(false) ?? 0;
        long indexGeneration = replace ? generation + 1 : generation;
        if (replace)
        {
            await DeleteIndexGenerationAsync(db, indexGeneration).ConfigureAwait(false);
        }

        await WriteIndexAsync(db, indexGeneration, document.Relations, cancellationToken).ConfigureAwait(false);

        var version = (long)await db.ScriptEvaluateAsync(
            CommitImportScript,
            [Keys.Cis, Keys.Relations, Keys.Version, Keys.Changes, Keys.CisStaging, Keys.RelationsStaging, Keys.Generation],
            [Options.ChangeStreamMaxLength, replace ? 1 : 0, indexGeneration]).ConfigureAwait(false);
        if (replace)
        {
            await DeleteIndexGenerationAsync(db, generation).ConfigureAwait(false);
        }

        int relationCount = document.Relations.Select(r => (r.From, r.To)).Distinct().Count();
        return new CmdbImportResult(document.Cis.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count(), relationCount, version);
    }

    /// <summary>Counts, versions and memory of the CMDB.</summary>
    public async Task<CmdbStats> GetStatsAsync()
    {
        var db = Database;
        var cis = db.HashLengthAsync(Keys.Cis);
        var relations = db.HashLengthAsync(Keys.Relations);
        var version = db.StringGetAsync(Keys.Version);
        var streamLength = db.StreamLengthAsync(Keys.Changes);
        var oldest = OldestReplayableVersionAsync();
        long memory = 0;
        foreach (var key in new[] { Keys.Cis, Keys.Relations, Keys.Version, Keys.Changes })
        {
            var usage = await db.ExecuteAsync("MEMORY", "USAGE", key).ConfigureAwait(false);
            memory += usage.IsNull ? 0 : (long)usage;
        }

        return new CmdbStats(
            await cis.ConfigureAwait(false),
            await relations.ConfigureAwait(false),
            (long?)await version.ConfigureAwait(false) ?? 0,
            await streamLength.ConfigureAwait(false),
            await oldest.ConfigureAwait(false),
            memory);
    }

    /// <summary>The per-CI relation index: one SADD per CI with all its members, pipelined.</summary>
    private async Task WriteIndexAsync(IDatabase db, long generation, IReadOnlyList<RelationRecord> relations, CancellationToken cancellationToken)
    {
        var members = new Dictionary<string, List<RedisValue>>(StringComparer.Ordinal);
        foreach (var r in relations)
        {
            Add(r.From, ">" + r.To);
            Add(r.To, "<" + r.From);
        }

        var inFlight = new Queue<Task>();
        foreach (var (ci, set) in members)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (inFlight.Count >= Options.MaxBatchesInFlight * 64)
            {
                await inFlight.Dequeue().ConfigureAwait(false);
            }

            inFlight.Enqueue(db.SetAddAsync(Keys.Index(generation, ci), [.. set]));
        }

        while (inFlight.Count > 0)
        {
            await inFlight.Dequeue().ConfigureAwait(false);
        }

        void Add(string ci, string member)
        {
            if (!members.TryGetValue(ci, out var list))
            {
                members[ci] = list = [];
            }

            list.Add(member);
        }
    }

    /// <summary>Unlinks every index set of one generation (SCAN MATCH, so Redis is never blocked long).</summary>
    private async Task DeleteIndexGenerationAsync(IDatabase db, long generation)
    {
        var server = _connection.GetServers().FirstOrDefault(s => s.IsConnected && !s.IsReplica);
        if (server is null)
        {
            return;
        }

        var batch = new List<RedisKey>(1_000);
        await foreach (var key in server.KeysAsync(_database, $"{Keys.IndexPrefix}{generation}:*", pageSize: 1_000).ConfigureAwait(false))
        {
            batch.Add(key);
            if (batch.Count == 1_000)
            {
                await db.KeyDeleteAsync([.. batch], CommandFlags.FireAndForget).ConfigureAwait(false);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await db.KeyDeleteAsync([.. batch]).ConfigureAwait(false);
        }
    }

    /// <summary>HSET in batches of <see cref="RedisCmdbOptions.WriteBatchSize"/>, a bounded number in flight on the pipelined connection.</summary>
    private async Task WriteHashAsync(IDatabase db, RedisKey key, IEnumerable<HashEntry> entries, CancellationToken cancellationToken)
    {
        var inFlight = new Queue<Task>();
        foreach (var chunk in entries.Chunk(Options.WriteBatchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (inFlight.Count >= Options.MaxBatchesInFlight)
            {
                await inFlight.Dequeue().ConfigureAwait(false);
            }

            inFlight.Enqueue(db.HashSetAsync(key, chunk));
        }

        while (inFlight.Count > 0)
        {
            await inFlight.Dequeue().ConfigureAwait(false);
        }
    }
}
