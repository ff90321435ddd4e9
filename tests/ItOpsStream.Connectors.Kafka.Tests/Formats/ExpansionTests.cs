using System.Text;
using ItOpsStream.Connectors.Kafka.Formats;
using ItOpsStream.Engine.Pipeline;
using ItOpsStream.Engine.Telemetry;
using static ItOpsStream.Connectors.Kafka.Tests.Formats.DecoderHarness;

namespace ItOpsStream.Connectors.Kafka.Tests.Formats;

public sealed class ExpansionTests
{
    private const string TwoAlerts = """
    {"version":"4","status":"firing","alerts":[
      {"status":"firing","labels":{"alertname":"Down","service":"db:orders","severity":"critical"},"startsAt":"2026-11-25T12:00:00Z","fingerprint":"f1"},
      {"status":"firing","labels":{"alertname":"Slow","service":"svc:checkout"},"startsAt":"2026-11-25T12:00:01Z","fingerprint":"f2"}]}
    """;

    [Fact]
    public void Expand_MultiRecordMessage_BecomesNativeRecordsWithTheSameOrigin()
    {
        var expanded = new List<RawRecord>();
        new TelemetryMessageDecoder().Expand(new RawRecord(Encoding.UTF8.GetBytes(TwoAlerts), Origin, FormatNames.Auto), expanded);

        Assert.Equal(2, expanded.Count);
        Assert.All(expanded, r => Assert.Equal(Origin, r.Origin));
        Assert.All(expanded, r => Assert.Equal(FormatNames.Native, r.Format));

        var decoder = new KafkaRecordDecoder();
        Assert.True(decoder.TryDecode(expanded[0], out var first, out _, out _));
        Assert.Equal("db:orders", first.Ci);
        Assert.Equal("f1", first.DedupKey);
        Assert.Equal(Severity.Critical, first.Severity);
        Assert.True(decoder.TryDecode(expanded[1], out var second, out _, out _));
        Assert.Equal(Severity.Warning, second.Severity);
    }

    [Fact]
    public void Expand_Unconvertible_PassesOriginalBytes_AndThePipelineDecoderGivesTheReason()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"alerts":[{"status":"firing","labels":{}}]}""");
        var expanded = new List<RawRecord>();
        new TelemetryMessageDecoder().Expand(new RawRecord(bytes, Origin), expanded);

        var raw = Assert.Single(expanded);
        Assert.Equal(bytes, raw.Payload.ToArray());
        Assert.Equal(FormatNames.Alertmanager, raw.Format);
        Assert.False(new KafkaRecordDecoder().TryDecode(raw, out _, out var errorClass, out var reason));
        Assert.Equal("format.invalid", errorClass);
        Assert.Contains("alertname", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_RecordBreakingNativeLimits_IsRefusedWhole()
    {
        var labels = string.Join(",", Enumerable.Range(0, 100).Select(i => $"{{\"key\":\"k{i}\",\"value\":{{\"stringValue\":\"v\"}}}}"));
        var json = """{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1795608006000000000","body":{"stringValue":"ok"}},{"timeUnixNano":"1795608006000000000","body":{"stringValue":"x"},"attributes":[LABELS]}]}]}]}""".Replace("LABELS", labels, StringComparison.Ordinal);

        var dead = DecodeFails(json);

        Assert.Equal("limit.labels", dead.ErrorClass);
        Assert.Contains("record 2 of 2", dead.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Expand_NativeMessage_PassesUnchanged()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"ts":1795609876000,"kind":"metric","ci":"host:node-3","name":"cpu.util","value":97.5}""");
        var expanded = new List<RawRecord>();
        new TelemetryMessageDecoder().Expand(new RawRecord(bytes, Origin), expanded);

        var raw = Assert.Single(expanded);
        Assert.True(raw.Payload.Span.SequenceEqual(bytes));
        Assert.Equal(FormatNames.Native, raw.Format);
    }
}
