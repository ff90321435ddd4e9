using System.Buffers;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using StackExchange.Redis;

namespace ItOpsStream.Connectors.Redis;

/// <summary>The keys of one CMDB under a prefix (docs/CMDB.md, "Data model").</summary>
/// <remarks>
/// CIs and relations are spread over <see cref="Buckets"/> hashes each, by XxHash3 of the CI id (of
/// <c>from</c> for a relation). A full load is then one pipelined HGETALL per bucket: cheaper per
/// entry than HSCAN, each call blocks Redis only for its bucket, and several run while the client
/// decodes the previous ones.
/// </remarks>
internal sealed class CmdbKeys
{
    /// <summary>Hashes per kind. Fixed: every reader and writer of a CMDB must agree on it.</summary>
    public const int Buckets = 256;

    private static readonly string[] BucketNames = [.. Enumerable.Range(0, Buckets).Select(b => b.ToString("D3", CultureInfo.InvariantCulture))];

    public CmdbKeys(string prefix)
    {
        Prefix = prefix;
        CisPrefix = prefix + "cis:";
        RelationsPrefix = prefix + "rels:";
        Version = prefix + "version";
        Changes = prefix + "changes";
        Generation = prefix + "gen";
        IndexPrefix = prefix + "idx:";
        StagingPrefix = prefix + "staging:";
        Cis = [.. BucketNames.Select(b => (RedisKey)(CisPrefix + b))];
        Relations = [.. BucketNames.Select(b => (RedisKey)(RelationsPrefix + b))];
        CisStaging = [.. BucketNames.Select(b => (RedisKey)(StagingPrefix + "cis:" + b))];
        RelationsStaging = [.. BucketNames.Select(b => (RedisKey)(StagingPrefix + "rels:" + b))];
    }

    public string Prefix { get; }

    /// <summary><c>{prefix}cis:</c>; bucket <c>NNN</c> is the hash <c>{prefix}cis:NNN</c>: CI id → CI JSON without the id.</summary>
    public string CisPrefix { get; }

    /// <summary><c>{prefix}rels:</c>; bucket <c>NNN</c> is the hash <c>{prefix}rels:NNN</c>: <c>from␟to</c> → type.</summary>
    public string RelationsPrefix { get; }

    public RedisKey[] Cis { get; }

    public RedisKey[] Relations { get; }

    /// <summary>Staging hashes of a replacing import, renamed over the live ones at commit.</summary>
    public RedisKey[] CisStaging { get; }

    public RedisKey[] RelationsStaging { get; }

    public string StagingPrefix { get; }

    /// <summary>String counter: the version of the last change.</summary>
    public RedisKey Version { get; }

    /// <summary>Stream of changes; entry id <c>0-{version}</c>.</summary>
    public RedisKey Changes { get; }

    /// <summary>String counter: the generation of the per-CI relation index, bumped by a replacing import.</summary>
    public RedisKey Generation { get; }

    /// <summary>Prefix of the per-CI relation index sets: <c>{prefix}idx:{generation}:{ci id}</c>, members <c>&gt;to</c> and <c>&lt;NNNfrom</c> (NNN the bucket of from).</summary>
    public string IndexPrefix { get; }

    public static string BucketName(int bucket) => BucketNames[bucket];

    /// <summary>The bucket of a CI id (and of the relations it is the <c>from</c> of).</summary>
    public static int BucketOf(string id)
    {
        int max = Encoding.UTF8.GetMaxByteCount(id.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int n = Encoding.UTF8.GetBytes(id, buffer);
            return (int)(XxHash3.HashToUInt64(buffer[..n]) % Buckets);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public RedisKey Index(long generation, string ciId) => $"{IndexPrefix}{generation}:{ciId}";
}
