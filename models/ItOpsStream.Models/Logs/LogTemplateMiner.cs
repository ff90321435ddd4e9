using System.Text;
using System.Text.RegularExpressions;

namespace ItOpsStream.Models.Logs;

/// <summary>
/// Online log template miner with bounded memory. Each message is tokenized and classified in one pass
/// (<see cref="LogTokenizer"/>); its masked shape is looked up in an exact-shape cache (the hot path: no
/// allocation). A new shape is compared with the clusters of the same token count: equal on every constant
/// position means a match; a sibling that differs in a few word positions records those words, and once a
/// position has shown <see cref="LogMinerOptions.DistinctValuesToGeneralize"/> distinct values it becomes a
/// variable and the siblings merge into the oldest cluster (its id is kept, the others become aliases).
/// Clusters of different lengths whose constant words are the same (a variable that spans several tokens) share
/// one template. See docs/LOGS.md.
/// </summary>
/// <remarks>Not thread-safe: one miner per single-writer shard.</remarks>
public sealed partial class LogTemplateMiner
{
    // A generalised position: accepts any token.
    private const int Wildcard = 0;

    // A position that only ever held masked variables (numbers, addresses...). It accepts words too (a host is
    // "10.0.0.1" or "localhost"), except in a cluster with no constant word at all, so that "jetty-6.1.26" and
    // "nodeBlacklistingEnabled:true" stay apart.
    private const int Masked = 1;

    private readonly LogMinerOptions _options;
    private readonly Regex[] _extraMasks;
    private readonly LogToken[] _tokens;
    private char[] _keyBuffer = new char[512];

    private readonly Dictionary<string, Cluster> _cache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Cluster>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;
    private readonly Dictionary<string, int> _words = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _wordLookup;
    private readonly List<string> _wordTexts = ["<*>", "<*>"];

    // Per word id: the id of its "key=" prefix (0 when it is not key=value) and whether it is "key=<*>", so that
    // a cluster holding "pod=<*>" matches "pod=web" as well as "pod=web-7".
    private readonly List<int> _keyOf = [0, 0];
    private readonly List<bool> _isKeyWildcard = [false, false];
    private readonly Dictionary<string, int> _keys = new(StringComparer.Ordinal);

    private readonly Dictionary<int, List<Cluster>> _byLength = [];
    private readonly Dictionary<int, Template> _templates = [];
    private readonly Dictionary<int, int> _aliases = [];
    private readonly Dictionary<string, Template> _bySkeleton = new(StringComparer.Ordinal);

    private int _nextTemplateId = 1;
    private int _nextClusterId = 1;
    private int _liveClusters;
    private long _sequence;

    /// <summary>Creates an empty miner.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public LogTemplateMiner(LogMinerOptions? options = null)
    {
        _options = options ?? LogMinerOptions.Default;
        _options.Validate();
        _extraMasks = [.. _options.ExtraMasks.Select(p => new Regex(p, RegexOptions.CultureInvariant | RegexOptions.Compiled))];
        _tokens = new LogToken[_options.MaxTokens];
        _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        _wordLookup = _words.GetAlternateLookup<ReadOnlySpan<char>>();
        _words["<*>"] = Masked;
    }

    /// <summary>The settings.</summary>
    public LogMinerOptions Options => _options;

    /// <summary>Live templates.</summary>
    public int TemplateCount => _templates.Count;

    /// <summary>Live clusters (token-count shapes of templates); bounded by <see cref="LogMinerOptions.MaxClusters"/>.</summary>
    public int ClusterCount => _liveClusters;

