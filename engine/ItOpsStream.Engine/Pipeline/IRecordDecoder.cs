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
    /// <summary>Decodes <paramref name="raw"/>, or says why not. Must not throw on bad input.</summary>
    bool TryDecode(in RawRecord raw, out TelemetryRecord record, out DecodeError error);
}

/// <summary>The native JSON record shape, through <see cref="TelemetryDecoder"/>.</summary>
public sealed class NativeRecordDecoder(DecoderLimits? limits = null) : IRecordDecoder
{
    private readonly TelemetryDecoder _decoder = new(limits);

    public bool TryDecode(in RawRecord raw, out TelemetryRecord record, out DecodeError error) =>
        _decoder.TryDecode(raw.Payload.Span, out record, out error);
}
