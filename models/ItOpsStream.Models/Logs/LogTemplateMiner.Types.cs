namespace ItOpsStream.Models.Logs;

public sealed partial class LogTemplateMiner
{
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
