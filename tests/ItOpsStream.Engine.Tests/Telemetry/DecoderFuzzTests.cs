using System.Reflection;
using System.Text;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Tests.Telemetry;

/// <summary>
/// Seeded random corruption of valid input: whatever the bytes, decoders answer with a record or a
/// documented error class, and never throw; the topology loader throws only its format exception.
/// </summary>
public sealed class DecoderFuzzTests
{
    private static readonly HashSet<string> KnownClasses = typeof(DecodeErrorClass)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (string)f.GetValue(null)!)
        .ToHashSet(StringComparer.Ordinal);

    private static readonly string[] Seeds =
    [
        """{"ts":"2026-11-25T12:00:05.250+01:00","kind":"event","source":"prometheus","ci":"svc:checkout","check":"HighErrorRate","severity":"critical","status":"firing","dedup_key":"k","message":"5xx \u00e9 \ud83d\udea8","labels":{"env":"prod","port":8080}}""",
        """{"ts":1795609876000,"kind":"metric","ci":"host:node-3","name":"cpu.util","value":97.5,"labels":{"a":"b"},"extra":[1,{"x":null}]}""",
        """{"ts":"2026-11-25T12:00:06Z","kind":"log","ci":"svc:checkout","level":"error","message":"connection refused"}""",
        """{"ts":"2026-11-25T11:58:00Z","kind":"change","ci":"svc:checkout","change_id":"CHG0042","description":"deploy"}""",
    ];

    private static readonly string[] ChangeSeeds =
    [
        """{"op":"upsert","version":3,"id":"db:orders","class":"database","criticality":"high","attributes":{"dc":"fra1","cores":8}}""",
        """{"op":"delete","from":"svc:a","to":"db:b","type":"runs_on"}""",
    ];

    [Fact]
    public void TryDecode_CorruptedRecords_NeverThrowAndUseKnownClasses()
    {
        var decoder = new TelemetryDecoder();
        var random = new Random(20261125);
        foreach (var seed in Seeds)
        {
            byte[] original = Encoding.UTF8.GetBytes(seed);
            Assert.True(decoder.TryDecode(original, out _, out var clean), clean.ToString());
            for (int i = 0; i < 3000; i++)
            {
                byte[] mutated = Mutate(original, random);
                if (!decoder.TryDecode(mutated, out _, out var error))
                {
                    Assert.Contains(error.ErrorClass, KnownClasses);
                    Assert.False(string.IsNullOrWhiteSpace(error.Reason));
                    Assert.DoesNotContain('\n', error.Reason);
                }
            }

            // The decoder is still sound after thousands of refusals.
            Assert.True(decoder.TryDecode(original, out _, out _));
        }
    }

    [Fact]
    public void TryDecode_CorruptedCmdbChanges_NeverThrowAndUseKnownClasses()
    {
        var decoder = new TopologyChangeDecoder();
        var random = new Random(7);
        foreach (var seed in ChangeSeeds)
        {
            byte[] original = Encoding.UTF8.GetBytes(seed);
            for (int i = 0; i < 3000; i++)
            {
                if (!decoder.TryDecode(Mutate(original, random), out _, out var error))
                {
                    Assert.Contains(error.ErrorClass, KnownClasses);
                    Assert.DoesNotContain('\n', error.Reason);
                }
            }
        }
    }

    [Fact]
    public void Parse_CorruptedTopology_ThrowsOnlyTopologyFormatException()
    {
        byte[] original = Encoding.UTF8.GetBytes(Topology.TopologyFileTests.GenerateTopology(cis: 20, relations: 40, seed: 3));
        var random = new Random(11);
        for (int i = 0; i < 1500; i++)
        {
            byte[] mutated = Mutate(original, random);
            try
            {
                var doc = TopologyFile.Parse(mutated, "t.json");
                Assert.All(doc.Cis, ci => Assert.False(string.IsNullOrEmpty(ci.Id)));
            }
            catch (TopologyFormatException ex)
            {
                Assert.False(ex.Message.Contains('\n', StringComparison.Ordinal), ex.Message.Replace("\n", "<NL>", StringComparison.Ordinal));
                Assert.True(ex.Line >= 1, ex.Message);
            }
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.RemoveAt(at);
                    break;
                case 2:
                    bytes.Insert(at, "{}[]\",:\\0e-.nu"u8[random.Next(14)]);
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4:
                    int from = random.Next(bytes.Count);
                    bytes.InsertRange(at, bytes.GetRange(from, Math.Min(20, bytes.Count - from)));
                    break;
                default:
                    bytes[at] = (byte)(0x80 | random.Next(128));
                    break;
            }
        }

        return [.. bytes];
    }
}
