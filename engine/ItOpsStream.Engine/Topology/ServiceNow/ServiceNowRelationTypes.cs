using System.Text;

namespace ItOpsStream.Engine.Topology.ServiceNow;

/// <summary>
/// Maps a ServiceNow <c>cmdb_rel_ci.type</c> (<c>"Parent descriptor::Child descriptor"</c>) to the
/// CONTRACTS §1 direction, where <c>from</c> depends on <c>to</c>. The table is in docs/CMDB.md.
/// </summary>
public static class ServiceNowRelationTypes
{
    // Descriptors whose subject depends on the object: a failure of the object causes symptoms on the
    // subject ("A Runs on B": B down takes A down). When the parent descriptor is one of these the
    // parent is `from`; when only the child descriptor is, the relation is reversed (child is `from`).
    private static readonly HashSet<string> SubjectDependsOnObject = new(StringComparer.OrdinalIgnoreCase)
    {
        "Depends on",
        "Runs on",
        "Hosted on",
        "Virtualized by",
        "Contains",
        "Connects to",
        "Uses",
        "Members",
        "Receives data from",
        "Provided by",
        "Gets resources from",
        "Powered by",
        "Located in",
        "Registered on",
        "Cluster of",
        "Instantiated by",
        "Use End Point To",
        "Implement End Point To",
        "Consumes",
        "Stored on",
        "Allocated from",
        "Managed by",
        "Exchanges data with",
        "IP Connection",
    };

    /// <summary>The relation of a <c>cmdb_rel_ci</c> row in CONTRACTS §1 direction.</summary>
    /// <param name="parent">The row's <c>parent</c> CI id.</param>
    /// <param name="child">The row's <c>child</c> CI id.</param>
    /// <param name="type">The row's <c>type</c>, e.g. <c>Runs on::Runs</c>; an unknown or empty type reads as parent depends on child, ServiceNow's dependency-view convention.</param>
    public static RelationRecord ToRelation(string parent, string child, string? type)
    {
        string text = type?.Trim() ?? string.Empty;
        int sep = text.IndexOf("::", StringComparison.Ordinal);
        string parentSide = (sep < 0 ? text : text[..sep]).Trim();
        string childSide = sep < 0 ? string.Empty : text[(sep + 2)..].Trim();
        if (!SubjectDependsOnObject.Contains(parentSide) && SubjectDependsOnObject.Contains(childSide))
        {
            return new RelationRecord(child, parent, Snake(childSide));
        }

        return new RelationRecord(parent, child, parentSide.Length == 0 ? "depends_on" : Snake(parentSide));
    }

    /// <summary>"Sends data to" → "sends_data_to".</summary>
    private static string Snake(string descriptor)
    {
        var sb = new StringBuilder(descriptor.Length);
        foreach (char c in descriptor)
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
            else if (sb.Length > 0 && sb[^1] != '_')
            {
                sb.Append('_');
            }
        }

        return sb.ToString().TrimEnd('_');
    }
}
