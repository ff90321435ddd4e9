using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Pipeline;

/// <summary>
/// Decodes one raw record. The pipeline creates one decoder per decode worker through
/// <see cref="PipelinePorts.DecoderFactory"/>, so implementations need not be thread-safe.
/// <see cref="NativeRecordDecoder"/> reads the native JSON shape (CONTRACTS §2); connectors may plug
/// decoders of other formats (by <see cref="RawRecord.Format"/>) behind the same interface.
/// </summary>
public interface IRecordDecoder
{
    /// <summary>
    /// Decodes <paramref name="raw"/>; on failure returns false with a stable error class
    /// (<see cref="DecodeErrorClass"/>: <c>json.syntax</c>, <c>limit.record_size</c>…) and one human
    /// line saying what is wrong. Must not throw on bad input.
    /// </summary>
    bool TryDecode(in RawRecord raw, out TelemetryRecord record, out string errorClass, out string reason);
}

/// <summary>The native JSON record shape, through <see cref="TelemetryDecoder"/>.</summary>
public sealed class NativeRecordDecoder(DecoderLimits? limits = null) : IRecordDecoder
{
    private readonly TelemetryDecoder _decoder = new(limits);

    public bool TryDecode(in RawRecord raw, out TelemetryRecord record, out string errorClass, out string reason)
    {
        bool ok = _decoder.TryDecode(raw.Payload.Span, out record, out var error);
        (errorClass, reason) = (error.ErrorClass ?? string.Empty, error.Reason ?? string.Empty);
        return ok;
    }
}
