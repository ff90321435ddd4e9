using System.Text.Json;
using System.Text.Unicode;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Topology;

/// <summary>
/// Decodes one message of the CMDB change topic (CONTRACTS §1): a CI or a relation object in the
/// topology file's shape with <c>"op": "upsert" | "delete"</c> and an optional integer <c>version</c>.
/// A message with <c>id</c> is a CI; one with <c>from</c> and <c>to</c> is a relation; <c>op</c>
/// defaults to <c>upsert</c>. The rules are in docs/FORMATS.md.
/// </summary>
/// <remarks>
/// Not thread-safe: it pools the strings that repeat between messages (classes, types, owners, CI ids),
/// so one instance belongs to one consumer loop. Never throws on bad input: problems are
/// <see cref="DecodeError"/>s with the same error classes as telemetry.
/// </remarks>
public sealed class TopologyChangeDecoder
{
    private readonly DecoderLimits _limits;
    private readonly JsonReaderOptions _readerOptions;
    private readonly TopologyElementReader _elements;

    /// <summary>Creates a decoder enforcing <paramref name="limits"/> (<see cref="DecoderLimits.Default"/> when null); attributes count against <see cref="DecoderLimits.MaxLabels"/>.</summary>
    public TopologyChangeDecoder(DecoderLimits? limits = null)
    {
        _limits = limits ?? DecoderLimits.Default;
        _readerOptions = new JsonReaderOptions { MaxDepth = _limits.MaxDepth + 1 };
        _elements = new TopologyElementReader(_limits.MaxStringLength, _limits.MaxLabels, _limits.MaxDepth, maxPooled: 65_536);
    }

    /// <summary>Decodes one change message.</summary>
    /// <param name="utf8">Exactly one JSON object.</param>
    /// <param name="change">The change when the result is true; null otherwise.</param>
    /// <param name="error">Why decoding failed when the result is false.</param>
    public bool TryDecode(ReadOnlySpan<byte> utf8, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TopologyChange? change, out DecodeError error)
    {
        change = null;
        error = default;
        if (utf8.Length > _limits.MaxRecordBytes)
        {
            error = new DecodeError(DecodeErrorClass.LimitRecordSize, $"record is {utf8.Length} bytes, the limit is {_limits.MaxRecordBytes}");
            return false;
        }

        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8 = utf8[3..];
        }

        if (!Utf8.IsValid(utf8))
        {
            error = new DecodeError(DecodeErrorClass.EncodingUtf8, $"invalid UTF-8 at byte offset {JsonText.FirstInvalidUtf8(utf8)}");
            return false;
        }

        if (utf8.Trim(" \t\r\n"u8).IsEmpty)
        {
            error = new DecodeError(DecodeErrorClass.JsonSyntax, "empty record");
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(utf8, _readerOptions);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                error = new DecodeError(DecodeErrorClass.JsonNotObject, $"a CMDB change must be a JSON object, found {JsonText.Describe(reader.TokenType)}");
                return false;
            }

            _elements.TryRead(ref reader, ElementShape.Change, out ElementFields f);
            reader.Read(); // throws on trailing content
            return Build(in f, out change, out error);
        }
        catch (JsonException ex)
        {
            error = new DecodeError(DecodeErrorClass.JsonSyntax, JsonText.SyntaxReason(ex));
            return false;
        }
        catch (TopologyElementException ex)
        {
            error = new DecodeError(ex.ErrorClass, ex.Message);
            return false;
        }
    }

    private static bool Build(in ElementFields f, out TopologyChange? change, out DecodeError error)
    {
        change = null;
        error = default;
        TopologyChangeOp op;
        if (f.Op is null || f.Op.Equals("upsert", StringComparison.OrdinalIgnoreCase))
        {
            op = TopologyChangeOp.Upsert;
        }
        else if (f.Op.Equals("delete", StringComparison.OrdinalIgnoreCase))
        {
            op = TopologyChangeOp.Delete;
        }
        else
        {
            error = new DecodeError(DecodeErrorClass.FieldValue, $"field 'op' has unknown value '{JsonText.Printable(f.Op)}' (expected upsert or delete)");
            return false;
        }

        bool isCi = !string.IsNullOrEmpty(f.Id);
        bool isRelation = f.From is not null || f.To is not null;
        if (isCi && isRelation)
        {
            error = new DecodeError(DecodeErrorClass.FieldValue, "a CMDB change has both 'id' (a CI) and 'from'/'to' (a relation); send one per message");
            return false;
        }

        if (isCi)
        {
            change = new TopologyChange(op, new CiRecord(f.Id!, f.Class ?? string.Empty, f.Name, f.Criticality ?? Criticality.Medium, f.Owner, f.Attributes), null, f.Version);
            return true;
        }

        if (!isRelation)
        {
            error = new DecodeError(DecodeErrorClass.FieldMissing, "a CMDB change needs 'id' (a CI) or 'from' and 'to' (a relation)");
            return false;
        }

        if (string.IsNullOrEmpty(f.From) || string.IsNullOrEmpty(f.To))
        {
            error = new DecodeError(DecodeErrorClass.FieldMissing, $"field '{(string.IsNullOrEmpty(f.From) ? "from" : "to")}' is missing or empty");
            return false;
        }

        change = new TopologyChange(op, null, new RelationRecord(f.From, f.To, string.IsNullOrEmpty(f.Type) ? "depends_on" : f.Type), f.Version);
        return true;
    }
}
