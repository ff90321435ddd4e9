using ItOpsStream.Connectors.Kafka.Formats;
using ItOpsStream.Engine.Telemetry;
using static ItOpsStream.Connectors.Kafka.Tests.Formats.DecoderHarness;

namespace ItOpsStream.Connectors.Kafka.Tests.Formats;

public sealed class CloudEventsAndNativeTests
{
    [Fact]
    public void CloudEvent_AlertData_EnvelopeFillsTimeSourceAndSubject()
    {
        var records = DecodeOk("""
        {"specversion":"1.0","type":"com.zabbix.problem.firing","source":"zabbix://zbx-01","id":"8f6a-1",
         "time":"2026-11-25T12:00:05Z","subject":"db:orders","datacontenttype":"application/json",
         "data":{"check":"MySQLDown","severity":"disaster","dedup_key":"zbx-13377","message":"MySQL is down"}}
        """);

        var r = Assert.Single(records);
        Assert.Equal(TelemetryKind.Event, r.Kind);
        Assert.Equal(Ms("2026-11-25T12:00:05Z"), r.Timestamp);
        Assert.Equal("db:orders", r.Ci);
        Assert.Equal("zabbix://zbx-01", r.Source);
        Assert.Equal("MySQLDown", r.Check);
        Assert.Equal(Severity.Critical, r.Severity);
        Assert.Equal("zbx-13377", r.DedupKey);
    }

    [Fact]
    public void CloudEvent_DeployType_BecomesChange()
    {
        var r = Assert.Single(DecodeOk("""
        {"specversion":"1.0","type":"dev.cdevents.service.deployed.0.1.1","source":"/argocd","id":"x","time":"2026-11-25T11:58:00Z",
         "data":{"ci":"svc:checkout","change_id":"CHG0042","description":"deploy checkout v1.4.2"}}
        """, FormatNames.CloudEvents));

        Assert.Equal(TelemetryKind.Change, r.Kind);
        Assert.Equal("CHG0042", r.ChangeId);
        Assert.Equal("svc:checkout", r.Ci);
    }

    [Fact]
    public void CloudEvent_DataKindWinsOverType_AndBase64DataIsRead()
    {
        var data = Convert.ToBase64String("""{"kind":"metric","name":"cpu.util","value":97.5}"""u8.ToArray());
        var r = Assert.Single(DecodeOk($$"""{"specversion":"1.0","type":"com.example.alert","source":"s","id":"1","time":"2026-11-25T12:00:00Z","subject":"host:node-3","data_base64":"{{data}}"}"""));

        Assert.Equal(TelemetryKind.Metric, r.Kind);
        Assert.Equal(97.5, r.Value);
        Assert.Equal("host:node-3", r.Ci);
    }

    [Fact]
    public void CloudEvent_Batch_EveryEventBecomesARecord()
    {
        var records = DecodeOk("""
        [{"specversion":"1.0","type":"app.log","source":"s","id":"1","time":"2026-11-25T12:00:00Z","subject":"svc:a","data":"disk full"},
         {"specversion":"1.0","type":"app.alert","source":"s","id":"2","time":"2026-11-25T12:00:01Z","subject":"svc:b","data":{"check":"X"}}]
        """);

        Assert.Equal(2, records.Count);
        Assert.Equal(TelemetryKind.Log, records[0].Kind);
        Assert.Equal("disk full", records[0].Message);
        Assert.Equal("X", records[1].Check);
    }

    [Fact]
    public void CloudEvent_WrongSpecVersion_IsDeadLettered()
    {
        var dead = DecodeFails("""{"specversion":"0.3","type":"t","source":"s","id":"1","data":{}}""");
        Assert.Contains("specversion", dead.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Native_EveryContractExample_Decodes()
    {
        var ev = Assert.Single(DecodeOk("""{"ts":"2026-11-25T12:00:05Z","kind":"event","source":"prometheus","ci":"svc:checkout","check":"HighErrorRate","severity":"critical","status":"firing","dedup_key":"prom-checkout-errors","message":"5xx ratio 12%","labels":{"env":"prod"}}"""));
        Assert.Equal("prom-checkout-errors", ev.DedupKey);
        var metric = Assert.Single(DecodeOk("""{"ts":1795609876000,"kind":"metric","ci":"host:node-3","name":"cpu.util","value":97.5,"labels":{}}"""));
        Assert.Equal(1795609876000, metric.Timestamp);
        var log = Assert.Single(DecodeOk("""{"ts":"2026-11-25T12:00:06Z","kind":"log","ci":"svc:checkout","level":"error","message":"connection refused to paymentservice:50051"}"""));
        Assert.Equal(LogLevel.Error, log.Level);
        var change = Assert.Single(DecodeOk("""{"ts":"2026-11-25T11:58:00Z","kind":"change","ci":"svc:checkout","change_id":"CHG0042","description":"deploy checkout v1.4.2"}"""));
        Assert.Equal("CHG0042", change.ChangeId);
    }

    [Theory]
    [InlineData("not json at all", "json.syntax")]
    [InlineData("{\"ts\":\"2026-11-25T12:00:05Z\",\"kind\":\"metric\",\"name\":\"x\"}", "field.missing")]
    [InlineData("{\"hello\":\"world\"}", "format.unknown")]
    [InlineData("", "json.syntax")]
    [InlineData("42", "format.unknown")]
    public void Unreadable_Message_IsDeadLetteredWithClass(string payload, string errorClass)
    {
        Assert.Equal(errorClass, DecodeFails(payload).ErrorClass);
    }

    [Fact]
    public void ConfiguredFormat_Mismatch_IsDeadLettered()
    {
        var dead = DecodeFails("""{"ts":"2026-11-25T12:00:05Z","kind":"log"}""", FormatNames.Alertmanager);
        Assert.Contains("alerts", dead.Reason, StringComparison.Ordinal);
    }
}
