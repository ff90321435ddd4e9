using System.Text;

namespace ItOpsStream.Models.Logs;

// The slow path: placing a new shape among the clusters of its length, generalising, merging, evicting.
public sealed partial class LogTemplateMiner
{
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

    /// <summary>The <c>key=&lt;*&gt;</c> token when <paramref name="own"/> and every value share a key, else null.</summary>
    private int? KeyWildcardOf(int own, IEnumerable<int> values)
    {
        int key = _keyOf[own];
        if (key == 0 || values.Any(v => _keyOf[v] != key))
        {
            return null;
        }

        var text = _wordTexts[own];
        return Intern(string.Concat(text.AsSpan(0, text.AsSpan().IndexOfAny('=', ':') + 1), "<*>"));
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

            if (i == 0 && !_options.GeneralizeFirstWord)
            {
                continue;
            }

            var values = cluster.ValuesAt(i);
            values.Add(ids[i]);
            if (values.Count >= _options.DistinctValuesToGeneralize)
            {
                // user=root, user=guest, … : the value varies, the key stays (user=<*>), so a template with the pair
                // and one without it stay apart.
                cluster.Tokens[i] = KeyWildcardOf(own, values) ?? Wildcard;
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
}
