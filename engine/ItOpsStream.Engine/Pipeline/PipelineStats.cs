namespace ItOpsStream.Engine.Pipeline;

/// <summary>What a pipeline run saw and produced; read after <see cref="TelemetryPipeline.RunAsync"/> or live, at any time.</summary>
public sealed record PipelineStats
{
    public long RecordsRead { get; init; }
    public long DeadLetters { get; init; }
    public long Events { get; init; }
    public long Metrics { get; init; }
    public long Logs { get; init; }
    public long Changes { get; init; }
    /// <summary>Records older than the watermark when they arrived (still processed).</summary>
    public long LateRecords { get; init; }
    /// <summary>Metric and log records that no <see cref="Alerts.IAlertProducer"/> looked at (none configured).</summary>
    public long UnhandledMetricsAndLogs { get; init; }
    /// <summary>Alerts raised by alert producers from metrics and logs.</summary>
    public long ProducedAlerts { get; init; }
    /// <summary>Alerts created: distinct fingerprints that fired (again after being forgotten, see <see cref="Alerts.AlertOptions.ResolvedRetention"/>).</summary>
    public long Alerts { get; init; }
    /// <summary>Resolve records for fingerprints never seen firing.</summary>
    public long OrphanResolves { get; init; }
    public long IncidentsOpened { get; init; }
    public long IncidentRecords { get; init; }
    public long Merges { get; init; }
    /// <summary>Alert firings that rules suppressed (recorded, in no incident).</summary>
    public long SuppressedAlerts { get; init; }
    /// <summary>Alerts that rules inhibited (in their source's incident, not raising its priority).</summary>
    public long InhibitedAlerts { get; init; }
    /// <summary>Event time of the last watermark, Unix ms (long.MinValue before any record).</summary>
    public long Watermark { get; init; }
    public IReadOnlyList<StageChannelStats> Channels { get; init; } = [];
}

/// <summary>Counters shared by the stages. Each counter is written by one stage; reads may come from any thread.</summary>
internal sealed class PipelineCounters
{
    public long RecordsRead;
    public long DeadLetters;
    public long Events;
    public long Metrics;
    public long Logs;
    public long Changes;
    public long LateRecords;
    public long UnhandledMetricsAndLogs;
    public long ProducedAlerts;
    public long Alerts;
    public long OrphanResolves;
    public long IncidentsOpened;
    public long IncidentRecords;
    public long Merges;
    public long SuppressedAlerts;
    public long InhibitedAlerts;
    public long Watermark = long.MinValue;

    public PipelineStats Snapshot(IReadOnlyList<StageChannelStats> channels) => new()
    {
        RecordsRead = Interlocked.Read(ref RecordsRead),
        DeadLetters = Interlocked.Read(ref DeadLetters),
        Events = Interlocked.Read(ref Events),
        Metrics = Interlocked.Read(ref Metrics),
        Logs = Interlocked.Read(ref Logs),
        Changes = Interlocked.Read(ref Changes),
        LateRecords = Interlocked.Read(ref LateRecords),
        UnhandledMetricsAndLogs = Interlocked.Read(ref UnhandledMetricsAndLogs),
        ProducedAlerts = Interlocked.Read(ref ProducedAlerts),
        Alerts = Interlocked.Read(ref Alerts),
        OrphanResolves = Interlocked.Read(ref OrphanResolves),
        IncidentsOpened = Interlocked.Read(ref IncidentsOpened),
        IncidentRecords = Interlocked.Read(ref IncidentRecords),
        Merges = Interlocked.Read(ref Merges),
        SuppressedAlerts = Interlocked.Read(ref SuppressedAlerts),
        InhibitedAlerts = Interlocked.Read(ref InhibitedAlerts),
        Watermark = Interlocked.Read(ref Watermark),
        Channels = channels,
    };
}
