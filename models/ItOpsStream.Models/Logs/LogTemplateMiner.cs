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

    private (Cluster Cluster, bool IsNewTemplate) Place(int[] ids)
    {
        if (!_byLength.TryGetValue(ids.Length, out var bucket))
        {
            bucket = [];
            _byLength[ids.Length] = bucket;
        }

        Cluster? best = null;
        int bestDiff = int.MaxValue;
        foreach (var cluster in bucket)
        {
            int diff = Difference(cluster, ids, bestDiff);
            if (diff < bestDiff || (diff == bestDiff && best is not null && cluster.Count > best.Count))
            {
                best = cluster;
                bestDiff = diff;
            }
        }

        if (best is not null && bestDiff == 0)
        {
            return (best, false);
        }

        if (best is not null)
        {
            // Every sibling records the words in which the message differs from it, so a variable word column
            // generalises in whichever cluster holds its template, not only in the closest one.
            Cluster? matched = null;
            foreach (var sibling in bucket.ToArray())
            {
                if (sibling.ForwardTo is null && IsSibling(sibling, ids, Difference(sibling, ids, int.MaxValue)) && Generalize(sibling, ids, bucket))
                {
                    matched ??= sibling;
                }
            }

            if (matched is not null)
            {
                return (matched.Resolve()!, false);
            }
        }

        return CreateCluster(ids, bucket);
    }

    /// <summary>True when a cluster token accepts a message token.</summary>
    private bool Accepts(int own, int token) =>
        own <= Masked || own == token || (_isKeyWildcard[own] && _keyOf[token] == _keyOf[own]);

    private bool IsSibling(Cluster cluster, int[] ids, int diff)
    {
        int maxDiff = Math.Max(1, (int)(ids.Length * _options.MaxSiblingDifference));
        if (diff == 0 || diff > maxDiff)
        {
            return false;
        }

        int matches = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            if (cluster.Tokens[i] > Masked && Accepts(cluster.Tokens[i], ids[i]))
            {
                matches++;
            }
        }

        return matches >= Math.Max(1, diff);
    }

    /// <summary>
    /// Records the differing words of a sibling message; positions that reached the distinct-value threshold
    /// become variables, and the clusters of the bucket that now fit absorb into this one. True when the message
    /// now matches <paramref name="cluster"/>.
    /// </summary>
    private bool Generalize(Cluster cluster, int[] ids, List<Cluster> bucket)
    {
        bool changed = false;
        for (int i = 0; i < ids.Length; i++)
        {
            int own = cluster.Tokens[i];
            if (Accepts(own, ids[i]))
            {
                continue;
            }

            if (_isKeyWildcard[ids[i]] && _keyOf[own] == _keyOf[ids[i]])
            {
                // "key=word" meets "key=<digits>": the value varies, the key stays.
                cluster.Tokens[i] = ids[i];
                cluster.Candidates?.Remove(i);
                changed = true;
                continue;
            }

            var values = cluster.ValuesAt(i);
            values.Add(ids[i]);
            if (values.Count >= _options.DistinctValuesToGeneralize)
            {
                cluster.Tokens[i] = Wildcard;
                cluster.Candidates!.Remove(i);
                changed = true;
            }
        }

        if (!changed)
        {
            return false;
        }

        cluster.Template.InvalidateText();
        for (int i = bucket.Count - 1; i >= 0; i--)
        {
            var other = bucket[i];
            if (!ReferenceEquals(other, cluster) && Covers(cluster, other.Tokens))
            {
                bucket.RemoveAt(i);
                Absorb(cluster, other);
            }
        }

        JoinBySkeleton(cluster);
        return Difference(cluster, ids, 1) == 0;
    }

    private void Absorb(Cluster survivor, Cluster absorbed)
    {
        survivor.Count += absorbed.Count;
        survivor.LastSeen = Math.Max(survivor.LastSeen, absorbed.LastSeen);
        absorbed.ForwardTo = survivor;
        _liveClusters--;
        var from = absorbed.Template;
        from.Clusters.Remove(absorbed);
        from.Count -= absorbed.Count;
        survivor.Template.Count += absorbed.Count;
        if (!ReferenceEquals(from, survivor.Template))
        {
            Union(survivor.Template, from);
        }
    }

    /// <summary>Merges two templates; the older id survives and the other becomes its alias.</summary>
    private void Union(Template a, Template b)
    {
        if (ReferenceEquals(a, b))
        {
            return;
        }

        var (survivor, retired) = a.Id < b.Id ? (a, b) : (b, a);
        foreach (var cluster in retired.Clusters)
        {
            cluster.Template = survivor;
            survivor.Clusters.Add(cluster);
        }

        survivor.Count += retired.Count;
        survivor.InvalidateText();
        retired.Clusters.Clear();
        _templates.Remove(retired.Id);
        _aliases[retired.Id] = survivor.Id;
        foreach (var (skeleton, template) in _bySkeleton.Where(p => ReferenceEquals(p.Value, retired)).ToList())
        {
            _bySkeleton[skeleton] = survivor;
        }
    }

    private void JoinBySkeleton(Cluster cluster)
    {
        string? skeleton = Skeleton(cluster.Tokens);
        if (skeleton is null)
        {
            return;
        }

        if (_bySkeleton.TryGetValue(skeleton, out var existing) && _templates.ContainsKey(existing.Id))
        {
            Union(existing, cluster.Template);
        }
        else
        {
            _bySkeleton[skeleton] = cluster.Template;
        }
    }

    /// <summary>The constant words in order; null when there are none (nothing to join on).</summary>
    private static string? Skeleton(int[] tokens)
    {
        var builder = new StringBuilder();
        foreach (int id in tokens)
        {
            if (id > Masked)
            {
                builder.Append(id).Append(',');
            }
        }

        return builder.Length == 0 ? null : builder.ToString();
    }

    private (Cluster Cluster, bool IsNewTemplate) CreateCluster(int[] ids, List<Cluster> bucket)
    {
        if (_liveClusters >= _options.MaxClusters)
        {
            Evict();
        }

        var cluster = new Cluster(_nextClusterId++, ids);
        bucket.Add(cluster);
        _liveClusters++;
        string? skeleton = Skeleton(ids);
        if (skeleton is not null && _bySkeleton.TryGetValue(skeleton, out var existing) && _templates.ContainsKey(existing.Id))
        {
            cluster.Template = existing;
            existing.Clusters.Add(cluster);
            existing.InvalidateText();
            return (cluster, false);
        }

        var template = new Template(_nextTemplateId++);
        _templates[template.Id] = template;
        cluster.Template = template;
        template.Clusters.Add(cluster);
        if (skeleton is not null)
        {
            _bySkeleton[skeleton] = template;
        }

        return (cluster, true);
    }

    /// <summary>Drops the least recently matched tenth of the clusters; templates left without clusters go too.</summary>
    private void Evict()
    {
        var all = _byLength.Values.SelectMany(b => b).OrderBy(c => c.LastSeen).ThenBy(c => c.Id).ToList();
        int drop = Math.Max(1, all.Count / 10);
        var dropped = new HashSet<Cluster>(all.Take(drop));
        foreach (var bucket in _byLength.Values)
        {
            bucket.RemoveAll(dropped.Contains);
        }

        foreach (var cluster in dropped)
        {
            cluster.Evicted = true;
            var template = cluster.Template;
            template.Clusters.Remove(cluster);
            template.Count -= cluster.Count;
            template.InvalidateText();
            if (template.Clusters.Count == 0)
            {
                _templates.Remove(template.Id);
            }
        }

        _liveClusters -= dropped.Count;
        _cache.Clear();
        foreach (var (skeleton, template) in _bySkeleton.ToList())
        {
            if (!_templates.ContainsKey(template.Id))
            {
                _bySkeleton.Remove(skeleton);
            }
        }

        foreach (var (alias, _) in _aliases.ToList())
        {
            if (ResolveId(alias) < 0)
            {
                _aliases.Remove(alias);
            }
        }
    }

    /// <summary>Constant positions of <paramref name="cluster"/> that reject <paramref name="ids"/>; stops counting past <paramref name="limit"/>.</summary>
    private int Difference(Cluster cluster, int[] ids, int limit)
    {
        int diff = 0;
        var tokens = cluster.Tokens;
        bool allVariable = !HasWord(tokens);
        for (int i = 0; i < ids.Length; i++)
        {
            bool accepted = allVariable ? ids[i] <= Masked : Accepts(tokens[i], ids[i]);
            if (!accepted && ++diff > limit)
            {
                return diff;
            }
        }

        return diff;
    }

    private bool Covers(Cluster general, int[] other) => Difference(general, other, 0) == 0;

    private static bool HasWord(int[] tokens)
    {
        foreach (int id in tokens)
        {
            if (id > Masked)
            {
                return true;
            }
        }

        return false;
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

    /// <summary>One token-count shape of a template: constant word ids, 0 for a variable position.</summary>
    private sealed class Cluster(int id, int[] tokens)
    {
        public int Id { get; } = id;

        public int[] Tokens { get; } = tokens;

        public Template Template { get; set; } = null!;

        public long Count { get; set; }

        public long LastSeen { get; set; }

        public Cluster? ForwardTo { get; set; }

        public bool Evicted { get; set; }

        /// <summary>Word values seen at a position among siblings, until it generalises.</summary>
        public Dictionary<int, HashSet<int>>? Candidates { get; set; }

        public Cluster? Resolve()
        {
            var cluster = this;
            while (cluster.ForwardTo is not null)
            {
                cluster = cluster.ForwardTo;
            }

            return cluster.Evicted ? null : cluster;
        }

        public void Touch(long sequence)
        {
            Count++;
            Template.Count++;
            LastSeen = sequence;
        }

        public HashSet<int> ValuesAt(int position)
        {
            Candidates ??= [];
            if (!Candidates.TryGetValue(position, out var values))
            {
                values = [Tokens[position]];
                Candidates[position] = values;
            }

            return values;
        }

    }

    /// <summary>A template: one id over one or more clusters; the oldest cluster gives its text.</summary>
    private sealed class Template(int id)
    {
        private string? _text;

        public int Id { get; } = id;

        public List<Cluster> Clusters { get; } = [];

        public long Count { get; set; }

        public void InvalidateText() => _text = null;

        public LogTemplate ToPublic(LogTemplateMiner miner)
        {
            _text ??= miner.Render(Clusters.MinBy(c => c.Id)!.Tokens);
            return new LogTemplate(Id, _text, Count);
        }
    }
}
