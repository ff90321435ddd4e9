namespace ItOpsStream.Models.Logs;

/// <summary>The templates of a batch of messages: one id per message, in input order, and the templates.</summary>
/// <param name="TemplateIds">Template id of each message.</param>
/// <param name="Templates">The templates by id.</param>
public sealed record BatchMiningResult(IReadOnlyList<int> TemplateIds, IReadOnlyDictionary<int, LogTemplate> Templates);

/// <summary>
/// Batch mining in two passes over the same miner: pass 1 learns (templates generalise and merge as data
/// arrives), then the miner consolidates, and pass 2 gives every message the id its cluster holds at the end. An
/// early message therefore lands in the same group as a late one of the same template, which the streaming miner
/// cannot promise.
/// </summary>
public static class LogTemplateBatch
{
    /// <summary>Mines <paramref name="messages"/> with a new miner; deterministic for the same input and options.</summary>
    public static BatchMiningResult Mine(IEnumerable<string> messages, LogMinerOptions? options = null)
    {
        var miner = new LogTemplateMiner(options);
        var ids = Assign(miner, messages);
        var templates = new Dictionary<int, LogTemplate>();
        foreach (int id in ids)
        {
            if (!templates.ContainsKey(id))
            {
                templates[id] = miner.GetTemplate(id) ?? throw new InvalidOperationException($"template {id} vanished");
            }
        }

        return new BatchMiningResult(ids, templates);
    }

    /// <summary>
    /// Mines <paramref name="messages"/> into <paramref name="miner"/> (fresh, or restored from a snapshot) and
    /// returns the final template id of each message, in order. The sequence is enumerated once, and a second time
    /// only if the cluster cap evicted templates of earlier messages (so only their ids are kept in memory, not the
    /// messages): it must be re-enumerable then, as <see cref="File.ReadLines(string)"/> is.
    /// </summary>
    public static IReadOnlyList<int> Assign(LogTemplateMiner miner, IEnumerable<string> messages)
    {
        ArgumentNullException.ThrowIfNull(miner);
        ArgumentNullException.ThrowIfNull(messages);
        var ids = new List<int>();
        foreach (var message in messages)
        {
            ids.Add(miner.Mine(message).TemplateId);
        }

        miner.Consolidate();
        if (!Resolve(miner, ids))
        {
            // Evicted under the cluster cap: place those messages again.
            int i = 0;
            foreach (var message in messages)
            {
                if (ids[i] < 0)
                {
                    ids[i] = miner.Mine(message).TemplateId;
                }

                i++;
            }

            Resolve(miner, ids);
        }

        return ids;
    }

    /// <summary>Replaces every id by its live id; false when some template was evicted (id -1).</summary>
    private static bool Resolve(LogTemplateMiner miner, List<int> ids)
    {
        bool complete = true;
        for (int i = 0; i < ids.Count; i++)
        {
            ids[i] = miner.ResolveId(ids[i]);
            complete &= ids[i] >= 0;
        }

        return complete;
    }
}
