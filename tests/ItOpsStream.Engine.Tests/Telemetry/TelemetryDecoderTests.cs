using System.Text;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Tests.Telemetry;

public sealed class TelemetryDecoderTests
{
    private readonly TelemetryDecoder _decoder = new();

    private TelemetryRecord Decode(string json)
    {
        Assert.True(_decoder.TryDecode(Encoding.UTF8.GetBytes(json), out var record, out var error), error.ToString());
        return record;
    }

    private DecodeError Refuse(string json) => Refuse(Encoding.UTF8.GetBytes(json));

    private DecodeError Refuse(byte[] utf8)
    {
        Assert.False(_decoder.TryDecode(utf8, out var record, out var error));
        Assert.Equal(default, record);
        Assert.False(string.IsNullOrEmpty(error.Reason));
        Assert.DoesNotContain('\n', error.Reason);
        return error;
    }

    [Fact]
    public void Decode_ContractEvent_ReadsEveryField()
    {
        var r = Decode("""
            {"ts":"2026-11-25T12:00:05Z","kind":"event","source":"prometheus","ci":"svc:checkout",
             "check":"HighErrorRate","severity":"critical","status":"firing",
             "dedup_key":"prom-checkout-errors","message":"5xx ratio 12%","labels":{"env":"prod"}}
            """);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 12, 0, 5, TimeSpan.Zero).ToUnixTimeMilliseconds(), r.Timestamp);
        Assert.Equal(TelemetryKind.Event, r.Kind);
        Assert.Equal("prometheus", r.Source);
        Assert.Equal("svc:checkout", r.Ci);
        Assert.Equal("HighErrorRate", r.Check);
        Assert.Equal(Severity.Critical, r.Severity);
        Assert.Equal(AlertStatus.Firing, r.Status);
        Assert.Equal("prom-checkout-errors", r.DedupKey);
        Assert.Equal("5xx ratio 12%", r.Message);
        Assert.Equal(LabelSet.From([new("env", "prod")]), r.Labels);
    }

    [Fact]
    public void Decode_ContractMetric_ReadsEpochMillisAndValue()
    {
        var r = Decode("""{"ts":1795609876000,"kind":"metric","ci":"host:node-3","name":"cpu.util","value":97.5,"labels":{}}""");
        Assert.Equal(1795609876000, r.Timestamp);
        Assert.Equal(TelemetryKind.Metric, r.Kind);
        Assert.Equal("host:node-3", r.Ci);
        Assert.Equal("cpu.util", r.Name);
        Assert.Equal(97.5, r.Value);
        Assert.Empty(r.Labels);
    }

    [Fact]
    public void Decode_ContractLog_ReadsLevelAndMessage()
    {
        var r = Decode("""{"ts":"2026-11-25T12:00:06Z","kind":"log","ci":"svc:checkout","level":"error","message":"connection refused to paymentservice:50051"}""");
        Assert.Equal(TelemetryKind.Log, r.Kind);
        Assert.Equal(LogLevel.Error, r.Level);
        Assert.Equal("connection refused to paymentservice:50051", r.Message);
    }

    [Fact]
    public void Decode_ContractChange_ReadsChangeIdAndDescription()
    {
        var r = Decode("""{"ts":"2026-11-25T11:58:00Z","kind":"change","ci":"svc:checkout","change_id":"CHG0042","description":"deploy checkout v1.4.2"}""");
        Assert.Equal(TelemetryKind.Change, r.Kind);
        Assert.Equal("svc:checkout", r.Ci);
        Assert.Equal("CHG0042", r.ChangeId);
        Assert.Equal("deploy checkout v1.4.2", r.Description);
    }

    [Fact]
    public void Decode_KindAfterOtherFields_StillReadsTheKindsFields()
    {
        var r = Decode("""{"value":1.5,"name":"m","ts":0,"kind":"metric"}""");
        Assert.Equal(TelemetryKind.Metric, r.Kind);
        Assert.Equal("m", r.Name);
        Assert.Equal(1.5, r.Value);
    }

    [Fact]
    public void Decode_EventWithoutSeverityOrStatus_IsWarningAndFiring()
    {
        var r = Decode("""{"ts":0,"kind":"event","check":"c"}""");
        Assert.Equal(TelemetryDecoder.DefaultEventSeverity, r.Severity);
        Assert.Equal(Severity.Warning, r.Severity);
        Assert.Equal(AlertStatus.Firing, r.Status);
        Assert.Null(r.Ci);
    }

    [Theory]
    [InlineData("CRITICAL", Severity.Critical)]
    [InlineData("crit", Severity.Critical)]
    [InlineData("Major", Severity.Major)]
    [InlineData("error", Severity.Major)]
    [InlineData("minor", Severity.Minor)]
    [InlineData("WARN", Severity.Warning)]
    [InlineData("warning", Severity.Warning)]
    [InlineData("Info", Severity.Info)]
    public void Decode_SeverityWords_AreCaseInsensitiveWithAliases(string word, Severity expected)
    {
        Assert.Equal(expected, Decode($$"""{"ts":0,"kind":"event","check":"c","severity":"{{word}}"}""").Severity);
    }

    [Theory]
    [InlineData("RESOLVED", AlertStatus.Resolved)]
    [InlineData("ok", AlertStatus.Resolved)]
    [InlineData("Firing", AlertStatus.Firing)]
    [InlineData("problem", AlertStatus.Firing)]
    public void Decode_StatusWords_AreCaseInsensitiveWithAliases(string word, AlertStatus expected)
    {
        Assert.Equal(expected, Decode($$"""{"ts":0,"kind":"event","check":"c","status":"{{word}}"}""").Status);
    }

    [Theory]
    [InlineData("ERR", LogLevel.Error)]
    [InlineData("warning", LogLevel.Warn)]
    [InlineData("Fatal", LogLevel.Fatal)]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("chatty", LogLevel.Unknown)]
    public void Decode_LogLevel_MapsAliasesAndKeepsUnknownWordsAsUnknown(string word, LogLevel expected)
    {
        Assert.Equal(expected, Decode($$"""{"ts":0,"kind":"log","message":"m","level":"{{word}}"}""").Level);
    }

    [Fact]
    public void Decode_KindInCapitals_IsAccepted()
    {
        Assert.Equal(TelemetryKind.Metric, Decode("""{"ts":0,"kind":"METRIC","name":"m","value":1}""").Kind);
    }

    [Fact]
    public void Decode_UnknownSeverity_IsFieldValueNamingTheField()
    {
        var e = Refuse("""{"ts":0,"kind":"event","check":"c","severity":"P2"}""");
        Assert.Equal(DecodeErrorClass.FieldValue, e.ErrorClass);
        Assert.Contains("severity", e.Reason, StringComparison.Ordinal);
        Assert.Contains("P2", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_UnknownKind_IsKindUnknown()
    {
        Assert.Equal(DecodeErrorClass.KindUnknown, Refuse("""{"ts":0,"kind":"trace"}""").ErrorClass);
    }

    [Theory]
    [InlineData("""{"kind":"event","check":"c"}""", "ts")]
    [InlineData("""{"ts":0,"check":"c"}""", "kind")]
    [InlineData("""{"ts":0,"kind":"event","ci":"x"}""", "check")]
    [InlineData("""{"ts":0,"kind":"event","check":"","dedup_key":null}""", "check")]
    [InlineData("""{"ts":0,"kind":"metric","value":1}""", "name")]
    [InlineData("""{"ts":0,"kind":"metric","name":"m"}""", "value")]
    [InlineData("""{"ts":0,"kind":"metric","name":"m","value":null}""", "value")]
    [InlineData("""{"ts":0,"kind":"log","ci":"x"}""", "message")]
    [InlineData("""{"ts":0,"kind":"change","change_id":"C1"}""", "ci")]
    [InlineData("""{"ts":0,"kind":"change","ci":"x"}""", "change_id")]
    public void Decode_MissingRequiredField_IsFieldMissingNamingIt(string json, string field)
    {
        var e = Refuse(json);
        Assert.Equal(DecodeErrorClass.FieldMissing, e.ErrorClass);
        Assert.Contains($"'{field}'", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_EventWithOnlyDedupKey_IsAccepted()
    {
        var r = Decode("""{"ts":0,"kind":"event","dedup_key":"k"}""");
        Assert.Equal("k", r.DedupKey);
        Assert.Null(r.Check);
    }

    [Fact]
    public void Decode_NullValues_AreTheSameAsAbsent()
    {
        var r = Decode("""{"ts":0,"kind":"event","check":"c","ci":null,"severity":null,"labels":null,"message":null}""");
        Assert.Null(r.Ci);
        Assert.Equal(Severity.Warning, r.Severity);
        Assert.Equal(LabelSet.Empty, r.Labels);
        Assert.Null(r.Message);
    }

    [Fact]
    public void Decode_EmptyDedupKey_IsNoDedupKey()
    {
        Assert.Null(Decode("""{"ts":0,"kind":"event","check":"c","dedup_key":""}""").DedupKey);
    }

    [Fact]
    public void Decode_UnknownFieldsOfAnyShape_AreSkipped()
    {
        var r = Decode("""{"ts":0,"extra":{"a":[1,{"b":null}],"c":"d"},"kind":"metric","name":"m","tags":[1,2],"value":2}""");
        Assert.Equal(2, r.Value);
    }

    [Fact]
    public void Decode_FieldOfAnotherKind_IsIgnoredLikeAnUnknownField()
    {
        // "value" means nothing to an event, so its odd type is not the event's problem.
        var r = Decode("""{"ts":0,"kind":"event","check":"c","value":"not a number","name":7}""");
        Assert.Null(r.Name);
        Assert.Equal(0, r.Value);
    }

    [Fact]
    public void Decode_WrongTypeForAField_IsFieldType()
    {
        var e = Refuse("""{"ts":0,"kind":"metric","name":"m","value":"97.5"}""");
        Assert.Equal(DecodeErrorClass.FieldType, e.ErrorClass);
        Assert.Contains("'value'", e.Reason, StringComparison.Ordinal);
        Assert.Equal(DecodeErrorClass.FieldType, Refuse("""{"ts":0,"kind":"event","check":["c"]}""").ErrorClass);
        Assert.Equal(DecodeErrorClass.FieldType, Refuse("""{"ts":0,"kind":"event","check":"c","labels":["a"]}""").ErrorClass);
        Assert.Equal(DecodeErrorClass.FieldType, Refuse("""{"ts":true,"kind":"event","check":"c"}""").ErrorClass);
    }

    [Fact]
    public void Decode_DuplicateKnownField_IsFieldDuplicate()
    {
        var e = Refuse("""{"ts":0,"kind":"event","check":"c","ci":"a","ci":"b"}""");
        Assert.Equal(DecodeErrorClass.FieldDuplicate, e.ErrorClass);
        Assert.Contains("'ci'", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_DuplicateFieldWrittenWithAnEscape_IsStillADuplicate()
    {
        Assert.Equal(DecodeErrorClass.FieldDuplicate, Refuse("""{"ts":0,"kind":"event","check":"c","ci":"a","\u0063i":"b"}""").ErrorClass);
    }

    [Fact]
    public void Decode_DuplicateUnknownField_IsIgnored()
    {
        Assert.Equal("c", Decode("""{"ts":0,"kind":"event","check":"c","x":1,"x":2}""").Check);
    }

    [Fact]
    public void Decode_DuplicateLabelKey_IsFieldDuplicate()
    {
        var e = Refuse("""{"ts":0,"kind":"event","check":"c","labels":{"env":"a","env":"b"}}""");
        Assert.Equal(DecodeErrorClass.FieldDuplicate, e.ErrorClass);
        Assert.Contains("'env'", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_Labels_AreSortedAndScalarsKeepTheirJsonText()
    {
        var r = Decode("""{"ts":0,"kind":"metric","name":"m","value":1,"labels":{"z":"last","port":8080,"ratio":1.50,"canary":true,"off":false,"gone":null,"a":""}}""");
        Assert.Equal(["a", "canary", "off", "port", "ratio", "z"], r.Labels.Select(p => p.Key));
        Assert.Equal(["", "true", "false", "8080", "1.50", "last"], r.Labels.Select(p => p.Value));
    }

    [Fact]
    public void Decode_LabelWithObjectValue_IsFieldType()
    {
        var e = Refuse("""{"ts":0,"kind":"metric","name":"m","value":1,"labels":{"k":{"nested":1}}}""");
        Assert.Equal(DecodeErrorClass.FieldType, e.ErrorClass);
        Assert.Contains("'k'", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_EmptyLabelKey_IsFieldValue()
    {
        Assert.Equal(DecodeErrorClass.FieldValue, Refuse("""{"ts":0,"kind":"metric","name":"m","value":1,"labels":{"":"x"}}""").ErrorClass);
    }

    [Fact]
    public void Decode_TooManyLabels_IsLimitLabels()
    {
        var decoder = new TelemetryDecoder(new DecoderLimits { MaxLabels = 2 });
        Assert.True(decoder.TryDecode("""{"ts":0,"kind":"metric","name":"m","value":1,"labels":{"a":"1","b":"2"}}"""u8, out _, out _));
        Assert.False(decoder.TryDecode("""{"ts":0,"kind":"metric","name":"m","value":1,"labels":{"a":"1","b":"2","c":"3"}}"""u8, out _, out var error));
        Assert.Equal(DecodeErrorClass.LimitLabels, error.ErrorClass);
    }

    [Fact]
    public void Decode_RepeatedRecords_ShareInternedStringsAndLabelSets()
    {
        const string Json = """{"ts":0,"kind":"event","ci":"svc:a","check":"Down","labels":{"env":"prod"}}""";
        var first = Decode(Json);
        var second = Decode(Json);
        Assert.Same(first.Ci, second.Ci);
        Assert.Same(first.Check, second.Check);
        Assert.Same(first.Labels[0].Value, second.Labels[0].Value);
        Assert.True(first.Labels.AsSpan() == second.Labels.AsSpan(), "the label array is shared");
    }
}
