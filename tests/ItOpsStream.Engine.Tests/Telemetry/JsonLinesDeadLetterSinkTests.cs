using System.Text;
using System.Text.Json;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Tests.Telemetry;

public sealed class JsonLinesDeadLetterSinkTests
{
    private static async Task<string[]> WriteAsync(params DeadLetter[] letters)
    {
        using var output = new MemoryStream();
        await using (var sink = new JsonLinesDeadLetterSink(output, leaveOpen: true))
        {
            await sink.WriteAsync(letters, CancellationToken.None);
            await sink.FlushAsync(CancellationToken.None);
            Assert.Equal(letters.Length, sink.Count);
        }

        string text = Encoding.UTF8.GetString(output.ToArray());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return text[..^1].Split('\n');
    }

    [Fact]
    public async Task Write_Utf8Payload_IsOneLineThatRoundTripsTheExactBytes()
    {
        byte[] payload = Encoding.UTF8.GetBytes("{\"ts\":0,\"kind\":\"log\",\"message\":\"a \\\"q\\\" é 🚨\ttab\"}\r");
        var letter = new DeadLetter(payload, RecordOrigin.FileLine("events.jsonl", 17), "decode", DecodeErrorClass.FieldMissing, "field 'ci' is missing");

        string line = Assert.Single(await WriteAsync(letter));

        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        Assert.Equal("events.jsonl:17", root.GetProperty("origin").GetString());
        Assert.Equal("decode", root.GetProperty("stage").GetString());
        Assert.Equal("field.missing", root.GetProperty("error_class").GetString());
        Assert.Equal("field 'ci' is missing", root.GetProperty("reason").GetString());
        Assert.Equal(payload, Encoding.UTF8.GetBytes(root.GetProperty("payload").GetString()!));
        Assert.False(root.TryGetProperty("payload_base64", out _));
        Assert.Contains(" é", line, StringComparison.Ordinal); // BMP text stays readable; non-BMP is written as a surrogate-pair escape
    }

    [Fact]
    public async Task Write_InvalidUtf8Payload_GoesToPayloadBase64()
    {
        byte[] payload = [0x7B, 0xC3, 0x28, 0xFF, 0x7D];
        var letter = new DeadLetter(payload, new RecordOrigin("itops.events", 3, 1234), "decode", DecodeErrorClass.EncodingUtf8, "invalid UTF-8 at byte offset 1");

        using var doc = JsonDocument.Parse(Assert.Single(await WriteAsync(letter)));
        Assert.Equal("itops.events[3]@1234", doc.RootElement.GetProperty("origin").GetString());
        Assert.Equal(payload, doc.RootElement.GetProperty("payload_base64").GetBytesFromBase64());
        Assert.False(doc.RootElement.TryGetProperty("payload", out _));
    }

    [Fact]
    public async Task Write_PayloadsLargerThanASegment_RoundTripExactly()
    {
        // Multi-byte characters straddle every segment boundary somewhere in 2.5 segments of text.
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("ab€🚨\"\n", JsonLinesDeadLetterSink.SegmentBytes / 5)));
        byte[] binary = [.. text.AsSpan(0, JsonLinesDeadLetterSink.SegmentBytes * 2), 0xFF, 0x01];

        var lines = await WriteAsync(
            new DeadLetter(text, RecordOrigin.FileLine("big", 1), "decode", DecodeErrorClass.LimitRecordSize, "too big"),
            new DeadLetter(binary, RecordOrigin.FileLine("big", 2), "decode", DecodeErrorClass.LimitRecordSize, "too big"));

        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(text, Encoding.UTF8.GetBytes(first.RootElement.GetProperty("payload").GetString()!));
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal(binary, second.RootElement.GetProperty("payload_base64").GetBytesFromBase64());
    }

    [Fact]
    public async Task Write_ManyLetters_WritesOneLineEachInOrder()
    {
        var letters = Enumerable.Range(1, 5000)
            .Select(i => new DeadLetter(Encoding.UTF8.GetBytes($"bad {i}\n"), RecordOrigin.FileLine("f", i), "decode", DecodeErrorClass.JsonSyntax, "x"))
            .ToArray();

        var lines = await WriteAsync(letters);

        Assert.Equal(5000, lines.Length);
        using var last = JsonDocument.Parse(lines[^1]);
        Assert.Equal("f:5000", last.RootElement.GetProperty("origin").GetString());
        Assert.Equal("bad 5000\n", last.RootElement.GetProperty("payload").GetString());
    }

    [Fact]
    public async Task Create_WritesAFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"dead-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using (var sink = JsonLinesDeadLetterSink.Create(path))
            {
                await sink.WriteAsync([new DeadLetter("x"u8.ToArray(), RecordOrigin.FileLine("e", 1), "decode", DecodeErrorClass.JsonSyntax, "r")], CancellationToken.None);
            }

            Assert.Equal("""{"origin":"e:1","stage":"decode","error_class":"json.syntax","reason":"r","payload":"x"}""" + "\n", await File.ReadAllTextAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
