using System.Text;
using ItOpsStream.Connectors.Kafka.Formats;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Connectors.Kafka.Tests.Formats;

internal static class DecoderHarness
{
    public static readonly RecordOrigin Origin = new("itops.events", 2, 41);

    public static List<TelemetryRecord> DecodeOk(string json, string? format = null, FormatOptions? options = null)
    {
        var output = new List<TelemetryRecord>();
        var dead = new TelemetryMessageDecoder(options).Decode(new RawRecord(Encoding.UTF8.GetBytes(json), Origin, format), output);
        Assert.True(dead is null, dead?.Reason);
        return output;
    }

    public static DeadLetter DecodeFails(string json, string? format = null)
    {
        var output = new List<TelemetryRecord>();
        var bytes = Encoding.UTF8.GetBytes(json);
        var dead = new TelemetryMessageDecoder().Decode(new RawRecord(bytes, Origin, format), output);
        Assert.NotNull(dead);
        Assert.Empty(output);
        Assert.Equal(bytes, dead.Payload.ToArray());
        Assert.Equal(Origin, dead.Origin);
        Assert.Equal("decode", dead.Stage);
        return dead;
    }

    public static long Ms(string rfc3339) => DateTimeOffset.Parse(rfc3339, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
}
