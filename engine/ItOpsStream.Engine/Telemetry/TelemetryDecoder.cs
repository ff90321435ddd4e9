using System.Text.Json;
using System.Text.Unicode;

namespace ItOpsStream.Engine.Telemetry;

/// <summary>
/// Decodes one telemetry record (CONTRACTS §2, one JSON object) from its UTF-8 bytes into a
/// <see cref="TelemetryRecord"/>, or says precisely why it cannot. The rules (required fields,
/// defaults, aliases, limits, error classes) are listed in docs/FORMATS.md.
/// </summary>
/// <remarks>
/// <para>
/// Not thread-safe, by design: a decoder owns reusable scratch buffers and caches of the strings
/// that records repeat (CI ids, checks, label keys and values), so steady-state decoding allocates
/// only the strings that are new. Give each decode worker its own instance.
/// </para>
/// <para>
/// Never throws on bad input: every problem is a <see cref="DecodeError"/>, and the decoder is
/// ready for the next record afterwards.
/// </para>
/// </remarks>
public sealed partial class TelemetryDecoder
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private readonly DecoderLimits _limits;
    private readonly JsonReaderOptions _readerOptions;
    private readonly Utf8InternCache _strings = new();
    private readonly LabelSetCache _labelSets = new();
    private readonly DecodeError[] _faults = new DecodeError[FieldCount];
    private readonly KeyValuePair<string, string>[] _labels;
    private byte[] _scratch = new byte[256];

    /// <summary>Creates a decoder enforcing <paramref name="limits"/> (<see cref="DecoderLimits.Default"/> when null).</summary>
    public TelemetryDecoder(DecoderLimits? limits = null)
    {
        _limits = limits ?? DecoderLimits.Default;

        // The reader's own depth guard sits one level above ours so that ours, which can name the
        // field, always fires first.
        _readerOptions = new JsonReaderOptions { MaxDepth = _limits.MaxDepth + 1 };
        _labels = new KeyValuePair<string, string>[_limits.MaxLabels];
    }

    /// <summary>The limits this decoder enforces.</summary>
    public DecoderLimits Limits => _limits;

    /// <summary>Decodes one record.</summary>
    /// <param name="utf8">Exactly one JSON object (an optional UTF-8 byte order mark and surrounding whitespace are allowed).</param>
    /// <param name="record">The record when the result is true; default otherwise.</param>
    /// <param name="error">Why decoding failed when the result is false; default otherwise.</param>
    /// <returns>True when <paramref name="record"/> holds a valid record.</returns>
    public bool TryDecode(ReadOnlySpan<byte> utf8, out TelemetryRecord record, out DecodeError error)
    {
        record = default;
        if (utf8.Length > _limits.MaxRecordBytes)
        {
            error = new DecodeError(DecodeErrorClass.LimitRecordSize, $"record is {utf8.Length} bytes, the limit is {_limits.MaxRecordBytes}");
            return false;
        }

        // RFC 8259 §8.1 lets parsers ignore a byte order mark; Windows tools write one at the start of files.
        if (utf8.StartsWith(Bom))
        {
            utf8 = utf8[Bom.Length..];
        }

        // Validating the whole record up front (vectorized, a few GB/s) means every string below is
        // known-good UTF-8, and an ignored field cannot smuggle invalid bytes into a replayed file.
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
            return Decode(utf8, out record, out error);
        }
        catch (JsonException ex)
        {
            error = new DecodeError(DecodeErrorClass.JsonSyntax, JsonText.SyntaxReason(ex));
            return false;
        }
    }

    private bool Decode(ReadOnlySpan<byte> utf8, out TelemetryRecord record, out DecodeError error)
    {
        record = default;
        var reader = new Utf8JsonReader(utf8, _readerOptions);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = new DecodeError(DecodeErrorClass.JsonNotObject, $"a record must be a JSON object, found {JsonText.Describe(reader.TokenType)}");
            return false;
        }

        var scan = new Scan();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            Field field = MatchField(ref reader);
            reader.Read();
            if (field == Field.None)
            {
                if (!TrySkip(ref reader))
                {
                    error = DepthError(ref reader, "an unknown field");
                    return false;
                }

                continue;
            }

            uint bit = 1u << (int)field;
            scan.Duplicate |= scan.Seen & bit;
            scan.Seen |= bit;
            if (!ReadField(ref reader, field, ref scan))
            {
                error = DepthError(ref reader, $"field '{FieldNames[(int)field]}'");
                return false;
            }
        }

        // Anything after the object but whitespace makes the reader throw: trailing garbage is a syntax error.
        reader.Read();
        return Complete(ref scan, out record, out error);
    }

    private bool Complete(ref Scan scan, out TelemetryRecord record, out DecodeError error)
    {
        record = default;
        if (Failed(ref scan, Field.Kind, out error))
        {
            return false;
        }

        if ((scan.Present & (1u << (int)Field.Kind)) == 0)
        {
            error = Missing("kind");
            return false;
        }

        uint relevant = RelevantFields(scan.Kind);
        for (int f = 1; f < FieldCount; f++)
        {
            if ((relevant & (1u << f)) != 0 && Failed(ref scan, (Field)f, out error))
            {
                return false;
            }
        }

        if (!scan.Has(Field.Ts))
        {
            error = Missing("ts");
            return false;
        }

        switch (scan.Kind)
        {
            case TelemetryKind.Event:
                if (!scan.Has(Field.Check) && !scan.Has(Field.DedupKey))
                {
                    error = new DecodeError(DecodeErrorClass.FieldMissing, "an event needs field 'check' or field 'dedup_key'");
                    return false;
                }

                record = new TelemetryRecord(
                    scan.Ts,
                    TelemetryKind.Event,
                    scan.Ci,
                    Source: scan.Source,
                    Check: scan.Check,
                    Severity: scan.Has(Field.Severity) ? scan.Severity : DefaultEventSeverity,
                    Status: scan.Status,
                    DedupKey: scan.DedupKey,
                    Message: scan.Message,
                    Labels: scan.Labels);
                break;

            case TelemetryKind.Metric:
                if (!scan.Has(Field.Name) || !scan.Has(Field.Value))
                {
                    error = Missing(scan.Has(Field.Name) ? "value" : "name");
                    return false;
                }

                record = new TelemetryRecord(scan.Ts, TelemetryKind.Metric, scan.Ci, Name: scan.Name, Value: scan.Value, Labels: scan.Labels);
                break;

            case TelemetryKind.Log:
                if (!scan.Has(Field.Message))
                {
                    error = Missing("message");
                    return false;
                }

                record = new TelemetryRecord(scan.Ts, TelemetryKind.Log, scan.Ci, Message: scan.Message, Level: scan.Level, Labels: scan.Labels);
                break;

            default:
                if (!scan.Has(Field.Ci) || !scan.Has(Field.ChangeId))
                {
                    error = Missing(scan.Has(Field.Ci) ? "change_id" : "ci");
                    return false;
                }

                record = new TelemetryRecord(scan.Ts, TelemetryKind.Change, scan.Ci, ChangeId: scan.ChangeId, Description: scan.Description, Labels: scan.Labels);
                break;
        }

        error = default;
        return true;
    }

    // A field's first problem, in this order: it appeared twice, or its one value was bad.
    private bool Failed(ref Scan scan, Field field, out DecodeError error)
    {
        uint bit = 1u << (int)field;
        if ((scan.Duplicate & bit) != 0)
        {
            error = new DecodeError(DecodeErrorClass.FieldDuplicate, $"field '{FieldNames[(int)field]}' appears more than once");
            return true;
        }

        if ((scan.Faulted & bit) != 0)
        {
            error = _faults[(int)field];
            return true;
        }

        error = default;
        return false;
    }

    private static uint RelevantFields(TelemetryKind kind)
    {
        const uint Common = (1u << (int)Field.Ts) | (1u << (int)Field.Kind) | (1u << (int)Field.Ci) | (1u << (int)Field.Labels);
        return Common | kind switch
        {
            TelemetryKind.Event => (1u << (int)Field.Source) | (1u << (int)Field.Check) | (1u << (int)Field.Severity) | (1u << (int)Field.Status)
                | (1u << (int)Field.DedupKey) | (1u << (int)Field.Message),
            TelemetryKind.Metric => (1u << (int)Field.Name) | (1u << (int)Field.Value),
            TelemetryKind.Log => (1u << (int)Field.Level) | (1u << (int)Field.Message),
            _ => (1u << (int)Field.ChangeId) | (1u << (int)Field.Description),
        };
    }

    private static DecodeError Missing(string field) => new(DecodeErrorClass.FieldMissing, $"field '{field}' is missing");

    private DecodeError DepthError(ref Utf8JsonReader reader, string where) =>
        new(DecodeErrorClass.JsonDepth, $"{where} nests deeper than {_limits.MaxDepth} levels (byte offset {reader.TokenStartIndex})");

    /// <summary>Skips the value the reader is on, refusing nesting past the limit. False when too deep.</summary>
    private bool TrySkip(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return true;
        }

        int depth = reader.CurrentDepth;
        if (depth >= _limits.MaxDepth)
        {
            return false;
        }

        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray when reader.CurrentDepth >= _limits.MaxDepth:
                    return false;
                case JsonTokenType.EndObject or JsonTokenType.EndArray when reader.CurrentDepth == depth:
                    return true;
            }
        }

        return true;
    }
}
