namespace ItOpsStream.Engine.Telemetry;

/// <summary>
/// One decoded telemetry record (CONTRACTS §2). A single flat value type carries all four kinds so
/// that batches are plain arrays; fields that do not belong to <see cref="Kind"/> are null or zero.
/// </summary>
/// <param name="Timestamp">Event time, Unix epoch milliseconds (UTC).</param>
/// <param name="Kind">Which of the four record kinds this is.</param>
/// <param name="Ci">The configuration item id (may be unknown to the topology, or null).</param>
/// <param name="Source">The emitting tool (<c>prometheus</c>, <c>zabbix</c>…), events only.</param>
/// <param name="Check">The alerting check name, events only.</param>
/// <param name="Severity">Events: severity; anomaly and log-derived alerts set it too.</param>
/// <param name="Status">Events: firing or resolved.</param>
/// <param name="DedupKey">Events: the producer's fingerprint when given.</param>
/// <param name="Message">Events and logs: the human message.</param>
/// <param name="Name">Metrics: the metric name.</param>
/// <param name="Value">Metrics: the sample value.</param>
/// <param name="Level">Logs: the log level.</param>
/// <param name="ChangeId">Changes: the change ticket id.</param>
/// <param name="Description">Changes: what changed.</param>
/// <param name="Labels">Labels of the record, sorted by key.</param>
public readonly record struct TelemetryRecord(
    long Timestamp,
    TelemetryKind Kind,
    string? Ci,
    string? Source = null,
    string? Check = null,
    Severity Severity = Severity.Info,
    AlertStatus Status = AlertStatus.Firing,
    string? DedupKey = null,
    string? Message = null,
    string? Name = null,
    double Value = 0,
    LogLevel Level = LogLevel.Unknown,
    string? ChangeId = null,
    string? Description = null,
    LabelSet Labels = default);