    /// <summary>Mines one message and returns the template it belongs to now.</summary>
    public TemplateMatch Mine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Mine(message.AsSpan());
    }

    /// <summary>Mines one message and returns the template it belongs to now.</summary>
    public TemplateMatch Mine(ReadOnlySpan<char> message)
    {
        if (_extraMasks.Length > 0)
        {
            string masked = message.ToString();
            foreach (var regex in _extraMasks)
            {
                masked = regex.Replace(masked, "<*>");
            }

            return MineMasked(masked);
        }

        return MineMasked(message);
    }

    /// <summary>
    /// The live id that <paramref name="templateId"/> stands for now (merged templates forward to the survivor),
    /// or -1 when the template was evicted or never existed.
    /// </summary>
    public int ResolveId(int templateId)
    {
        int id = templateId;
        for (int hops = 0; hops < 64 && _aliases.TryGetValue(id, out int next); hops++)
        {
            id = next;
        }

        return _templates.ContainsKey(id) ? id : -1;
    }

    /// <summary>The template behind <paramref name="templateId"/> (aliases resolved), or null.</summary>
    public LogTemplate? GetTemplate(int templateId)
    {
        int id = ResolveId(templateId);
        return id < 0 ? null : _templates[id].ToPublic(this);
    }

    /// <summary>All live templates, by id.</summary>
    public IReadOnlyList<LogTemplate> Templates() =>
        [.. _templates.Values.OrderBy(t => t.Id).Select(t => t.ToPublic(this))];

    /// <summary>
    /// Merges every cluster into a more general cluster of the same length that covers it (generalisation is
    /// incremental, so a specific cluster can outlive the moment its general sibling appeared). Ids of merged
    /// templates become aliases. Batch mining calls it between its passes; a streaming host may call it from time
    /// to time (it costs a pass over the clusters of each length).
    /// </summary>
    public void Consolidate()
    {
        foreach (var bucket in _byLength.Values)
        {
            var byGenerality = bucket.OrderByDescending(c => c.Tokens.Count(t => t == Wildcard)).ThenBy(c => c.Id).ToList();
            foreach (var general in byGenerality)
            {
                if (general.ForwardTo is not null)
                {
                    continue;
                }

                for (int i = bucket.Count - 1; i >= 0; i--)
                {
                    var other = bucket[i];
                    if (!ReferenceEquals(other, general) && Covers(general, other.Tokens))
                    {
                        bucket.RemoveAt(i);
                        Absorb(general, other);
                    }
                }
            }
        }
    }

    private TemplateMatch MineMasked(ReadOnlySpan<char> message)
    {
        _sequence++;
        int count = LogTokenizer.Tokenize(message, _tokens, _options.MaskAllKeyValues);
        var tokens = _tokens.AsSpan(0, count);
        if (_options.StripHeaders)
        {
            tokens = tokens[LogTokenizer.HeaderLength(message, tokens)..];
        }

        var key = BuildKey(message, tokens);
        if (_cacheLookup.TryGetValue(key, out var cached))
        {
            var live = cached.Resolve();
            if (live is not null)
            {
                live.Touch(_sequence);
                return new TemplateMatch(live.Template.Id, false);
            }
        }

        return MineNewShape(message, tokens, key);
    }

    private ReadOnlySpan<char> BuildKey(ReadOnlySpan<char> message, ReadOnlySpan<LogToken> tokens)
    {
        int needed = 0;
        foreach (var token in tokens)
        {
            needed += (token.Kind == TokenKind.Word ? token.Length : token.KeyLength + 3) + 1;
        }

        if (needed > _keyBuffer.Length)
        {
            _keyBuffer = new char[Math.Max(needed, _keyBuffer.Length * 2)];
        }

        var buffer = _keyBuffer.AsSpan();
        int at = 0;
        foreach (var token in tokens)
        {
            if (at > 0)
            {
                buffer[at++] = ' ';
            }

            at += WriteToken(message, token, buffer[at..]);
        }

        return buffer[..at];
    }

    private static int WriteToken(ReadOnlySpan<char> message, LogToken token, Span<char> destination)
    {
        switch (token.Kind)
        {
            case TokenKind.Word:
                message.Slice(token.Start, token.Length).CopyTo(destination);
                return token.Length;
            case TokenKind.KeyVariable:
                message.Slice(token.Start, token.KeyLength).CopyTo(destination);
                "<*>".CopyTo(destination[token.KeyLength..]);
                return token.KeyLength + 3;
            default:
                "<*>".CopyTo(destination);
                return 3;
        }
    }

    private TemplateMatch MineNewShape(ReadOnlySpan<char> message, ReadOnlySpan<LogToken> tokens, ReadOnlySpan<char> key)
    {
        var ids = new int[tokens.Length];
        Span<char> scratch = stackalloc char[256];
        for (int i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (token.Kind == TokenKind.Variable)
            {
                ids[i] = Masked;
                continue;
            }

            int length = token.Kind == TokenKind.Word ? token.Length : token.KeyLength + 3;
            var text = length <= scratch.Length ? scratch[..length] : new char[length];
            WriteToken(message, token, text);
            ids[i] = Intern(text);
        }

        var (cluster, isNew) = Place(ids);
        cluster.Touch(_sequence);
        if (_cache.Count >= _options.MaxCacheEntries)
        {
            _cache.Clear();
        }

        _cacheLookup[key] = cluster;
        return new TemplateMatch(cluster.Template.Id, isNew);
    }

    private int Intern(ReadOnlySpan<char> text)
    {
        if (_wordLookup.TryGetValue(text, out int id))
        {
            return id;
        }

        id = _wordTexts.Count;
        string s = text.ToString();
        _wordTexts.Add(s);
        _words[s] = id;
        int equals = s.AsSpan().IndexOfAny('=', ':');
        int key = 0;
        if (equals > 0)
        {
            string prefix = s[..(equals + 1)];
            if (!_keys.TryGetValue(prefix, out key))
            {
                key = _keys.Count + 1;
                _keys[prefix] = key;
            }
        }

        _keyOf.Add(key);
        _isKeyWildcard.Add(key != 0 && s.EndsWith("<*>", StringComparison.Ordinal));
        return id;
    }

    private string Render(int[] tokens)
    {
        var builder = new StringBuilder();
        foreach (int id in tokens)
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(_wordTexts[id]);
        }

        return builder.ToString();
    }
}
