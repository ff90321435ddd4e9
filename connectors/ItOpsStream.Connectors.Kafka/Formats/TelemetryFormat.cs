using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Connectors.Kafka.Formats;

/// <summary>Names of the record formats a topic can be configured with.</summary>
public static class FormatNames
{
    /// <summary>Detect from content, message by message.</summary>
    public const string Auto = "auto";

    /// <summary>The native records of CONTRACTS §2.</summary>
    public const string Native = "native";

    /// <summary>Prometheus Alertmanager webhook payload (version 4).</summary>
    public const string Alertmanager = "alertmanager";

    /// <summary>OpenTelemetry OTLP/JSON logs export request.</summary>
    public const string OtlpLogs = "otlp-logs";

    /// <summary>OpenTelemetry OTLP/JSON metrics export request.</summary>
    public const string OtlpMetrics = "otlp-metrics";

    /// <summary>CloudEvents 1.0, structured content mode (JSON).</summary>
    public const string CloudEvents = "cloudevents";

    /// <summary>Every accepted name, for validation messages.</summary>
    public static IReadOnlyList<string> All { get; } = [Auto, Native, Alertmanager, OtlpLogs, OtlpMetrics, CloudEvents];

    public static bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);
}

/// <summary>Why a message could not be converted: a stable class and one human line.</summary>
/// <param name="ErrorClass">Machine-readable class (<c>json.syntax</c>, <c>format.unknown</c>, <c>format.invalid</c>…).</param>
/// <param name="Reason">What is wrong and where, in one line.</param>
public readonly record struct FormatError(string ErrorClass, string Reason)
{
    public static FormatError Invalid(string format, string reason) => new("format.invalid", $"{format}: {reason}");
}

/// <summary>Converts one Kafka message of a given format into zero or more telemetry records.</summary>
internal interface ITelemetryFormat
{
    string Name { get; }

    /// <summary>
    /// Appends the records of <paramref name="payload"/> to <paramref name="output"/>. On failure nothing
    /// is appended (the whole message goes to the dead letters, never part of it) and the error says why.
    /// </summary>
    bool TryConvert(ReadOnlySpan<byte> payload, List<TelemetryRecord> output, out FormatError error);
}
