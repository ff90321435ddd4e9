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
    // KEYS: version, changes, index generation. ARGV: MAXLEN, replace (0|1), new index generation,
    // CI hash prefix, relation hash prefix, staging prefix. Commits an import: swaps the staged bucket
    // hashes and the index generation in (replace), and announces one "reload" entry, which tells
    // every tailing process to load the whole topology again.
    private const string CommitImportScript = """
        if ARGV[2] == '1' then
          for b = 0, 255 do
            local n = string.format('%03d', b)
            for _, kind in ipairs({'cis:', 'rels:'}) do
              local live = (kind == 'cis:' and ARGV[4] or ARGV[5]) .. n
              local staged = ARGV[6] .. kind .. n
              if redis.call('EXISTS', staged) == 1 then redis.call('RENAME', staged, live) else redis.call('DEL', live) end
            end
          end
          redis.call('SET', KEYS[3], ARGV[3])
        end
        local v = redis.call('INCR', KEYS[1])
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '0-' .. v, 'o', 'reload')
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
        if (replace)
        {
            // Left over by an import that died before its commit.
            await db.KeyDeleteAsync([.. Keys.CisStaging, .. Keys.RelationsStaging]).ConfigureAwait(false);
        }

        var ciTargets = replace ? Keys.CisStaging : Keys.Cis;
        var relationTargets = replace ? Keys.RelationsStaging : Keys.Relations;
        var fromBuckets = new Dictionary<string, int>(document.Cis.Count, StringComparer.Ordinal);
        int Bucket(string id)
        {
            if (!fromBuckets.TryGetValue(id, out int bucket))
            {
                fromBuckets[id] = bucket = CmdbKeys.BucketOf(id);
            }

            return bucket;
        }

        var writes = new PipelinedWrites(Options.MaxBatchesInFlight);
        foreach (var group in document.Cis.GroupBy(ci => Bucket(ci.Id)))
        {
            foreach (var chunk in group.Chunk(Options.WriteBatchSize))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await writes.AddAsync(db.HashSetAsync(ciTargets[group.Key], [.. chunk.Select(ci => new HashEntry(ci.Id, CmdbCodec.EncodeCi(ci)))])).ConfigureAwait(false);
            }
        }

        foreach (var group in document.Relations.GroupBy(r => Bucket(r.From)))
        {
            foreach (var chunk in group.Chunk(Options.WriteBatchSize))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await writes.AddAsync(db.HashSetAsync(relationTargets[group.Key], [.. chunk.Select(r => new HashEntry(CmdbCodec.EncodeRelationField(r.From, r.To), r.Type))])).ConfigureAwait(false);
            }
        }

        await writes.DrainAsync().ConfigureAwait(false);
        long generation = (long?)await db.StringGetAsync(Keys.Generation).ConfigureAwait(false) ?? 0;
        long indexGeneration = replace ? generation + 1 : generation;
        if (replace)
        {
            await DeleteIndexGenerationAsync(db, indexGeneration).ConfigureAwait(false);
        }

        await WriteIndexAsync(db, indexGeneration, document.Relations, Bucket, cancellationToken).ConfigureAwait(false);

        var version = (long)await db.ScriptEvaluateAsync(
            CommitImportScript,
            [Keys.Version, Keys.Changes, Keys.Generation],
            [Options.ChangeStreamMaxLength, replace ? 1 : 0, indexGeneration, Keys.CisPrefix, Keys.RelationsPrefix, Keys.StagingPrefix]).ConfigureAwait(false);
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
        var cis = Task.WhenAll(Keys.Cis.Select(k => db.HashLengthAsync(k)));
        var relations = Task.WhenAll(Keys.Relations.Select(k => db.HashLengthAsync(k)));
        var version = db.StringGetAsync(Keys.Version);
        var streamLength = db.StreamLengthAsync(Keys.Changes);
        var oldest = OldestReplayableVersionAsync();
        var usages = await Task.WhenAll(Keys.Cis.Concat(Keys.Relations).Append(Keys.Version).Append(Keys.Changes)
            .Select(key => db.ExecuteAsync("MEMORY", "USAGE", key))).ConfigureAwait(false);
        long memory = usages.Sum(u => u.IsNull ? 0 : (long)u);

        return new CmdbStats(
            (await cis.ConfigureAwait(false)).Sum(),
            (await relations.ConfigureAwait(false)).Sum(),
            (long?)await version.ConfigureAwait(false) ?? 0,
            await streamLength.ConfigureAwait(false),
            await oldest.ConfigureAwait(false),
            memory);
    }

    /// <summary>The per-CI relation index: one SADD per CI with all its members, pipelined.</summary>
    private async Task WriteIndexAsync(IDatabase db, long generation, IReadOnlyList<RelationRecord> relations, Func<string, int> bucketOf, CancellationToken cancellationToken)
    {
        var members = new Dictionary<string, List<RedisValue>>(StringComparer.Ordinal);
        foreach (var r in relations)
        {
            Add(r.From, ">" + r.To);
            Add(r.To, "<" + CmdbKeys.BucketName(bucketOf(r.From)) + r.From);
        }

        // Small commands: many more of them in flight than of the big HSET batches.
        var writes = new PipelinedWrites(Options.MaxBatchesInFlight * 64);
        foreach (var (ci, set) in members)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await writes.AddAsync(db.SetAddAsync(Keys.Index(generation, ci), [.. set])).ConfigureAwait(false);
        }

        await writes.DrainAsync().ConfigureAwait(false);

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

    /// <summary>Commands in flight on the pipelined connection, at most a bound at once.</summary>
    private sealed class PipelinedWrites(int maxInFlight)
    {
        private readonly Queue<Task> _inFlight = new();

        public async Task AddAsync(Task write)
        {
            if (_inFlight.Count >= maxInFlight)
            {
                await _inFlight.Dequeue().ConfigureAwait(false);
            }

            _inFlight.Enqueue(write);
        }

        public async Task DrainAsync()
        {
            while (_inFlight.Count > 0)
            {
                await _inFlight.Dequeue().ConfigureAwait(false);
            }
        }
    }
}
