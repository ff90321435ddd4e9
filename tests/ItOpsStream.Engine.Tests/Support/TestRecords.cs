using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Tests.Support;

/// <summary>Builders for telemetry records on a fixed clock: <c>T(90)</c> is 90 s after the test epoch.</summary>
internal static class TestRecords
{
    public static readonly long Epoch = DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    public static long T(double seconds) => Epoch + (long)(seconds * 1000);

    public static TelemetryRecord Fire(double seconds, string ci, string check, Severity severity = Severity.Critical, string? key = null, string source = "prometheus", LabelSet labels = default) =>
        new(T(seconds), TelemetryKind.Event, ci, Source: source, Check: check, Severity: severity, Status: AlertStatus.Firing, DedupKey: key ?? $"{ci}/{check}", Labels: labels);

    public static TelemetryRecord Resolve(double seconds, string ci, string check, string? key = null, string source = "prometheus") =>
        new(T(seconds), TelemetryKind.Event, ci, Source: source, Check: check, Status: AlertStatus.Resolved, DedupKey: key ?? $"{ci}/{check}");

    public static TelemetryRecord Change(double seconds, string ci, string id) =>
        new(T(seconds), TelemetryKind.Change, ci, ChangeId: id, Description: "deploy");

    public static TelemetryRecord Metric(double seconds, string ci, string name, double value) =>
        new(T(seconds), TelemetryKind.Metric, ci, Name: name, Value: value);
}
