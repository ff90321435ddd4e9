namespace ItOpsStream.Engine.Topology;

/// <summary>Business criticality of a CI (CONTRACTS §1); <see cref="Medium"/> when absent.</summary>
public enum Criticality : byte
{
    Low = 0,
    Medium = 1,
    High = 2,
    Critical = 3,
}

/// <summary>A configuration item as in the topology file (CONTRACTS §1).</summary>
public sealed record CiRecord(
    string Id,
    string Class,
    string? Name = null,
    Criticality Criticality = Criticality.Medium,
    string? Owner = null,
    IReadOnlyDictionary<string, string>? Attributes = null)
{
    /// <summary>The class that marks what impact and priority are computed for.</summary>
    public const string BusinessServiceClass = "business_service";

    public bool IsBusinessService => string.Equals(Class, BusinessServiceClass, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// A relation: <see cref="From"/> depends on <see cref="To"/> whatever the <see cref="Type"/>, so a
/// failure of <c>To</c> can cause symptoms on <c>From</c> (CONTRACTS §1).
/// </summary>
public sealed record RelationRecord(string From, string To, string Type = "depends_on");

/// <summary>A whole topology: the content of a topology file or of a CMDB snapshot.</summary>
public sealed record TopologyDocument(IReadOnlyList<CiRecord> Cis, IReadOnlyList<RelationRecord> Relations)
{
    public static TopologyDocument Empty { get; } = new([], []);

    /// <summary>
    /// One line per problem the loader tolerated (<c>file:line:column: what</c>), such as a relation
    /// naming a CI the document does not declare. Empty when the document is clean.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
