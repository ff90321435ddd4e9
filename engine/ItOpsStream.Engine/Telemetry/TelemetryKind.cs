namespace ItOpsStream.Engine.Telemetry;

/// <summary>The four kinds of telemetry record (CONTRACTS §2, field <c>kind</c>).</summary>
public enum TelemetryKind : byte
{
    Event = 0,
    Metric = 1,
    Log = 2,
    Change = 3,
}

/// <summary>Alert severity, ordered so that a larger value is more severe (CONTRACTS §2, field <c>severity</c>).</summary>
public enum Severity : byte
{
    Info = 0,
    Warning = 1,
    Minor = 2,
    Major = 3,
    Critical = 4,
}

/// <summary>Alert status (CONTRACTS §2, field <c>status</c>).</summary>
public enum AlertStatus : byte
{
    Firing = 0,
    Resolved = 1,
}

/// <summary>Log level of a <c>log</c> record, ordered by seriousness.</summary>
public enum LogLevel : byte
{
    Unknown = 0,
    Trace = 1,
    Debug = 2,
    Info = 3,
    Warn = 4,
    Error = 5,
    Fatal = 6,
}
