using System.Buffers;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Connectors.Kafka.Formats;

/// <summary>
/// Turns one Kafka message into telemetry records in the format its topic is configured with, or the
/// format detected from its content (<see cref="FormatNames.Auto"/> or no format). Native records are
/// read by the engine's <see cref="TelemetryDecoder"/>; other formats are converted, written as native
/// records and read back by the same decoder, so one set of rules and limits applies to all. A
/// message that cannot be read becomes one <see cref="DeadLetter"/> with its original bytes and the
/// reason: never dropped, never half-converted.
/// </summary>
/// <remarks>Not thread-safe (it owns a <see cref="TelemetryDecoder"/> and scratch buffers): one per thread.</remarks>
public sealed class TelemetryMessageDecoder
{
    /// <summary>The stage name written into dead letters from here.</summary>
    public const string Stage = "decode";

    private readonly TelemetryDecoder _native;
    private readonly ITelemetryFormat _alertmanager;
    private readonly ITelemetryFormat _otlpLogs;
    private readonly ITelemetryFormat _otlpMetrics;
    private readonly ITelemetryFormat _cloudEvents;
    private readonly List<TelemetryRecord> _converted = [];
    private readonly List<(byte[] Bytes, TelemetryRecord Record)> _validated = [];
    private readonly ArrayBufferWriter<byte> _buffer = new(512);

    public TelemetryMessageDecoder(FormatOptions? options = null, DecoderLimits? limits = null)
    {
        options ??= FormatOptions.Default;
        options.Validate();
        _native = new TelemetryDecoder(limits);
        _alertmanager = new AlertmanagerFormat(options);
        _otlpLogs = new OtlpLogsFormat(options);
        _otlpMetrics = new OtlpMetricsFormat(options);
        _cloudEvents = new CloudEventsFormat(options);
    }

    /// <summary>Appends the records of <paramref name="raw"/> to <paramref name="output"/>; returns null, or the dead letter when it cannot be read.</summary>
    public DeadLetter? Decode(in RawRecord raw, List<TelemetryRecord> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!TryResolve(raw, out var format, out var dead))
        {
            return dead;
        }

        if (format is null)
        {
            if (_native.TryDecode(raw.Payload.Span, out var record, out var error))
            {
                output.Add(record);
                return null;
            }

            return error.ToDeadLetter(raw.Payload, raw.Origin, Stage);
        }

        if (ConvertAndValidate(raw, format) is { } letter)
        {
            return letter;
        }

        foreach (var (_, record) in _validated)
        {
            output.Add(record);
        }

        return null;
    }

    /// <summary>
    /// Rewrites <paramref name="raw"/> as native records (one <see cref="RawRecord"/> each, same origin)
    /// appended to <paramref name="output"/>. Native messages pass unchanged, to be decoded downstream.
    /// A message that cannot be converted is appended unchanged too, with its format named, so that the
    /// pipeline's decoder (<see cref="KafkaRecordDecoder"/>) dead-letters it with the reason.
    /// </summary>
    internal void Expand(in RawRecord raw, List<RawRecord> output)
    {
        if (!TryResolve(raw, out var format, out _))
        {
            // Not recognisable: the pipeline's decoder refuses it again, with the reason.
            output.Add(raw);
        }
        else if (format is null)
        {
            output.Add(raw.Format == FormatNames.Native ? raw : raw with { Format = FormatNames.Native });
        }
        else if (ConvertAndValidate(raw, format) is not null)
        {
            output.Add(raw with { Format = format.Name });
        }
        else
        {
            foreach (var (bytes, _) in _validated)
            {
                output.Add(new RawRecord(bytes, raw.Origin, FormatNames.Native));
            }
        }
    }

    /// <summary>The converter for the message, or null for native; false with a dead letter when no format fits.</summary>
    private bool TryResolve(in RawRecord raw, out ITelemetryFormat? format, out DeadLetter? dead)
    {
        var name = raw.Format;
        if (name is null or FormatNames.Auto)
        {
            name = FormatDetector.Detect(raw.Payload.Span, out var detectError);
            if (name is null)
            {
                format = null;
                dead = new DeadLetter(raw.Payload, raw.Origin, Stage, detectError.ErrorClass, detectError.Reason);
                return false;
            }
        }

        dead = null;
        switch (name)
        {
            case FormatNames.Native: format = null; return true;
            case FormatNames.Alertmanager: format = _alertmanager; return true;
            case FormatNames.OtlpLogs: format = _otlpLogs; return true;
            case FormatNames.OtlpMetrics: format = _otlpMetrics; return true;
            case FormatNames.CloudEvents: format = _cloudEvents; return true;
            default:
                format = null;
                dead = new DeadLetter(raw.Payload, raw.Origin, Stage, "format.unknown", $"format '{name}' is not one of {string.Join(", ", FormatNames.All)}");
                return false;
        }
    }

    private DeadLetter? ConvertAndValidate(in RawRecord raw, ITelemetryFormat format)
    {
        _converted.Clear();
        _validated.Clear();
        if (!format.TryConvert(raw.Payload.Span, _converted, out var error))
        {
            return new DeadLetter(raw.Payload, raw.Origin, Stage, error.ErrorClass, error.Reason);
        }

        for (int i = 0; i < _converted.Count; i++)
        {
            var bytes = NativeJsonWriter.ToUtf8(_converted[i], _buffer);
            if (!_native.TryDecode(bytes, out var record, out var invalid))
            {
                _validated.Clear();
                return new DeadLetter(raw.Payload, raw.Origin, Stage, invalid.ErrorClass, $"{format.Name} record {i + 1} of {_converted.Count}: {invalid.Reason}");
            }

            _validated.Add((bytes, record));
        }

        return null;
    }
}
