using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Connectors.Kafka.Formats;

/// <summary>
/// Turns one Kafka message into telemetry records in the format its topic is configured with, or the
/// format detected from its content (<see cref="FormatNames.Auto"/> or no format). A message that
/// cannot be read becomes one <see cref="DeadLetter"/> with its original bytes and the reason; it is
/// never dropped and never half-converted.
/// </summary>
/// <remarks>Thread-safe: holds only immutable options.</remarks>
public sealed class TelemetryMessageDecoder
{
    /// <summary>The stage name written into dead letters from here.</summary>
    public const string Stage = "decode";

    private readonly ITelemetryFormat _native;
    private readonly ITelemetryFormat _alertmanager;
    private readonly ITelemetryFormat _otlpLogs;
    private readonly ITelemetryFormat _otlpMetrics;
    private readonly ITelemetryFormat _cloudEvents;

    public TelemetryMessageDecoder(FormatOptions? options = null)
    {
        options ??= FormatOptions.Default;
        options.Validate();
        _native = NativeJsonFormat.Instance;
        _alertmanager = new AlertmanagerFormat(options);
        _otlpLogs = new OtlpLogsFormat(options);
        _otlpMetrics = new OtlpMetricsFormat(options);
        _cloudEvents = new CloudEventsFormat(options);
    }

    /// <summary>Appends the records of <paramref name="raw"/> to <paramref name="output"/>; returns null, or the dead letter when it cannot be read.</summary>
    public DeadLetter? Decode(in RawRecord raw, List<TelemetryRecord> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var payload = raw.Payload.Span;
        var formatName = raw.Format;
        FormatError error;
        if (formatName is null or FormatNames.Auto)
        {
            formatName = FormatDetector.Detect(payload, out error);
            if (formatName is null)
            {
                return new DeadLetter(raw.Payload, raw.Origin, Stage, error.ErrorClass, error.Reason);
            }
        }

        var format = Resolve(formatName);
        if (format is null)
        {
            return new DeadLetter(raw.Payload, raw.Origin, Stage, "format.unknown", $"format '{formatName}' is not one of {string.Join(", ", FormatNames.All)}");
        }

        return format.TryConvert(payload, output, out error)
            ? null
            : new DeadLetter(raw.Payload, raw.Origin, Stage, error.ErrorClass, error.Reason);
    }

    private ITelemetryFormat? Resolve(string name) => name switch
    {
        FormatNames.Native => _native,
        FormatNames.Alertmanager => _alertmanager,
        FormatNames.OtlpLogs => _otlpLogs,
        FormatNames.OtlpMetrics => _otlpMetrics,
        FormatNames.CloudEvents => _cloudEvents,
        _ => null,
    };
}
