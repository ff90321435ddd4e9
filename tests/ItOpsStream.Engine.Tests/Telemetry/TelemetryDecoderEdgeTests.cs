using System.Text;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Tests.Telemetry;

/// <summary>The defined behaviour for hostile and unusual input: Unicode, numbers, limits, malformed JSON.</summary>
public sealed class TelemetryDecoderEdgeTests
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
        Assert.False(_decoder.TryDecode(utf8, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error.Reason));
        Assert.DoesNotContain('\n', error.Reason);
        return error;
    }

    [Fact]
    public void Decode_NonAsciiText_IsKeptExactly()
    {
        var r = Decode("""{"ts":0,"kind":"log","ci":"svc:zahlungsdienst-größe","message":"接続が拒否されました 🚨","labels":{"région":"île-de-france"}}""");
        Assert.Equal("svc:zahlungsdienst-größe", r.Ci);
        Assert.Equal("接続が拒否されました 🚨", r.Message);
        Assert.True(r.Labels.TryGetValue("région", out var v));
        Assert.Equal("île-de-france", v);
    }

    [Fact]
    public void Decode_EscapedText_IsUnescapedIncludingSurrogatePairs()
    {
        var r = Decode("""{"ts":0,"kind":"log","ci":"svc:\u00e9t\u00E9","message":"tab\there \"quoted\" \ud83d\udea8 \\ end","labels":{"k\u00fcy":"v\u00e4l"}}""");
        Assert.Equal("svc:été", r.Ci);
        Assert.Equal("tab\there \"quoted\" 🚨 \\ end", r.Message);
        Assert.Equal("küy", r.Labels[0].Key);
        Assert.Equal("väl", r.Labels[0].Value);
    }

    [Fact]
    public void Decode_EscapedAndPlainSpellings_InternToTheSameString()
    {
        var plain = Decode("""{"ts":0,"kind":"event","check":"c","ci":"svc:a"}""");
        var escaped = Decode("""{"ts":0,"kind":"event","check":"c","ci":"svc:\u0061"}""");
        Assert.Same(plain.Ci, escaped.Ci);
    }

    [Theory]
    [InlineData("""{"ts":0,"kind":"log","message":"half \ud83d only"}""")]
    [InlineData("""{"ts":0,"kind":"log","message":"low \udea8 first"}""")]
    public void Decode_UnpairedSurrogateEscape_IsEncodingSurrogate(string json)
    {
        var e = Refuse(json);
        Assert.Equal(DecodeErrorClass.EncodingSurrogate, e.ErrorClass);
        Assert.Contains("'message'", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_InvalidUtf8Bytes_IsEncodingUtf8WithTheOffset()
    {
        byte[] bytes = [.. """{"ts":0,"kind":"log","message":"bad """u8, 0xC3, 0x28, .. "\"}"u8];
        var e = Refuse(bytes);
        Assert.Equal(DecodeErrorClass.EncodingUtf8, e.ErrorClass);
        Assert.Contains("byte offset 36", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_InvalidUtf8InAnIgnoredField_IsStillRefused()
    {
        byte[] bytes = [.. """{"ts":0,"kind":"event","check":"c","junk":" """u8, 0xFF, .. "\"}"u8];
        Assert.Equal(DecodeErrorClass.EncodingUtf8, Refuse(bytes).ErrorClass);
    }

    [Fact]
    public void Decode_ByteOrderMark_IsIgnored()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. """{"ts":0,"kind":"event","check":"c"}"""u8];
        Assert.True(_decoder.TryDecode(bytes, out var r, out _));
        Assert.Equal("c", r.Check);
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    public void Decode_ValueBeyondDoubleRange_IsFieldValue(string number)
    {
        var e = Refuse($$"""{"ts":0,"kind":"metric","name":"m","value":{{number}}}""");
        Assert.Equal(DecodeErrorClass.FieldValue, e.ErrorClass);
        Assert.Contains("'value'", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ThirtyDigitValue_IsTheNearestDouble()
    {
        Assert.Equal(1.2345678901234568e29, Decode("""{"ts":0,"kind":"metric","name":"m","value":123456789012345678901234567890}""").Value);
    }

    [Fact]
    public void Decode_TinyValue_UnderflowsToZeroLikeIeee()
    {
        Assert.Equal(0.0, Decode("""{"ts":0,"kind":"metric","name":"m","value":1e-400}""").Value);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void Decode_NonFiniteLiterals_AreNotJson(string literal)
    {
        Assert.Equal(DecodeErrorClass.JsonSyntax, Refuse($$"""{"ts":0,"kind":"metric","name":"m","value":{{literal}}}""").ErrorClass);
    }

    [Theory]
    [InlineData("2026-11-25T12:00:05Z", 1795608005000)]
    [InlineData("2026-11-25t12:00:05z", 1795608005000)]
    [InlineData("2026-11-25 12:00:05Z", 1795608005000)]
    [InlineData("2026-11-25T12:00:05.123Z", 1795608005123)]
    [InlineData("2026-11-25T12:00:05.1Z", 1795608005100)]
    [InlineData("2026-11-25T12:00:05.123456789Z", 1795608005123)]
    [InlineData("2026-11-25T13:30:05+01:30", 1795608005000)]
    [InlineData("2026-11-25T07:00:05-05:00", 1795608005000)]
    [InlineData("1970-01-01T00:00:00Z", 0)]
    [InlineData("1969-12-31T23:59:59.999Z", -1)]
    [InlineData("2024-02-29T00:00:00Z", 1709164800000)]
    [InlineData("9999-12-31T23:59:59.999Z", 253402300799999)]
    [InlineData("0001-01-01T00:00:00Z", -62135596800000)]
    public void Decode_Rfc3339Timestamps_BecomeEpochMillisUtc(string ts, long expected)
    {
        Assert.Equal(expected, Decode($$"""{"ts":"{{ts}}","kind":"event","check":"c"}""").Timestamp);
    }

    [Theory]
    [InlineData("2026-11-25T12:00:05")]
    [InlineData("2026-11-25")]
    [InlineData("2026-02-30T12:00:00Z")]
    [InlineData("2023-02-29T12:00:00Z")]
    [InlineData("2026-11-25T24:00:00Z")]
    [InlineData("2026-11-25T23:59:60Z")]
    [InlineData("2026-11-25T12:00:05.Z")]
    [InlineData("2026-11-25T12:00:05+0100")]
    [InlineData("2026-11-25T12:00:05Z junk")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("yesterday")]
    [InlineData("1795609876000")]
    [InlineData("")]
    public void Decode_BadTimestampText_IsTimestampInvalid(string ts)
    {
        var e = Refuse($$"""{"ts":"{{ts}}","kind":"event","check":"c"}""");
        Assert.Equal(DecodeErrorClass.TimestampInvalid, e.ErrorClass);
        Assert.Contains("'ts'", e.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("253402300800000")]
    [InlineData("-62135596800001")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("1e400")]
    public void Decode_EpochMillisOutsideYears1To9999_IsTimestampInvalid(string ts)
    {
        Assert.Equal(DecodeErrorClass.TimestampInvalid, Refuse($$"""{"ts":{{ts}},"kind":"event","check":"c"}""").ErrorClass);
    }

    [Theory]
    [InlineData("1795609876000.9", 1795609876000)]
    [InlineData("1.795609876e12", 1795609876000)]
    [InlineData("-0.5", -1)]
    public void Decode_NonIntegralEpochMillis_AreFloored(string ts, long expected)
    {
        Assert.Equal(expected, Decode($$"""{"ts":{{ts}},"kind":"event","check":"c"}""").Timestamp);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \r\n")]
    public void Decode_EmptyInput_IsJsonSyntax(string text)
    {
        var e = Refuse(text);
        Assert.Equal(DecodeErrorClass.JsonSyntax, e.ErrorClass);
        Assert.Equal("empty record", e.Reason);
    }

    [Theory]
    [InlineData("""{"ts":0,"kind":"event","check":"c"} x""")]
    [InlineData("""{"ts":0,"kind":"event","check":"c"}{"ts":0}""")]
    [InlineData("""{"ts":0,"kind":"event","check":"c"},""")]
    public void Decode_TrailingContent_IsJsonSyntax(string json)
    {
        Assert.Equal(DecodeErrorClass.JsonSyntax, Refuse(json).ErrorClass);
    }

    [Fact]
    public void Decode_SurroundingWhitespace_IsAllowed()
    {
        Assert.Equal("c", Decode(" \t{\"ts\":0,\"kind\":\"event\",\"check\":\"c\"}\r\n").Check);
    }

    [Theory]
    [InlineData("""{"ts":0,"kind":"event","check":"c" """)]
    [InlineData("""{"ts":0,"kind":"event","check":"c",}""")]
    [InlineData("""{'ts':0}""")]
    [InlineData("""{"ts":0 /* c */,"kind":"event","check":"c"}""")]
    [InlineData("""{"message":"raw	tab"}""")]
    public void Decode_MalformedJson_IsJsonSyntaxWithAPosition(string json)
    {
        var e = Refuse(json);
        Assert.Equal(DecodeErrorClass.JsonSyntax, e.ErrorClass);
        Assert.Contains("(byte ", e.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"ts":0,"kind":"event","check":"c"}]""", "an array")]
    [InlineData("\"event\"", "a string")]
    [InlineData("42", "a number")]
    [InlineData("null", "null")]
    public void Decode_TopLevelNonObject_IsJsonNotObject(string json, string found)
    {
        var e = Refuse(json);
        Assert.Equal(DecodeErrorClass.JsonNotObject, e.ErrorClass);
        Assert.EndsWith(found, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NestingAtTheLimit_IsAcceptedAndOneDeeperIsJsonDepth()
    {
        var decoder = new TelemetryDecoder(new DecoderLimits { MaxDepth = 4 });

        // The record is level 1, so "x" may hold three more levels.
        Assert.True(decoder.TryDecode("""{"ts":0,"kind":"event","check":"c","x":{"a":[{}]}}"""u8, out _, out var ok), ok.ToString());
        Assert.False(decoder.TryDecode("""{"ts":0,"kind":"event","check":"c","x":{"a":[{"b":[]}]}}"""u8, out _, out var error));
        Assert.Equal(DecodeErrorClass.JsonDepth, error.ErrorClass);
    }

    [Fact]
    public void Decode_DeeplyNestedGarbage_IsJsonDepthNotAStackProblem()
    {
        string json = """{"ts":0,"kind":"event","check":"c","x":""" + new string('[', 100_000) + new string(']', 100_000) + "}";
        Assert.Equal(DecodeErrorClass.JsonDepth, Refuse(json).ErrorClass);
    }

    [Fact]
    public void Decode_RecordOverTheSizeLimit_IsLimitRecordSize()
    {
        var decoder = new TelemetryDecoder(new DecoderLimits { MaxRecordBytes = 64 });
        var json = $$"""{"ts":0,"kind":"log","message":"{{new string('x', 64)}}"}""";
        Assert.False(decoder.TryDecode(Encoding.UTF8.GetBytes(json), out _, out var error));
        Assert.Equal(DecodeErrorClass.LimitRecordSize, error.ErrorClass);
    }

    [Fact]
    public void Decode_StringLimits_CountCharactersNotBytes()
    {
        var decoder = new TelemetryDecoder(new DecoderLimits { MaxStringLength = 4, MaxMessageLength = 6 });

        // Four characters that take eight bytes are within a four-character limit.
        Assert.True(decoder.TryDecode(Encoding.UTF8.GetBytes("""{"ts":0,"kind":"log","ci":"ääää","message":"123456"}"""), out _, out var ok), ok.ToString());
        Assert.False(decoder.TryDecode(Encoding.UTF8.GetBytes("""{"ts":0,"kind":"log","ci":"äääää","message":"m"}"""), out _, out var id));
        Assert.Equal(DecodeErrorClass.LimitStringLength, id.ErrorClass);
        Assert.Contains("'ci'", id.Reason, StringComparison.Ordinal);
        Assert.False(decoder.TryDecode(Encoding.UTF8.GetBytes("""{"ts":0,"kind":"log","message":"1234567"}"""), out _, out var message));
        Assert.Equal(DecodeErrorClass.LimitStringLength, message.ErrorClass);
        Assert.False(decoder.TryDecode(Encoding.UTF8.GetBytes("""{"ts":0,"kind":"log","message":"m","labels":{"k":"12345"}}"""), out _, out var label));
        Assert.Equal(DecodeErrorClass.LimitStringLength, label.ErrorClass);
        Assert.False(decoder.TryDecode(Encoding.UTF8.GetBytes("""{"ts":0,"kind":"log","message":"m","labels":{"k":12345}}"""), out _, out var number));
        Assert.Equal(DecodeErrorClass.LimitStringLength, number.ErrorClass);
    }

    [Fact]
    public void Decode_EscapedNewlineInAQuotedValue_StaysOnOneLineInTheReason()
    {
        var e = Refuse("""{"ts":0,"kind":"event","check":"c","labels":{"a\nb":"1","a\nb":"2"}}""");
        Assert.Equal(DecodeErrorClass.FieldDuplicate, e.ErrorClass);
        Assert.Contains("'a\\u000ab'", e.Reason, StringComparison.Ordinal);

        Assert.Contains("\\u000a", Refuse("""{"ts":0,"kind":"event","check":"c","severity":"bad\nvalue"}""").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_InvalidLiteralBeforeALongTail_GivesAShortReason()
    {
        var e = Refuse($$"""{"ts":0,"kind":"event","check":"c","x":tru,"message":"{{new string('m', 5000)}}"}""");
        Assert.Equal(DecodeErrorClass.JsonSyntax, e.ErrorClass);
        Assert.True(e.Reason.Length < 200, e.Reason);
    }

    [Fact]
    public void Decode_AfterAnError_TheNextRecordDecodesCleanly()
    {
        Assert.False(_decoder.TryDecode("""{"ts":0,"kind":"event","check":"c","labels":{"a":"1","a":"2"}}"""u8, out _, out _));
        var r = Decode("""{"ts":0,"kind":"event","check":"c","labels":{"a":"1"}}""");
        Assert.Single(r.Labels);
    }

    [Fact]
    public void Limits_OutOfRange_AreRefusedWhenSet()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DecoderLimits { MaxLabels = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DecoderLimits { MaxRecordBytes = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DecoderLimits { MaxDepth = 1 });
        Assert.Equal(1024 * 1024, DecoderLimits.Default.MaxRecordBytes);
        Assert.Equal(8, DecoderLimits.Default.MaxDepth);
    }
}
