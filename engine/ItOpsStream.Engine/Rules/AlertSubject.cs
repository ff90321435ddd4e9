using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Rules;

/// <summary>
/// The names a matcher can test on an alert, in lookup order:
/// alert fields <c>check</c>, <c>severity</c>, <c>status</c>, <c>source</c>, <c>ci</c>, <c>fingerprint</c>,
/// <c>message</c>; the alert's CI in the topology <c>ci_class</c>, <c>ci_name</c>, <c>ci_owner</c>,
/// <c>ci_criticality</c>, and its attributes as <c>ci_attr_KEY</c> or <c>ci.attributes.KEY</c>; any
/// other name is a label. Absent values read as the empty string (Alertmanager semantics).
/// </summary>
internal readonly struct AlertSubject(AlertSnapshot alert, CiRecord? ci) : IMatchSubject
{
    /// <summary>The names that are not labels.</summary>
    public static readonly string[] FieldNames = ["check", "severity", "status", "source", "ci", "fingerprint", "message", "ci_class", "ci_name", "ci_owner", "ci_criticality"];

    public AlertSnapshot Alert => alert;

    public CiRecord? Ci => ci;

    public static AlertSubject Of(in AlertSnapshot alert, TopologyGraph graph) =>
        new(alert, alert.Ci is { } id && graph.TryGetNode(id, out int node) ? graph.GetCi(node) : null);

    public string? Get(string name) => name switch
    {
        "check" => alert.Check,
        "severity" => IncidentJson.SeverityName(alert.Severity),
        "status" => alert.Flapping ? "firing" : alert.Status == AlertStatus.Firing ? "firing" : "resolved",
        "source" => alert.Source,
        "ci" => alert.Ci,
        "fingerprint" => alert.Fingerprint,
        "message" => alert.Message,
        _ => CiValue(ci, name) ?? (IsCiName(name) ? null : alert.Labels.TryGetValue(name, out var label) ? label : null),
    };

    /// <summary>True for names that read the topology rather than labels.</summary>
    public static bool IsCiName(string name) =>
        name is "ci_class" or "ci_name" or "ci_owner" or "ci_criticality" || AttributeKey(name) is not null;

    /// <summary>A CI's value for <c>ci_class</c>, <c>ci_name</c>, <c>ci_owner</c>, <c>ci_criticality</c>, <c>ci_attr_KEY</c>, <c>ci.attributes.KEY</c>.</summary>
    public static string? CiValue(CiRecord? ci, string name)
    {
        if (ci is null)
        {
            return null;
        }

        return name switch
        {
            "ci_class" => ci.Class,
            "ci_name" => ci.Name,
            "ci_owner" => ci.Owner,
            "ci_criticality" => ci.Criticality.ToString().ToLowerInvariant(),
            _ => AttributeKey(name) is { } key && ci.Attributes is { } attributes && attributes.TryGetValue(key, out var value) ? value : null,
        };
    }

    private static string? AttributeKey(string name) =>
        name.StartsWith("ci_attr_", StringComparison.Ordinal) ? name["ci_attr_".Length..]
        : name.StartsWith("ci.attributes.", StringComparison.Ordinal) ? name["ci.attributes.".Length..]
        : null;
}

/// <summary>
/// The names a remediation rule's <c>incident</c> matcher can test: <c>priority</c>, <c>action</c>,
/// <c>impacted_service</c> (any of them matches), <c>root_cause</c> (top candidate's CI),
/// <c>root_cause_class</c>, <c>assignment_group</c>, <c>incident_id</c>.
/// </summary>
internal readonly struct IncidentSubject(IncidentRecord incident, TopologyGraph graph, string? service) : IMatchSubject
{
    public static readonly string[] FieldNames = ["priority", "action", "impacted_service", "root_cause", "root_cause_class", "assignment_group", "incident_id"];

    public IncidentSubject WithService(string? impacted) => new(incident, graph, impacted);

    public string? Get(string name) => name switch
    {
        "priority" => incident.Priority,
        "action" => IncidentJson.ActionName(incident.Action),
        "impacted_service" => service,
        "root_cause" => incident.CmdbCi,
        "root_cause_class" => incident.CmdbCi is { } id && graph.TryGetNode(id, out int node) ? graph.GetCi(node).Class : null,
        "assignment_group" => incident.AssignmentGroup,
        "incident_id" => incident.IncidentId,
        _ => null,
    };
}
