using System.Globalization;
using ItOpsStream.Engine.Topology;
using StackExchange.Redis;

namespace ItOpsStream.Connectors.Redis;

public sealed partial class RedisTopologyStore
{
    /// <summary>Changes per script call: one call blocks Redis for its duration, so it stays well under a millisecond.</summary>
    private const int ChangesPerScript = 256;

    // KEYS: version, changes, index generation. ARGV: MAXLEN, CI hash prefix, relation hash prefix,
    // index prefix, then per change: op (u|d), kind (c|r), bucket (NNN: of the CI id, or of `from`),
    // field, value. Each change gets the next version and the stream entry 0-{version}, in the same
    // atomic script as the write. The per-CI index sets ({prefix}idx:{generation}:{id}, members ">to"
    // and "<NNNfrom") let a CI delete remove every relation naming it, as TopologyGraph.WithChanges
    // does, without scanning the relation hashes. A relation delete announces the type it removed.
    // The hash and index keys are built here from the prefix: on Redis Cluster the prefix needs a
    // hash tag so they share the slot of the declared keys.
    private const string ApplyScript = """
        local maxlen, cis, rels = ARGV[1], ARGV[2], ARGV[3]
        local idx = ARGV[4] .. (redis.call('GET', KEYS[3]) or '0') .. ':'
        local v = tonumber(redis.call('GET', KEYS[1]) or '0')
        for i = 5, #ARGV, 5 do
          local op, kind, bucket, field, value = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
          if kind == 'c' then
            if op == 'u' then
              redis.call('HSET', cis .. bucket, field, value)
            else
              redis.call('HDEL', cis .. bucket, field)
              for _, m in ipairs(redis.call('SMEMBERS', idx .. field)) do
                if string.sub(m, 1, 1) == '>' then
                  local other = string.sub(m, 2)
                  redis.call('HDEL', rels .. bucket, field .. '\31' .. other)
                  redis.call('SREM', idx .. other, '<' .. bucket .. field)
                else
                  local other = string.sub(m, 5)
                  redis.call('HDEL', rels .. string.sub(m, 2, 4), other .. '\31' .. field)
                  redis.call('SREM', idx .. other, '>' .. field)
                end
              end
              redis.call('DEL', idx .. field)
            end
          else
            local sep = string.find(field, '\31', 1, true)
            local from, to = string.sub(field, 1, sep - 1), string.sub(field, sep + 1)
            if op == 'u' then
              redis.call('HSET', rels .. bucket, field, value)
              redis.call('SADD', idx .. from, '>' .. to)
              redis.call('SADD', idx .. to, '<' .. bucket .. from)
            else
              local old = redis.call('HGET', rels .. bucket, field)
              if old then value = old end
              redis.call('HDEL', rels .. bucket, field)
              redis.call('SREM', idx .. from, '>' .. to)
              redis.call('SREM', idx .. to, '<' .. bucket .. from)
            end
          end
          v = redis.call('INCR', KEYS[1])
          redis.call('XADD', KEYS[2], 'MAXLEN', '~', maxlen, '0-' .. v, 'o', op, 'k', kind, 'f', field, 'v', value)
        end
        return v
        """;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A change has neither a CI nor a relation, or an id holds the separator 0x1F.</exception>
    public async ValueTask<long> ApplyAsync(IReadOnlyList<TopologyChange> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var db = Database;
        RedisKey[] keys = [Keys.Version, Keys.Changes, Keys.Generation];
        long version = 0;
        int start = 0;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(ChangesPerScript, changes.Count - start);
            var args = new RedisValue[4 + (5 * count)];
            args[0] = Options.ChangeStreamMaxLength;
            args[1] = Keys.CisPrefix;
            args[2] = Keys.RelationsPrefix;
            args[3] = Keys.IndexPrefix;
            for (int i = 0; i < count; i++)
            {
                EncodeChange(changes[start + i], args.AsSpan(4 + (5 * i), 5));
            }

            var result = await db.ScriptEvaluateAsync(ApplyScript, keys, args).ConfigureAwait(false);
            version = (long)result;
            start += count;
        }
        while (start < changes.Count);

