namespace ItOpsStream.Connectors.Kafka.Formats;

/// <summary>Maps an OpenTelemetry resource attribute to a CI id: <c>Prefix + value</c>.</summary>
/// <param name="Attribute">Resource attribute key, e.g. <c>service.name</c>.</param>
/// <param name="Prefix">Prepended to the value, e.g. <c>svc:</c> when the CMDB ids are <c>svc:checkout</c>.</param>
public sealed record CiAttributeRule(string Attribute, string Prefix = "");

/// <summary>Maps CloudEvents <c>type</c> values to telemetry kinds: the first rule whose substring occurs in the type wins.</summary>
/// <param name="TypeContains">Substring of the event type (ordinal, case-insensitive), e.g. <c>metric</c>.</param>
/// <param name="Kind">The native kind: <c>event</c>, <c>metric</c>, <c>log</c> or <c>change</c>.</param>
public sealed record CloudEventKindRule(string TypeContains, string Kind);

/// <summary>How the non-native formats map onto telemetry records (docs/KAFKA.md has the tables).</summary>
public sealed record FormatOptions
{
    public static FormatOptions Default { get; } = new();

    /// <summary>Alertmanager: labels tried in order for the CI id; the first present wins. Default <c>ci, service, instance, job</c>.</summary>
    public IReadOnlyList<string> AlertmanagerCiLabels { get; init; } = ["ci", "service", "instance", "job"];

    /// <summary>Alertmanager: the <c>source</c> of the events. Default <c>alertmanager</c>.</summary>
    public string AlertmanagerSource { get; init; } = "alertmanager";

    /// <summary>
    /// OTLP: resource attributes tried in order for the CI id. Default <c>itops.ci</c>, <c>service.name</c>,
    /// <c>k8s.deployment.name</c>, <c>k8s.pod.name</c>, <c>host.name</c>, all without prefix.
    /// </summary>
    public IReadOnlyList<CiAttributeRule> OtlpCiAttributes { get; init; } =
    [
        new("itops.ci"),
        new("service.name"),
        new("k8s.deployment.name"),
        new("k8s.pod.name"),
        new("host.name"),
    ];

    /// <summary>CloudEvents: type → kind rules, first match wins; no match and no <c>data.kind</c> means <c>event</c>.</summary>
    public IReadOnlyList<CloudEventKindRule> CloudEventKinds { get; init; } =
    [
        new("metric", "metric"),
        new("log", "log"),
        new("change", "change"),
        new("deploy", "change"),
    ];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (AlertmanagerCiLabels.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("alertmanager CI labels must not be empty", nameof(AlertmanagerCiLabels));
        }

        if (OtlpCiAttributes.Any(r => string.IsNullOrWhiteSpace(r.Attribute)))
        {
            throw new ArgumentException("OTLP CI attribute names must not be empty", nameof(OtlpCiAttributes));
        }

        foreach (var rule in CloudEventKinds)
        {
            if (string.IsNullOrEmpty(rule.TypeContains) || !JsonFields.TryParseKind(rule.Kind, out _))
            {
                throw new ArgumentException($"CloudEvents kind rule '{rule.TypeContains}' -> '{rule.Kind}': kind must be event, metric, log or change", nameof(CloudEventKinds));
            }
        }
    }
}
