using StackExchange.Redis;

namespace ItOpsStream.Connectors.Redis;

/// <summary>The keys of one CMDB under a prefix (docs/CMDB.md, "Data model").</summary>
internal sealed class CmdbKeys(string prefix)
{
    /// <summary>Hash: CI id → CI JSON without the id.</summary>
    public RedisKey Cis { get; } = prefix + "cis";

    /// <summary>Hash: <c>from␟to</c> → relation type.</summary>
    public RedisKey Relations { get; } = prefix + "rels";

    /// <summary>String counter: the version of the last change.</summary>
    public RedisKey Version { get; } = prefix + "version";

    /// <summary>Stream of changes; entry id <c>0-{version}</c>.</summary>
    public RedisKey Changes { get; } = prefix + "changes";

    /// <summary>String counter: the generation of the per-CI relation index, bumped by a replacing import.</summary>
    public RedisKey Generation { get; } = prefix + "gen";

    /// <summary>Prefix of the per-CI relation index sets: <c>{prefix}idx:{generation}:{ci id}</c>, members <c>&gt;to</c> and <c>&lt;from</c>.</summary>
    public string IndexPrefix { get; } = prefix + "idx:";

    public RedisKey Index(long generation, string ciId) => $"{IndexPrefix}{generation}:{ciId}";

    /// <summary>Staging hashes of a replacing import, renamed over the live ones at commit.</summary>
    public RedisKey CisStaging { get; } = prefix + "cis:staging";

    public RedisKey RelationsStaging { get; } = prefix + "rels:staging";

    public string Prefix { get; } = prefix;
}
