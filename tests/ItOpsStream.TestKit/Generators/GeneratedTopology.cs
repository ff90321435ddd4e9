using ItOpsStream.Engine.Topology;

namespace ItOpsStream.TestKit.Generators;

/// <summary>A dependent of a CI: <paramref name="Ci"/> depends on the CI it was looked up for.</summary>
/// <param name="Ci">The dependent CI (the relation's <c>from</c>).</param>
/// <param name="RelationType">The relation type, <c>depends_on</c> or <c>runs_on</c>.</param>
/// <param name="Coupling">Probability that a failure below actually impairs this dependent (a hard database dependency is near 1, an optional call or one replica of three is low). Known only to the generator, never written to the topology file.</param>
public readonly record struct Dependent(string Ci, string RelationType, double Coupling);

/// <summary>
/// A generated topology: the CMDB document written to <c>topology.json</c>, plus what only the
/// generator knows (each CI's role and each relation's coupling), which drives fault propagation.
/// </summary>
public sealed class GeneratedTopology
{
    private readonly Dictionary<string, CiRole> _roles;
    private readonly Dictionary<string, List<Dependent>> _dependents;
    private readonly Dictionary<string, List<string>> _dependencies;

    internal GeneratedTopology(TopologyOptions options, TopologyDocument document, Dictionary<string, CiRole> roles, Dictionary<(string From, string To), double> coupling, string? shapeName = null)
    {
        Options = options;
        ShapeName = shapeName ?? options.Shape.ToWire();
        Document = document;
        _roles = roles;
        _dependents = new Dictionary<string, List<Dependent>>(StringComparer.Ordinal);
        _dependencies = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var r in document.Relations)
        {
            if (!_dependents.TryGetValue(r.To, out var list))
            {
                _dependents[r.To] = list = [];
            }

            list.Add(new Dependent(r.From, r.Type, coupling[(r.From, r.To)]));
            if (!_dependencies.TryGetValue(r.From, out var deps))
            {
                _dependencies[r.From] = deps = [];
            }

            deps.Add(r.To);
        }

        CiById = document.Cis.ToDictionary(c => c.Id, StringComparer.Ordinal);
    }

    public TopologyOptions Options { get; }

    /// <summary>The shape's wire name, or the reference application's name (<c>online-boutique</c>…).</summary>
    public string ShapeName { get; }

    public TopologyDocument Document { get; }

    public IReadOnlyDictionary<string, CiRecord> CiById { get; }

    public CiRole RoleOf(string ci) => _roles[ci];

    /// <summary>CIs that depend on <paramref name="ci"/> directly (its "used by" side).</summary>
    public IReadOnlyList<Dependent> DependentsOf(string ci) => _dependents.TryGetValue(ci, out var list) ? list : [];

    /// <summary>CIs <paramref name="ci"/> depends on directly.</summary>
    public IReadOnlyList<string> DependenciesOf(string ci) => _dependencies.TryGetValue(ci, out var list) ? list : [];

    /// <summary>All CI ids with the given role, in document order.</summary>
    public IReadOnlyList<string> WithRole(CiRole role) => Document.Cis.Where(c => _roles[c.Id] == role).Select(c => c.Id).ToList();

    /// <summary>Shared platform CIs: DNS, ingress, storage, network, load balancers, and datastores used by more than one service.</summary>
    public IReadOnlyList<string> SharedPlatformCis() => Document.Cis
        .Where(c => _roles[c.Id] is CiRole.Dns or CiRole.Ingress or CiRole.Storage or CiRole.Network or CiRole.LoadBalancer
            || (_roles[c.Id] is CiRole.Database or CiRole.Cache or CiRole.Queue && DependentsOf(c.Id).Count > 1))
        .Select(c => c.Id)
        .ToList();
}
