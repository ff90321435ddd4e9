namespace ItOpsStream.Models.Logs;

/// <summary>The templates of a batch of messages: one id per message, in input order, and the templates.</summary>
/// <param name="TemplateIds">Template id of each message.</param>
/// <param name="Templates">The templates by id.</param>
public sealed record BatchMiningResult(IReadOnlyList<int> TemplateIds, IReadOnlyDictionary<int, LogTemplate> Templates);

/// <summary>
/// Batch mining in two passes over the same miner: pass 1 learns (templates generalise and merge as data
/// arrives), pass 2 gives every message the id its cluster holds at the end. An early message therefore lands in
/// the same group as a late one of the same template, which the streaming miner cannot promise.
/// </summary>
public static class LogTemplateBatch
{
    /// <summary>
    /// Mines <paramref name="messages"/>; deterministic for the same input and options. The sequence is enumerated
    /// once, and a second time only if the cluster cap evicted templates of earlier messages (so only their ids
    /// are kept in memory, not the messages).
    /// </summary>
    public static BatchMiningResult Mine(IEnumerable<string> messages, LogMinerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var miner = new LogTemplateMiner(options);
        var ids = new List<int>();
        foreach (var message in messages)
        {
            ids.Add(miner.Mine(message).TemplateId);
        }

        miner.Consolidate();
        bool evicted = false;
        for (int i = 0; i < ids.Count; i++)
        {
            ids[i] = miner.ResolveId(ids[i]);
            evicted |= ids[i] < 0;
        }

        if (evicted)
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

            for (i = 0; i < ids.Count; i++)
            {
                ids[i] = miner.ResolveId(ids[i]);
            }
        }

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
}
