using System.Text;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Tests.Topology;

public sealed class TopologyFileTests
{
    private const string ContractExample = """
        {
          "cis": [
            {"id": "bs:online-store", "class": "business_service", "name": "Online Store",
             "criticality": "high", "owner": "team-commerce"},
            {"id": "svc:checkout", "class": "service", "name": "checkoutservice", "owner": "team-payments"},
            {"id": "db:orders", "class": "database", "name": "orders-db"},
            {"id": "host:node-3", "class": "host", "name": "node-3", "attributes": {"dc": "fra1"}}
          ],
          "relations": [
            {"from": "bs:online-store", "to": "svc:frontend", "type": "depends_on"},
            {"from": "svc:checkout", "to": "db:orders", "type": "depends_on"},
            {"from": "svc:checkout", "to": "host:node-3", "type": "runs_on"}
          ]
        }
        """;

    private static TopologyDocument Parse(string json) => TopologyFile.Parse(Encoding.UTF8.GetBytes(json), "t.json");

    private static TopologyFormatException Refuse(string json) => Refuse(Encoding.UTF8.GetBytes(json));

    private static TopologyFormatException Refuse(byte[] utf8)
    {
        var ex = Assert.Throws<TopologyFormatException>(() => TopologyFile.Parse(utf8, "t.json"));
        Assert.DoesNotContain('\n', ex.Message);
        Assert.StartsWith($"t.json:{ex.Line}:{ex.Column}: ", ex.Message, StringComparison.Ordinal);
        return ex;
    }

    [Fact]
    public void Parse_ContractExample_ReadsEveryField()
    {
        var doc = Parse(ContractExample);

        Assert.Equal(4, doc.Cis.Count);
        var store = doc.Cis[0];
        Assert.Equal(("bs:online-store", "business_service", "Online Store", Criticality.High, "team-commerce"), (store.Id, store.Class, store.Name, store.Criticality, store.Owner));
        Assert.True(store.IsBusinessService);
        Assert.Equal(Criticality.Medium, doc.Cis[1].Criticality);
        Assert.Null(doc.Cis[2].Owner);
        Assert.Null(doc.Cis[2].Attributes);
        Assert.Equal("fra1", doc.Cis[3].Attributes!["dc"]);

        Assert.Equal(3, doc.Relations.Count);
        Assert.Equal(new RelationRecord("svc:checkout", "host:node-3", "runs_on"), doc.Relations[2]);
    }

    [Fact]
    public void Parse_RelationToAnUndeclaredCi_IsKeptWithAWarningAtItsPosition()
    {
        var doc = Parse(ContractExample);

        Assert.Equal(new RelationRecord("bs:online-store", "svc:frontend"), doc.Relations[0]);
        var warning = Assert.Single(doc.Warnings);
        Assert.Equal("t.json:10:5: relation 'bs:online-store' -> 'svc:frontend' names unknown CI 'svc:frontend'; kept", warning);
    }

    [Fact]
    public void Parse_RelationsBeforeCis_ResolveWithoutWarningsAndShareIdStrings()
    {
        var doc = Parse("""{"relations":[{"from":"a","to":"b"}],"cis":[{"id":"a"},{"id":"b","class":"host"}]}""");

        Assert.Empty(doc.Warnings);
        Assert.Same(doc.Cis[0].Id, doc.Relations[0].From);
        Assert.Same(doc.Cis[1].Id, doc.Relations[0].To);
        Assert.Equal("depends_on", doc.Relations[0].Type);
        Assert.Equal(string.Empty, doc.Cis[0].Class);
    }

    [Fact]
    public void Parse_RelationEnds_ShareTheDeclaredCiStrings()
    {
        var doc = Parse("""{"cis":[{"id":"a"},{"id":"b"}],"relations":[{"from":"a","to":"b"},{"from":"b","to":"a"}]}""");
        Assert.Same(doc.Cis[0].Id, doc.Relations[0].From);
        Assert.Same(doc.Relations[0].From, doc.Relations[1].To);
    }

