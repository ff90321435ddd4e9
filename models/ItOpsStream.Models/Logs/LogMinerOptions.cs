using System.Text.RegularExpressions;

namespace ItOpsStream.Models.Logs;

/// <summary>
/// Settings of <see cref="LogTemplateMiner"/>. Immutable; <see cref="Default"/> is tuned for generality
/// (no per-system rules), see docs/LOGS.md. Validated when the miner is built.
/// </summary>
public sealed record LogMinerOptions
{
    /// <summary>The defaults documented in docs/LOGS.md.</summary>
    public static LogMinerOptions Default { get; } = new();

    /// <summary>
    /// Upper bound on live clusters (one cluster = one token-count shape of a template). When a new cluster would
    /// exceed it, the least recently matched tenth of the clusters is evicted; their ids are never reused.
    /// Default 20 000.
    /// </summary>
    public int MaxClusters { get; init; } = 20_000;

    /// <summary>
    /// How many distinct word values a position must show, among messages that otherwise match a cluster, before
    /// that position becomes a variable (<c>&lt;*&gt;</c>). Lower merges more eagerly. Default 5: four values
    /// of one column are still read as four events (VM Started/Paused/Resumed/Stopped), five or more as a variable.
    /// </summary>
    public int DistinctValuesToGeneralize { get; init; } = 5;

    /// <summary>
    /// Largest fraction of a message's tokens that may differ from a cluster for the message to count as a
    /// sibling whose words feed generalisation; at least one position always may. Default 0, so only messages that
    /// differ in exactly one word count: a variable varies alone, while words that change together ("from NEW to
    /// INITED", "mapred.job.id … use mapreduce.job.id") tell templates apart.
    /// </summary>
    public double MaxSiblingDifference { get; init; } = 0;

    /// <summary>
    /// Whether a word in a message's first position may become a variable by showing
    /// <see cref="DistinctValuesToGeneralize"/> values. Off by default: the first word names the event (<c>boot (command
    /// 12)</c> / <c>halt (command 12)</c>, <c>tickTime set to 2000</c> / <c>maxClientCnxns set to 60</c>), as in
    /// Drain's parse tree, whose first level below the length is the first token. Masked values (numbers, addresses,
    /// paths) in the first position vary as usual.
    /// </summary>
    public bool GeneralizeFirstWord { get; init; }

    /// <summary>Messages are cut to this many tokens; the rest becomes one variable. Default 128.</summary>
    public int MaxTokens { get; init; } = 128;

    /// <summary>
    /// Strip a recognised log header (timestamp, host, process, level) before mining, so that raw lines and bare
    /// messages give the same templates. Only fires when the prefix looks like a header. Default true.
    /// </summary>
    public bool StripHeaders { get; init; } = true;

    /// <summary>
    /// Mask the value of every <c>key=value</c> token, even a word. Off by default: a word value is often a
    /// constant that tells two templates apart (<c>user=root</c> vs <c>user=guest</c>); numeric values are
    /// masked anyway.
    /// </summary>
    public bool MaskAllKeyValues { get; init; }

    /// <summary>
    /// Extra regular expressions; every match is replaced by <c>&lt;*&gt;</c> before tokenizing. Each one costs a
    /// scan per message, so the built-in single-pass classifier should cover the common cases.
    /// </summary>
    public IReadOnlyList<string> ExtraMasks { get; init; } = [];

    /// <summary>Upper bound on the exact-shape lookup cache (cleared when full). Default 200 000.</summary>
    public int MaxCacheEntries { get; init; } = 200_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (MaxClusters < 16)
        {
            throw new ArgumentException($"{nameof(MaxClusters)} must be at least 16, got {MaxClusters}.");
        }

        if (DistinctValuesToGeneralize < 2)
        {
            throw new ArgumentException($"{nameof(DistinctValuesToGeneralize)} must be at least 2, got {DistinctValuesToGeneralize}.");
        }

        if (MaxSiblingDifference is < 0 or >= 1 || double.IsNaN(MaxSiblingDifference))
        {
            throw new ArgumentException($"{nameof(MaxSiblingDifference)} must be in [0, 1), got {MaxSiblingDifference}.");
        }

        if (MaxTokens < 4)
        {
            throw new ArgumentException($"{nameof(MaxTokens)} must be at least 4, got {MaxTokens}.");
        }

        if (MaxCacheEntries < 1)
        {
            throw new ArgumentException($"{nameof(MaxCacheEntries)} must be positive, got {MaxCacheEntries}.");
        }

        foreach (var pattern in ExtraMasks)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"{nameof(ExtraMasks)}: invalid regular expression '{pattern}': {ex.Message}", ex);
            }
        }
    }
}
