using System.Buffers;
using System.Text;
using System.Text.Json;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Connectors.Redis;

/// <summary>
/// The storage encoding of CIs and relations in Redis (docs/CMDB.md): a CI is the CONTRACTS §1 CI
/// object without its id (the id is the hash field); a relation is the field <c>from␟to</c> (unit
/// separator 0x1F) with the type as value.
/// </summary>
internal static class CmdbCodec
{
    public const char Separator = '\u001f';

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    public static byte[] EncodeCi(CiRecord ci)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            TopologyJsonWriter.WriteCiFields(w, ci);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a stored CI; <paramref name="pool"/> shares repeated strings (class, owner, attribute keys and values).</summary>
    public static CiRecord DecodeCi(string id, ReadOnlySpan<byte> json, StringPool pool)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException($"CI '{id}': stored value is not a JSON object");
        }

        string cls = string.Empty;
        string? name = null;
        string? owner = null;
        var criticality = Criticality.Medium;
        AttributeMap? attributes = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("class"u8))
            {
                reader.Read();
                cls = ReadString(ref reader, pool);
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = reader.GetString();
            }
            else if (reader.ValueTextEquals("owner"u8))
            {
                reader.Read();
                owner = ReadString(ref reader, pool);
            }
            else if (reader.ValueTextEquals("criticality"u8))
            {
                reader.Read();
                criticality = ParseCriticality(reader.GetString()) ?? throw new FormatException($"CI '{id}': unknown criticality '{reader.GetString()}'");
            }
            else if (reader.ValueTextEquals("attributes"u8))
            {
                reader.Read();
                attributes = ReadAttributes(ref reader, pool);
            }
            else
            {
                // A field written by a newer version: skip it rather than fail the whole load.
                reader.Read();
                reader.Skip();
            }
        }

        return new CiRecord(id, cls, name, criticality, owner, attributes);
    }

    public static Criticality? ParseCriticality(string? text) => text?.ToUpperInvariant() switch
    {
        "CRITICAL" => Criticality.Critical,
        "HIGH" => Criticality.High,
        "MEDIUM" => Criticality.Medium,
        "LOW" => Criticality.Low,
        _ => null,
    };

    public static byte[] EncodeRelationField(string from, string to)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(from) + 1 + Encoding.UTF8.GetByteCount(to)];
        int n = Encoding.UTF8.GetBytes(from, bytes);
        bytes[n] = (byte)Separator;
        Encoding.UTF8.GetBytes(to, bytes.AsSpan(n + 1));
        return bytes;
    }

    public static (string From, string To) DecodeRelationField(ReadOnlySpan<byte> field, StringPool pool)
    {
        int sep = field.IndexOf((byte)Separator);
        if (sep < 0)
        {
            throw new FormatException($"relation field '{Encoding.UTF8.GetString(field)}' has no separator");
        }

        return (pool.Get(field[..sep]), pool.Get(field[(sep + 1)..]));
    }

    /// <summary>Ids may hold anything but the separator, which would make a relation field ambiguous.</summary>
    public static void ValidateId(string id, string what)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new ArgumentException($"{what}: empty CI id");
        }

        if (id.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"{what}: CI id '{id.Replace(Separator, '?')}' contains the unit separator 0x1F");
        }
    }

    private static string ReadString(ref Utf8JsonReader reader, StringPool pool)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            throw new FormatException($"expected a string, got {reader.TokenType}");
        }

        if (!reader.ValueIsEscaped)
        {
            return pool.Get(reader.ValueSpan);
        }

        char[] buffer = ArrayPool<char>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            int n = reader.CopyString(buffer);
            return pool.Get(buffer.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>Attributes are stored sorted by key (<see cref="EncodeCi"/>), so they go straight into the compact <see cref="AttributeMap"/>.</summary>
    private static AttributeMap? ReadAttributes(ref Utf8JsonReader reader, StringPool pool)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var items = new List<KeyValuePair<string, string>>(4);
        bool sorted = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = ReadString(ref reader, pool);
            reader.Read();
            var value = ReadString(ref reader, pool);
            sorted &= items.Count == 0 || string.CompareOrdinal(items[^1].Key, key) < 0;
            items.Add(new(key, value));
        }

        if (!sorted)
        {
            // Written by another tool: sort, and let the last of a repeated key win as JSON readers do.
            items = [.. items.Select((p, i) => (p, i)).GroupBy(x => x.p.Key, StringComparer.Ordinal).Select(g => g.MaxBy(x => x.i).p).OrderBy(p => p.Key, StringComparer.Ordinal)];
        }

        return items.Count == 0 ? null : new AttributeMap([.. items]);
    }
}