    [Fact]
    public void Parse_SelfLoop_IsKeptWithAWarning()
    {
        var doc = Parse("""{"cis":[{"id":"a"}],"relations":[{"from":"a","to":"a"}]}""");
        Assert.Single(doc.Relations);
        Assert.Contains("points to itself", Assert.Single(doc.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ManyDanglingRelations_ListsTheFirstTenThousandAndCountsTheRest()
    {
        var sb = new StringBuilder("""{"cis":[{"id":"a"}],"relations":[""");
        for (int i = 0; i < TopologyFileParser.MaxWarnings + 5; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append($$"""{"from":"a","to":"x{{i}}"}""");
        }

        var doc = Parse(sb.Append("]}").ToString());
        Assert.Equal(TopologyFileParser.MaxWarnings + 5, doc.Relations.Count);
        Assert.Equal(TopologyFileParser.MaxWarnings + 1, doc.Warnings.Count);
        Assert.Equal("t.json: 5 more warnings not listed (10005 in all)", doc.Warnings[^1]);
    }

    [Fact]
    public void Parse_UnknownFieldsAnywhere_AreSkipped()
    {
        var doc = Parse("""
            {"version": 3, "meta": {"exported": ["x", {"y": null}]},
             "cis": [{"id": "a", "sys_id": {"deep": [1, 2]}, "tags": ["t"]}],
             "relations": [], "extra": "z"}
            """);
        Assert.Equal("a", Assert.Single(doc.Cis).Id);
    }

    [Fact]
    public void Parse_NullsAndMissingSections_AreEmpty()
    {
        var doc = Parse("""{"cis":[{"id":"a","class":null,"criticality":null,"attributes":null}],"relations":null}""");
        Assert.Equal(Criticality.Medium, doc.Cis[0].Criticality);
        Assert.Empty(doc.Relations);
        Assert.Empty(Parse("{}").Cis);
    }

    [Fact]
    public void Parse_EscapesAndUnicode_AreDecoded()
    {
        var doc = Parse("""{"cis":[{"id":"svc:caf\u00e9","name":"Zahlungsdienst – 決済 🚀","attributes":{"r\u00e9gion":"\ud83c\udf0d"}}]}""");
        Assert.Equal("svc:café", doc.Cis[0].Id);
        Assert.Equal("Zahlungsdienst – 決済 🚀", doc.Cis[0].Name);
        Assert.Equal("🌍", doc.Cis[0].Attributes!["région"]);
    }

    [Fact]
    public void Parse_CriticalityWords_AreCaseInsensitive()
    {
        var doc = Parse("""{"cis":[{"id":"a","criticality":"CRITICAL"},{"id":"b","criticality":"Low"}]}""");
        Assert.Equal([Criticality.Critical, Criticality.Low], doc.Cis.Select(c => c.Criticality));
    }

    [Fact]
    public void Parse_ScalarAttributes_KeepTheirJsonText()
    {
        var attributes = Parse("""{"cis":[{"id":"a","attributes":{"cores":16,"virtual":true,"weight":0.50,"gone":null}}]}""").Cis[0].Attributes!;
        Assert.Equal(3, attributes.Count);
        Assert.Equal(("16", "true", "0.50"), (attributes["cores"], attributes["virtual"], attributes["weight"]));
        Assert.False(attributes.ContainsKey("gone"));
    }

    [Fact]
    public void Parse_DuplicateCiId_IsAnErrorAtTheSecondId()
    {
        var ex = Refuse("{\"cis\":[\n  {\"id\":\"a\"},\n  {\"class\":\"host\", \"id\":\"a\"}\n]}");
        Assert.Equal("t.json:3:25: CI id 'a' appears more than once", ex.Message);
    }

    [Fact]
    public void Parse_DuplicateIdWithAnEscapedNewline_IsReportedOnOneLine()
    {
        Assert.Equal("t.json:1:29: CI id 'a\\u000ab' appears more than once", Refuse("""{"cis":[{"id":"a\nb"},{"id":"a\nb"}]}""").Message);
    }

    [Theory]
    [InlineData("""{"cis":[{"id":"a","criticality":"urgent"}]}""", 1, 33, "field 'criticality' has unknown value 'urgent' (expected critical, high, medium or low)")]
    [InlineData("""{"cis":[{"id":""}]}""", 1, 9, "a CI needs a non-empty string 'id'")]
    [InlineData("""{"cis":[{"name":"x"}]}""", 1, 9, "a CI needs a non-empty string 'id'")]
    [InlineData("""{"cis":[{"id":7}]}""", 1, 15, "field 'id' must be a string, found a number")]
    [InlineData("""{"cis":[{"id":"a","id":"b"}]}""", 1, 19, "field 'id' appears more than once")]
    [InlineData("""{"cis":[{"id":"a","attributes":{"k":{"x":1}}}]}""", 1, 37, "attribute 'k' must be a string, number or boolean, found an object")]
    [InlineData("""{"cis":[{"id":"a","attributes":{"k":"1","k":"2"}}]}""", 1, 41, "attribute 'k' appears more than once")]
    [InlineData("""{"cis":["a"]}""", 1, 9, "each entry of 'cis' must be an object, found a string")]
    [InlineData("""{"cis":{"id":"a"}}""", 1, 8, "field 'cis' must be an array, found an object")]
    [InlineData("""{"cis":[],"cis":[]}""", 1, 11, "field 'cis' appears more than once")]
    [InlineData("""{"relations":[{"from":"a"}]}""", 1, 15, "a relation needs non-empty strings 'from' and 'to'")]
    [InlineData("""[{"id":"a"}]""", 1, 1, "a topology must be a JSON object with 'cis' and 'relations', found an array")]
    public void Parse_InvalidContent_ThrowsWithFileLineAndColumn(string json, int line, int column, string detail)
    {
        var ex = Refuse(json);
        Assert.Equal($"t.json:{line}:{column}: {detail}", ex.Message);
        Assert.Equal(detail, ex.Detail);
    }

    [Theory]
    [InlineData("{\"cis\":[\n{\"id\":\"a\",}\n]}", 2)]
    [InlineData("{\"cis\":[{\"id\":\"a\"}]} trailing", 1)]
    [InlineData("{\"cis\":[{\"id\":\"a\"}]", 1)]
    [InlineData("", 1)]
    [InlineData("{\"cis\":[{\"id\":\"a\" /* comment */}]}", 1)]
    public void Parse_MalformedJson_ThrowsWithTheReadersPosition(string json, int line)
    {
        Assert.Equal(line, Refuse(json).Line);
    }

    [Fact]
    public void Parse_InvalidUtf8InAString_Throws()
    {
        byte[] bytes = [.. """{"cis":[{"id":"a","name":"x"""u8, 0xFF, .. "\"}]}"u8];
        Assert.Contains("UTF-8", Refuse(bytes).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ByteOrderMark_IsIgnored()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. """{"cis":[{"id":"a"}]}"""u8];
        Assert.Equal("a", Assert.Single(TopologyFile.Parse(bytes, "t.json").Cis).Id);
    }

    [Fact]
    public void Load_ReadsAFileLikeParse()
    {
        string path = Path.Combine(Path.GetTempPath(), $"topology-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, ContractExample);
        try
        {
            var loaded = TopologyFile.Load(path);
            var parsed = Parse(ContractExample);
            Assert.Equal(parsed.Cis.Select(c => c with { Attributes = null }), loaded.Cis.Select(c => c with { Attributes = null }));
            Assert.Equal(parsed.Relations, loaded.Relations);
            Assert.StartsWith(path + ":10:5: ", Assert.Single(loaded.Warnings), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => TopologyFile.Load(Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.json")));
    }

    [Fact]
    public void Load_ErrorPosition_IsTheSameAsInMemory()
    {
        string json = ContractExample.Replace("\"low\"", "\"x\"", StringComparison.Ordinal).Replace("\"criticality\": \"high\"", "\"criticality\": \"huge\"", StringComparison.Ordinal);
        var inMemory = Refuse(json);
        var streamed = Assert.Throws<TopologyFormatException>(() => new TopologyFileParser("t.json").Parse(new TrickleStream(Encoding.UTF8.GetBytes(json)), initialBuffer: 8));
        Assert.Equal(inMemory.Message, streamed.Message);
    }

    [Fact]
    public void Parse_StreamedByteByByteThroughATinyBuffer_GivesTheSameDocument()
    {
        string json = GenerateTopology(cis: 300, relations: 900, seed: 7);
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        var expected = TopologyFile.Parse(bytes, "t.json");

        var streamed = new TopologyFileParser("t.json").Parse(new TrickleStream(bytes), initialBuffer: 16);

        AssertSameDocument(expected, streamed);
        Assert.Equal(expected.Warnings, streamed.Warnings);
        Assert.NotEmpty(expected.Warnings);
    }

    [Fact]
    public void Parse_StreamedWithBomAndMalformedTail_ReportsTheLineOfTheError()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("{\"cis\":[\n{\"id\":\"a\"},\n{\"id\":\"b\",,}]}")];
        var ex = Assert.Throws<TopologyFormatException>(() => new TopologyFileParser("t.json").Parse(new TrickleStream(bytes), initialBuffer: 4));
        Assert.Equal(3, ex.Line);
        Assert.Equal(11, ex.Column);
    }

    private static void AssertSameDocument(TopologyDocument expected, TopologyDocument actual)
    {
        Assert.Equal(expected.Cis.Count, actual.Cis.Count);
        for (int i = 0; i < expected.Cis.Count; i++)
        {
            Assert.Equal(expected.Cis[i] with { Attributes = null }, actual.Cis[i] with { Attributes = null });
            Assert.Equal(expected.Cis[i].Attributes?.ToArray(), actual.Cis[i].Attributes?.ToArray());
        }

        Assert.Equal(expected.Relations, actual.Relations);
    }

    /// <summary>A deterministic topology with escapes, Unicode, unknown nested fields and a few dangling relations.</summary>
    internal static string GenerateTopology(int cis, int relations, int seed)
    {
        var random = new Random(seed);
        string[] classes = ["service", "host", "database", "business_service"];
        string[] criticality = ["low", "medium", "high", "critical"];
        var sb = new StringBuilder("{\n  \"meta\": {\"source\": \"test\", \"nested\": [[1], {\"a\": null}]},\n  \"cis\": [\n");
        for (int i = 0; i < cis; i++)
        {
            sb.Append(i == 0 ? "    " : ",\n    ")
              .Append($$"""{"id": "ci:{{i}}-caf\u00e9", "class": "{{classes[i % 4]}}", "name": "Dienst {{i}} – ✓ \"q\"", "criticality": "{{criticality[random.Next(4)]}}" """);
            if (i % 3 == 0)
            {
                sb.Append($$""", "attributes": {"dc": "fra{{i % 5}}", "cores": {{i % 64}}, "long": "{{new string('x', random.Next(40))}}"}""");
            }

            if (i % 7 == 0)
            {
                sb.Append(""", "sys": {"deep": [1, {"x": [true]}]}""");
            }

            sb.Append('}');
        }

        sb.Append("\n  ],\n  \"relations\": [\n");
        for (int i = 0; i < relations; i++)
        {
            int from = random.Next(cis), to = random.Next(cis + 3);
            sb.Append(i == 0 ? "    " : ",\n    ")
              .Append($$"""{"from": "ci:{{from}}-caf\u00e9", "to": "ci:{{to}}-café", "type": "{{(i % 2 == 0 ? "depends_on" : "runs_on")}}"}""");
        }

        return sb.Append("\n  ]\n}\n").ToString();
    }

    /// <summary>A stream that hands out one byte per read, so every element is cut at every possible byte.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));
    }
}