        return version;
    }

    /// <inheritdoc/>
    public async ValueTask<TopologyChangeBatch> ReadChangesAsync(long afterVersion, TimeSpan wait, CancellationToken cancellationToken)
    {
        var tail = await TailDatabaseAsync().ConfigureAwait(false);
        var entries = await ReadStreamAsync(tail, afterVersion, wait, cancellationToken).ConfigureAwait(false);
        if (entries.Count == 0)
        {
            // Nothing after afterVersion in the stream. That is only true if the version agrees: a lower
            // one means the CMDB was reset (a Redis restarted empty), a higher one that the entries were
            // trimmed away, unless they were added just now, which one more read tells.
            long current = (long?)await Database.StringGetAsync(Keys.Version).ConfigureAwait(false) ?? 0;
            if (current == afterVersion)
            {
                return TopologyChangeBatch.None;
            }

            if (current < afterVersion)
            {
                return TopologyChangeBatch.Reload;
            }

            entries = await ReadStreamAsync(tail, afterVersion, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            if (entries.Count == 0)
            {
                return TopologyChangeBatch.Reload;
            }
        }

        var changes = new List<TopologyChange>(entries.Count);
        long expected = afterVersion + 1;
        var pool = new StringPool();
        foreach (var (version, fields) in entries)
        {
            if (version != expected)
            {
                // A gap: the stream was trimmed past afterVersion. Replaying what is left would miss changes.
                return TopologyChangeBatch.Reload;
            }

            var change = DecodeChange(version, fields, pool);
            if (change is null)
            {
                return TopologyChangeBatch.Reload;
            }

            changes.Add(change);
            expected++;
        }

        return new TopologyChangeBatch(changes, false);
    }

    /// <summary>The oldest version still in the change stream, or null when it is empty.</summary>
    internal async Task<long?> OldestReplayableVersionAsync()
    {
        var first = await Database.StreamRangeAsync(Keys.Changes, "-", "+", count: 1).ConfigureAwait(false);
        return first.Length == 0 ? null : ParseVersion(first[0].Id);
    }

    private static void EncodeChange(TopologyChange change, Span<RedisValue> args)
    {
        args[0] = change.Op == TopologyChangeOp.Upsert ? "u" : "d";
        if (change.Ci is { } ci)
        {
            CmdbCodec.ValidateId(ci.Id, "CI change");
            args[1] = "c";
            args[2] = CmdbKeys.BucketName(CmdbKeys.BucketOf(ci.Id));
            args[3] = ci.Id;
            args[4] = change.Op == TopologyChangeOp.Upsert ? CmdbCodec.EncodeCi(ci) : RedisValue.EmptyString;
        }
        else if (change.Relation is { } relation)
        {
            CmdbCodec.ValidateId(relation.From, "relation change 'from'");
            CmdbCodec.ValidateId(relation.To, "relation change 'to'");
            args[1] = "r";
            args[2] = CmdbKeys.BucketName(CmdbKeys.BucketOf(relation.From));
            args[3] = CmdbCodec.EncodeRelationField(relation.From, relation.To);
            args[4] = relation.Type;
        }
        else
        {
            throw new ArgumentException("a topology change needs a CI or a relation");
        }
    }

    private static TopologyChange? DecodeChange(long version, RedisResult[] fields, StringPool pool)
    {
        string? op = null;
        string? kind = null;
        RedisValue field = RedisValue.Null;
        RedisValue value = RedisValue.Null;
        for (int i = 0; i + 1 < fields.Length; i += 2)
        {
            switch ((string?)fields[i])
            {
                case "o": op = (string?)fields[i + 1]; break;
                case "k": kind = (string?)fields[i + 1]; break;
                case "f": field = (RedisValue)fields[i + 1]; break;
                case "v": value = (RedisValue)fields[i + 1]; break;
                default: break;
            }
        }

        // "reload" marks a bulk import: the whole topology changed at once.
        if (op is not ("u" or "d") || field.IsNull)
        {
            return null;
        }

        var changeOp = op == "u" ? TopologyChangeOp.Upsert : TopologyChangeOp.Delete;
        if (kind == "c")
        {
            string id = (string)field!;
            var ci = changeOp == TopologyChangeOp.Upsert
                ? CmdbCodec.DecodeCi(id, ((ReadOnlyMemory<byte>)value).Span, pool)
                : new CiRecord(id, string.Empty);
            return new TopologyChange(changeOp, ci, null, version);
        }

        var (from, to) = CmdbCodec.DecodeRelationField(((ReadOnlyMemory<byte>)field).Span, pool);
        string type = value.IsNullOrEmpty ? "depends_on" : (string)value!;
        return new TopologyChange(changeOp, null, new RelationRecord(from, to, type), version);
    }

    private async Task<List<(long Version, RedisResult[] Fields)>> ReadStreamAsync(IDatabase tail, long afterVersion, TimeSpan wait, CancellationToken cancellationToken)
    {
        var args = new List<object> { "COUNT", Options.ChangeReadCount };
        if (wait > TimeSpan.Zero)
        {
            args.Add("BLOCK");
            args.Add((long)Math.Max(1, Math.Min(wait.TotalMilliseconds, MaxFeedWait.TotalMilliseconds)));
        }

        args.Add("STREAMS");
        args.Add(Keys.Changes);
        args.Add("0-" + afterVersion.ToString(CultureInfo.InvariantCulture));

        var result = await tail.ExecuteAsync("XREAD", args).WaitAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<(long, RedisResult[])>();
        if (result.IsNull || result.Length == 0)
        {
            return entries;
        }

        // RESP2: [[key, [[id, [field, value, …]], …]]]
        var stream = result[0];
        foreach (var entry in (RedisResult[])stream[1]!)
        {
            entries.Add((ParseVersion((string)entry[0]!), (RedisResult[])entry[1]!));
        }

        return entries;
    }

    private static long ParseVersion(RedisValue id)
    {
        var text = ((string?)id ?? string.Empty).AsSpan();
        int dash = text.IndexOf('-');
        return dash >= 0 && text[..dash] is "0" && long.TryParse(text[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out long v)
            ? v
            : throw new FormatException($"change stream entry id '{text}' is not 0-<version>");
    }
}
