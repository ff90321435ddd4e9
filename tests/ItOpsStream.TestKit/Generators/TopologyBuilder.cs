using ItOpsStream.Engine.Topology;

namespace ItOpsStream.TestKit.Generators;

/// <summary>Accumulates CIs and relations while a shape is generated; ignores self-loops and duplicate edges.</summary>
internal sealed class TopologyBuilder(Random random)
{
    private readonly List<CiRecord> _cis = [];
    private readonly Dictionary<string, CiRole> _roles = new(StringComparer.Ordinal);
    private readonly List<RelationRecord> _relations = [];
    private readonly Dictionary<(string From, string To), double> _coupling = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _displayNames = new(StringComparer.Ordinal);

    public Random Random { get; } = random;

    public IReadOnlyList<CiRecord> Cis => _cis;

    public IReadOnlyList<RelationRecord> Relations => _relations;

    public bool Contains(string id) => _roles.ContainsKey(id);

    public CiRole RoleOf(string id) => _roles[id];

    public string NameOf(string id) => _displayNames[id];

    public bool HasEdge(string from, string to) => _coupling.ContainsKey((from, to));

    public string Add(string id, string @class, CiRole role, string? name = null, Criticality criticality = Criticality.Medium, string? owner = null, IReadOnlyDictionary<string, string>? attributes = null)
    {
        if (!_roles.TryAdd(id, role))
        {
            throw new InvalidOperationException($"duplicate CI id {id}");
        }

        name ??= id[(id.IndexOf(':', StringComparison.Ordinal) + 1)..];
        _displayNames[id] = name;
        // Names taken explicitly (chain hops, edge services) must not come out of UniqueName later.
        _names.Add(name);
        _cis.Add(new CiRecord(id, @class, name, criticality, owner, attributes));
        return id;
    }

    public void Relate(string from, string to, string type, double coupling)
    {
        if (string.Equals(from, to, StringComparison.Ordinal) || !_coupling.TryAdd((from, to), coupling))
        {
            return;
        }

        _relations.Add(new RelationRecord(from, to, type));
    }

    /// <summary>A unique, realistic service name: from the pool first, then numbered variants.</summary>
    public string UniqueName(IReadOnlyList<string> pool)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            string candidate = pool[Random.Next(pool.Count)];
            if (_names.Add(candidate))
            {
                return candidate;
            }
        }

        for (int n = 2; ; n++)
        {
            string candidate = $"{pool[Random.Next(pool.Count)]}-{n}";
            if (_names.Add(candidate))
            {
                return candidate;
            }
        }
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    public bool Chance(double p) => Random.NextDouble() < p;

    public int Between(int minInclusive, int maxInclusive) => Random.Next(minInclusive, maxInclusive + 1);

    public GeneratedTopology Build(TopologyOptions options, string? shapeName = null) =>
        new(options, new TopologyDocument(_cis.ToArray(), _relations.ToArray()), _roles, _coupling, shapeName);
}
