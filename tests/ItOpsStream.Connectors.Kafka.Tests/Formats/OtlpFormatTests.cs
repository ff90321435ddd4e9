using ItOpsStream.Connectors.Kafka.Formats;
using ItOpsStream.Engine.Telemetry;
using static ItOpsStream.Connectors.Kafka.Tests.Formats.DecoderHarness;

namespace ItOpsStream.Connectors.Kafka.Tests.Formats;

public sealed class OtlpFormatTests
{
    // As the OpenTelemetry Collector's file/kafka exporters write ExportLogsServiceRequest in OTLP/JSON.
    private const string Logs = """
    {"resourceLogs":[{
      "resource":{"attributes":[
        {"key":"service.name","value":{"stringValue":"checkoutservice"}},
        {"key":"host.name","value":{"stringValue":"node-3"}},
        {"key":"k8s.pod.name","value":{"stringValue":"checkout-7d9f8b-x2x1"}}]},
      "scopeLogs":[{
        "scope":{"name":"otelcol/filelogreceiver","version":"0.112.0"},
        "logRecords":[
          {"timeUnixNano":"1795608006000000000","observedTimeUnixNano":"1795608006100000000",
           "severityNumber":17,"severityText":"ERROR",
           "body":{"stringValue":"connection refused to paymentservice:50051"},
           "attributes":[{"key":"log.file.name","value":{"stringValue":"checkout.log"}},{"key":"retry","value":{"intValue":"3"}}],
           "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"},
          {"timeUnixNano":"0","observedTimeUnixNano":"1795608007000000000","severityNumber":9,
           "body":{"kvlistValue":{"values":[{"key":"msg","value":{"stringValue":"ok"}}]}}},
          {"observedTimeUnixNano":"1795608008000000000","severityText":"warning","body":{"stringValue":"slow"}}
        ]}]}]}
    """;

    private const string Metrics = """
    {"resourceMetrics":[{
      "resource":{"attributes":[{"key":"host.name","value":{"stringValue":"node-3"}}]},
      "scopeMetrics":[{"scope":{"name":"otelcol/hostmetricsreceiver/cpu"},"metrics":[
        {"name":"system.cpu.utilization","unit":"1","gauge":{"dataPoints":[
          {"timeUnixNano":"1795608005000000000","asDouble":0.975,"attributes":[{"key":"state","value":{"stringValue":"user"}}]}]}},
        {"name":"http.server.requests","unit":"{request}","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[
          {"startTimeUnixNano":"1795607005000000000","timeUnixNano":"1795608005000000000","asInt":"1234"}]}},
        {"name":"http.server.duration","unit":"ms","histogram":{"aggregationTemporality":2,"dataPoints":[
          {"startTimeUnixNano":"1795607005000000000","timeUnixNano":"1795608005000000000","count":"4","sum":100.0,
           "bucketCounts":["1","2","1"],"explicitBounds":[10,50],"min":5,"max":60}]}},
        {"name":"rpc.latency","summary":{"dataPoints":[
          {"timeUnixNano":"1795608005000000000","count":"10","sum":20,"quantileValues":[{"quantile":0.5,"value":1.5},{"quantile":0.99,"value":9}]}]}}
      ]}]}]}
    """;

    [Fact]
    public void Logs_ThreeRecords_MapCiLevelTimeAndBody()
    {
        var records = DecodeOk(Logs, FormatNames.OtlpLogs);

        Assert.Equal(3, records.Count);
        var error = records[0];
        Assert.Equal(TelemetryKind.Log, error.Kind);
        Assert.Equal(1795608006000, error.Timestamp);
        Assert.Equal("checkoutservice", error.Ci);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Equal("connection refused to paymentservice:50051", error.Message);
        Assert.True(error.Labels.TryGetValue("retry", out var retry) && retry == "3");
    }

    [Fact]
    public void Logs_ZeroTime_FallsBackToObservedTime_AndStructuredBodyIsJson()
    {
        var records = DecodeOk(Logs, FormatNames.OtlpLogs);

        Assert.Equal(1795608007000, records[1].Timestamp);
        Assert.Equal(LogLevel.Info, records[1].Level);
        Assert.Contains("\"msg\"", records[1].Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Warn, records[2].Level);
    }

    [Fact]
    public void Logs_CiMappingWithPrefix_UsesFirstConfiguredAttribute()
    {
        var options = FormatOptions.Default with { OtlpCiAttributes = [new("host.name", "host:"), new("service.name", "svc:")] };

        Assert.All(DecodeOk(Logs, FormatNames.OtlpLogs, options), r => Assert.Equal("host:node-3", r.Ci));
    }

    [Fact]
    public void Metrics_GaugeSumHistogramSummary_BecomeMetricRecords()
    {
        var records = DecodeOk(Metrics);

        var byName = records.GroupBy(r => r.Name!).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(0.975, byName["system.cpu.utilization"][0].Value);
        Assert.Equal("node-3", byName["system.cpu.utilization"][0].Ci);
        Assert.Equal(1795608005000, byName["system.cpu.utilization"][0].Timestamp);
        Assert.Equal(1234, byName["http.server.requests"][0].Value);
        Assert.Equal(4, byName["http.server.duration.count"][0].Value);
        Assert.Equal(100, byName["http.server.duration.sum"][0].Value);
        Assert.Equal(25, byName["http.server.duration.mean"][0].Value);
        Assert.Equal(2, byName["rpc.latency"].Count);
        Assert.Contains(byName["rpc.latency"], r => r.Labels.TryGetValue("quantile", out var q) && q == "0.99" && r.Value == 9);
        Assert.All(records, r => Assert.Equal(TelemetryKind.Metric, r.Kind));
    }

    [Fact]
    public void Metrics_PointWithoutValue_DeadLettersWithPath()
    {
        var dead = DecodeFails("""{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x","gauge":{"dataPoints":[{"timeUnixNano":"1795608005000000000"}]}}]}]}]}""");

        Assert.Equal("format.invalid", dead.ErrorClass);
        Assert.Contains("resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0]", dead.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, LogLevel.Trace)]
    [InlineData(8, LogLevel.Debug)]
    [InlineData(12, LogLevel.Info)]
    [InlineData(13, LogLevel.Warn)]
    [InlineData(20, LogLevel.Error)]
    [InlineData(24, LogLevel.Fatal)]
    public void Logs_SeverityNumberRanges_MapToLevels(int severityNumber, LogLevel expected)
    {
        var json = $$"""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1795608006000000000","severityNumber":{{severityNumber}}}]}]}]}""";
        Assert.Equal(expected, DecodeOk(json)[0].Level);
    }
}
