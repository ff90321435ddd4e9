using System.Text;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Tests.Topology;

public sealed class TopologyChangeDecoderTests
{
    private readonly TopologyChangeDecoder _decoder = new();

    private TopologyChange Decode(string json)
    {
        Assert.True(_decoder.TryDecode(Encoding.UTF8.GetBytes(json), out var change, out var error), error.ToString());
        return change;
    }

    private DecodeError Refuse(string json) => Refuse(Encoding.UTF8.GetBytes(json));

    private DecodeError Refuse(byte[] utf8)
    {
        Assert.False(_decoder.TryDecode(utf8, out var change, out var error));
        Assert.Null(change);
        Assert.DoesNotContain('\n', error.Reason);
        return error;
    }

    [Fact]
    public void Decode_CiUpsert_CarriesTheCiAndVersion()
    {
        var change = Decode("""{"op":"upsert","version":42,"id":"db:orders","class":"database","name":"orders-db","criticality":"high","owner":"team-data","attributes":{"dc":"fra1"}}""");

        Assert.Equal(TopologyChangeOp.Upsert, change.Op);
        Assert.Equal(42, change.Version);
        Assert.Null(change.Relation);
        var ci = change.Ci!;
        Assert.Equal(("db:orders", "database", "orders-db", Criticality.High, "team-data"), (ci.Id, ci.Class, ci.Name, ci.Criticality, ci.Owner));
        Assert.Equal("fra1", ci.Attributes!["dc"]);
    }

    [Fact]
    public void Decode_RelationDelete_CarriesTheRelation()
    {
        var change = Decode("""{"op":"DELETE","from":"svc:checkout","to":"host:node-3","type":"runs_on"}""");

        Assert.Equal(TopologyChangeOp.Delete, change.Op);
        Assert.Null(change.Ci);
        Assert.Null(change.Version);
        Assert.Equal(new RelationRecord("svc:checkout", "host:node-3", "runs_on"), change.Relation);
    }

    [Fact]
    public void Decode_CiDeleteWithOnlyAnId_IsAccepted()
    {
        var change = Decode("""{"op":"delete","id":"host:gone"}""");
        Assert.Equal((TopologyChangeOp.Delete, "host:gone"), (change.Op, change.Ci!.Id));
    }

    [Fact]
    public void Decode_WithoutOp_IsAnUpsertAndRelationTypeDefaultsToDependsOn()
    {
        var change = Decode("""{"from":"a","to":"b"}""");
        Assert.Equal(TopologyChangeOp.Upsert, change.Op);
        Assert.Equal("depends_on", change.Relation!.Type);
    }

    [Fact]
    public void Decode_FieldOrder_DoesNotMatter()
    {
        var change = Decode("""{"class":"host","version":1,"id":"h","op":"upsert"}""");
        Assert.Equal("h", change.Ci!.Id);
    }

    [Theory]
    [InlineData("""{"op":"merge","id":"a"}""", DecodeErrorClass.FieldValue, "'op'")]
    [InlineData("""{"op":"upsert","id":"a","from":"b","to":"c"}""", DecodeErrorClass.FieldValue, "one per message")]
    [InlineData("""{"op":"upsert","class":"host"}""", DecodeErrorClass.FieldMissing, "'id'")]
    [InlineData("""{"op":"delete","from":"a"}""", DecodeErrorClass.FieldMissing, "'to'")]
    [InlineData("""{"op":"upsert","id":"a","version":"7"}""", DecodeErrorClass.FieldType, "'version'")]
    [InlineData("""{"op":"upsert","id":"a","version":1.5}""", DecodeErrorClass.FieldType, "'version'")]
    [InlineData("""{"op":"upsert","id":"a","criticality":"urgent"}""", DecodeErrorClass.FieldValue, "'criticality'")]
    [InlineData("""{"op":"upsert","id":"a","id":"b"}""", DecodeErrorClass.FieldDuplicate, "'id'")]
    [InlineData("""{"op":"upsert","id":7}""", DecodeErrorClass.FieldType, "'id'")]
    [InlineData("""{"op":"upsert","id":"a"} x""", DecodeErrorClass.JsonSyntax, "byte")]
    [InlineData("""[{"op":"upsert","id":"a"}]""", DecodeErrorClass.JsonNotObject, "an array")]
    [InlineData("", DecodeErrorClass.JsonSyntax, "empty")]
    public void Decode_InvalidMessage_IsRefusedWithClassAndField(string json, string errorClass, string mention)
    {
        var error = Refuse(json);
        Assert.Equal(errorClass, error.ErrorClass);
        Assert.Contains(mention, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_InvalidUtf8_IsEncodingUtf8()
    {
        byte[] bytes = [.. """{"id":"a"""u8, 0xC0, .. "\"}"u8];
        Assert.Equal(DecodeErrorClass.EncodingUtf8, Refuse(bytes).ErrorClass);
    }

    [Fact]
    public void Decode_Limits_AreEnforced()
    {
        var decoder = new TopologyChangeDecoder(new DecoderLimits { MaxStringLength = 3, MaxLabels = 1, MaxDepth = 3 });

        Assert.True(decoder.TryDecode("""{"id":"abc","attributes":{"k":"v"},"x":{"y":{}}}"""u8, out _, out var ok), ok.ToString());
        Assert.False(decoder.TryDecode("""{"id":"abcd"}"""u8, out _, out var longId));
        Assert.Equal(DecodeErrorClass.LimitStringLength, longId.ErrorClass);
        Assert.False(decoder.TryDecode("""{"id":"a","attributes":{"k":"v","l":"w"}}"""u8, out _, out var attributes));
        Assert.Equal(DecodeErrorClass.LimitLabels, attributes.ErrorClass);
        Assert.False(decoder.TryDecode("""{"id":"a","x":{"y":{"z":{}}}}"""u8, out _, out var deep));
        Assert.Equal(DecodeErrorClass.JsonDepth, deep.ErrorClass);
    }

    [Fact]
    public void Decode_RepeatedMessages_ShareClassStrings()
    {
        var first = Decode("""{"id":"a","class":"host"}""");
        var second = Decode("""{"id":"b","class":"host"}""");
        Assert.Same(first.Ci!.Class, second.Ci!.Class);
    }
}
