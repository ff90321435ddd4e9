using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Pipeline;

/// <summary>
/// Decodes one raw record. The pipeline creates one decoder per decode worker through the factory
/// in <see cref="PipelinePorts.DecoderFactory"/>, so implementations need not be thread-safe.
/// </summary>
public interface IRecordDecoder
{
    /// <summary>
    /// Decodes <paramref name="raw"/>; on failure returns false with a stable error class
    /// (<c>json.syntax</c>, <c>limit.record_size</c>…) and one human line saying what is wrong.
    /// Must not throw on bad input.
    /// </summary>
    bool TryDecode(in RawRecord raw, out TelemetryRecord record, out string errorClass, out string reason);
}
