using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace ItOpsStream.Engine.Incidents;

/// <summary>
/// Incident ids derived from the input, never from a clock or a counter that depends on thread
/// timing: <c>INC-</c> and 16 hex digits of a hash of the opening alert's fingerprint and the
/// event time it opened at. A replay therefore gives the same ids, and a consumer can upsert.
/// The same alert cannot open two incidents at the same instant, so the pair is unique.
/// </summary>
internal static class IncidentIds
{
    public static string Create(string fingerprint, long openedAt)
    {
        var hash = new XxHash3();
        hash.Append(MemoryMarshal.AsBytes(fingerprint.AsSpan()));
        hash.Append(MemoryMarshal.AsBytes(new ReadOnlySpan<long>(in openedAt)));
        return "INC-" + hash.GetCurrentHashAsUInt64().ToString("x16", CultureInfo.InvariantCulture);
    }
}
