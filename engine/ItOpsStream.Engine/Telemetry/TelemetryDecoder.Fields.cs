using System.Text;
using System.Text.Json;

namespace ItOpsStream.Engine.Telemetry;

public sealed partial class TelemetryDecoder
{
    /// <summary>The severity of an event that does not say: the middle of the scale, an alert that pages nobody by itself.</summary>
    public const Severity DefaultEventSeverity = Severity.Warning;

    private const int FieldCount = 16;

    // Indexed by Field.
    private static readonly string[] FieldNames =
    [
        "", "ts", "kind", "source", "ci", "check", "severity", "status", "dedup_key", "message", "labels", "name", "value", "level", "change_id", "description",
    ];

    private enum Field : byte
    {
        None = 0,
        Ts,
        Kind,
        Source,
        Ci,
        Check,
        Severity,
        Status,
        DedupKey,
        Message,
        Labels,
        Name,
        Value,
        Level,
        ChangeId,
        Description,
    }

    /// <summary>
    /// What one pass over the record found. Fields are read whatever the kind (which may come last);
    /// a field's problem is recorded, not raised, and only counts if the field belongs to the kind.
    /// </summary>
    private struct Scan
    {
        public uint Seen;
        public uint Present;
        public uint Duplicate;
        public uint Faulted;
        public long Ts;
        public TelemetryKind Kind;
        public string? Source;
        public string? Ci;
        public string? Check;
        public string? DedupKey;
        public string? Message;
        public string? Name;
        public string? ChangeId;
        public string? Description;
        public Severity Severity;
        public AlertStatus Status;
        public LogLevel Level;
        public double Value;
        public LabelSet Labels;

        public readonly bool Has(Field field) => (Present & (1u << (int)field)) != 0;
    }

    private static Field MatchField(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            // Rare: a producer escaped a property name. Compare unescaped text, same result.
            for (int f = 1; f < FieldNames.Length; f++)
            {
                if (reader.ValueTextEquals(FieldNames[f]))
                {
                    return (Field)f;
                }
            }

            return Field.None;
        }

        ReadOnlySpan<byte> n = reader.ValueSpan;
        switch (n.Length)
        {
            case 2:
                if (n.SequenceEqual("ts"u8))
                {
                    return Field.Ts;
                }

                return n.SequenceEqual("ci"u8) ? Field.Ci : Field.None;
            case 4:
                if (n.SequenceEqual("kind"u8))
                {
                    return Field.Kind;
                }

                return n.SequenceEqual("name"u8) ? Field.Name : Field.None;
            case 5:
                if (n.SequenceEqual("check"u8))
                {
                    return Field.Check;
                }

                if (n.SequenceEqual("value"u8))
                {
                    return Field.Value;
                }

                return n.SequenceEqual("level"u8) ? Field.Level : Field.None;
            case 6:
                if (n.SequenceEqual("source"u8))
                {
                    return Field.Source;
                }

                if (n.SequenceEqual("status"u8))
                {
                    return Field.Status;
                }

                return n.SequenceEqual("labels"u8) ? Field.Labels : Field.None;
            case 7:
                return n.SequenceEqual("message"u8) ? Field.Message : Field.None;
            case 8:
                return n.SequenceEqual("severity"u8) ? Field.Severity : Field.None;
            case 9:
                if (n.SequenceEqual("dedup_key"u8))
                {
                    return Field.DedupKey;
                }

                return n.SequenceEqual("change_id"u8) ? Field.ChangeId : Field.None;
            case 11:
                return n.SequenceEqual("description"u8) ? Field.Description : Field.None;
            default:
                return Field.None;
        }
    }

    /// <summary>Reads the value of a known field into <paramref name="scan"/>. False only when nesting is too deep.</summary>
    private bool ReadField(ref Utf8JsonReader reader, Field field, ref Scan scan)
    {
        JsonTokenType token = reader.TokenType;
        if (token == JsonTokenType.Null)
        {
            return true; // null is the same as absent
        }

        if (field == Field.Labels)
        {
            return ReadLabels(ref reader, ref scan);
        }

        if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            Fault(ref scan, field, DecodeErrorClass.FieldType, $"field '{FieldNames[(int)field]}' must be {Expected(field)}, found {JsonText.Describe(token)}");
            return TrySkip(ref reader);
        }

        switch (field)
        {
            case Field.Ts:
                ReadTimestamp(ref reader, ref scan);
                break;
            case Field.Value:
                ReadValue(ref reader, ref scan);
                break;
            default:
                if (token != JsonTokenType.String)
                {
                    Fault(ref scan, field, DecodeErrorClass.FieldType, $"field '{FieldNames[(int)field]}' must be {Expected(field)}, found {JsonText.Describe(token)}");
                    break;
                }

                ReadStringField(ref reader, field, ref scan);
                break;
        }

        return true;
    }

    private void ReadStringField(ref Utf8JsonReader reader, Field field, ref Scan scan)
    {
        if (!TryGetText(ref reader, field, ref scan, out ReadOnlySpan<byte> text))
        {
            return;
        }

        switch (field)
        {
            case Field.Kind:
                if (TryParseKind(text, out scan.Kind))
                {
                    scan.Present |= 1u << (int)field;
                }
                else
                {
                    Fault(ref scan, field, DecodeErrorClass.KindUnknown, $"field 'kind' has unknown value '{JsonText.Printable(text)}' (expected event, metric, log or change)");
                }

                return;
            case Field.Severity:
                if (TryParseSeverity(text, out scan.Severity))
                {
                    scan.Present |= 1u << (int)field;
                }
                else
                {
                    Fault(ref scan, field, DecodeErrorClass.FieldValue, $"field 'severity' has unknown value '{JsonText.Printable(text)}' (expected critical, major, minor, warning or info)");
                }

                return;
            case Field.Status:
                if (TryParseStatus(text, out scan.Status))
                {
                    scan.Present |= 1u << (int)field;
                }
                else
                {
                    Fault(ref scan, field, DecodeErrorClass.FieldValue, $"field 'status' has unknown value '{JsonText.Printable(text)}' (expected firing or resolved)");
                }

                return;
            case Field.Level:
                // Log levels vary too much between tools to refuse a record over one: unknown text is Unknown.
                scan.Level = ParseLevel(text);
                scan.Present |= 1u << (int)field;
                return;
        }

        bool isText = field is Field.Message or Field.Description;
        int limit = isText ? _limits.MaxMessageLength : _limits.MaxStringLength;
        if (!WithinLength(text, limit, out int length))
        {
            Fault(ref scan, field, DecodeErrorClass.LimitStringLength, $"field '{FieldNames[(int)field]}' is {length} characters long, the limit is {limit}");
            return;
        }

        // An empty identifier is no identifier: an empty dedup_key must not become one fingerprint for everything.
        if (text.IsEmpty && !isText)
        {
            return;
        }

        string value = field is Field.Message or Field.Description or Field.ChangeId ? Encoding.UTF8.GetString(text) : _strings.GetOrAdd(text);
        switch (field)
        {
            case Field.Source: scan.Source = value; break;
            case Field.Ci: scan.Ci = value; break;
            case Field.Check: scan.Check = value; break;
            case Field.DedupKey: scan.DedupKey = value; break;
            case Field.Message: scan.Message = value; break;
            case Field.Name: scan.Name = value; break;
            case Field.ChangeId: scan.ChangeId = value; break;
            default: scan.Description = value; break;
        }

        scan.Present |= 1u << (int)field;
    }

    private void ReadTimestamp(ref Utf8JsonReader reader, ref Scan scan)
    {
        long ms;
        if (reader.TokenType == JsonTokenType.Number)
        {
            // Epoch milliseconds per the contract; no guessing seconds from the magnitude. A fraction is
            // floored to the millisecond; 1e12-style exponents are numbers like any other.
            if (!reader.TryGetInt64(out ms))
            {
                if (!reader.TryGetDouble(out double d) || !double.IsFinite(d) || d < EpochTime.MinMs || d > EpochTime.MaxMs)
                {
                    Fault(ref scan, Field.Ts, DecodeErrorClass.TimestampInvalid, $"field 'ts' is out of range: {JsonText.Printable(reader.ValueSpan)} (epoch milliseconds must fall in years 1 to 9999)");
                    return;
                }

                ms = (long)Math.Floor(d);
            }

            if (!EpochTime.InRange(ms))
            {
                Fault(ref scan, Field.Ts, DecodeErrorClass.TimestampInvalid, $"field 'ts' is out of range: {ms} (epoch milliseconds must fall in years 1 to 9999)");
                return;
            }
        }
        else if (reader.TokenType == JsonTokenType.String)
        {
            if (!TryGetText(ref reader, Field.Ts, ref scan, out ReadOnlySpan<byte> text))
            {
                return;
            }

            if (!EpochTime.TryParseRfc3339(text, out ms))
            {
                Fault(ref scan, Field.Ts, DecodeErrorClass.TimestampInvalid, $"field 'ts' is not an RFC 3339 timestamp with offset: \"{JsonText.Printable(text)}\"");
                return;
            }
        }
        else
        {
            Fault(ref scan, Field.Ts, DecodeErrorClass.FieldType, $"field 'ts' must be an RFC 3339 string or epoch milliseconds, found {JsonText.Describe(reader.TokenType)}");
            return;
        }

        scan.Ts = ms;
        scan.Present |= 1u << (int)Field.Ts;
    }

    private void ReadValue(ref Utf8JsonReader reader, ref Scan scan)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            Fault(ref scan, Field.Value, DecodeErrorClass.FieldType, $"field 'value' must be a number, found {JsonText.Describe(reader.TokenType)}");
            return;
        }

        // Beyond double's range (1e400) is refused rather than turned into infinity: no detector can use it.
        if (!reader.TryGetDouble(out double value) || !double.IsFinite(value))
        {
            Fault(ref scan, Field.Value, DecodeErrorClass.FieldValue, $"field 'value' is not a finite double: {JsonText.Printable(reader.ValueSpan)}");
            return;
        }

        scan.Value = value;
        scan.Present |= 1u << (int)Field.Value;
    }

    /// <summary>The unescaped UTF-8 of the string token the reader is on (the input itself when nothing is escaped).</summary>
    private bool TryGetText(ref Utf8JsonReader reader, Field field, ref Scan scan, out ReadOnlySpan<byte> text)
    {
        if (!reader.ValueIsEscaped)
        {
            text = reader.ValueSpan;
            return true;
        }

        if (_scratch.Length < reader.ValueSpan.Length)
        {
            _scratch = new byte[Math.Max(reader.ValueSpan.Length, _scratch.Length * 2)];
        }

        try
        {
            text = _scratch.AsSpan(0, reader.CopyString(_scratch));
            return true;
        }
        catch (InvalidOperationException)
        {
            // The only way unescaping fails on a token the reader accepted: a \uD800-\uDFFF escape without its partner.
            Fault(ref scan, field, DecodeErrorClass.EncodingSurrogate, $"field '{FieldNames[(int)field]}' has an unpaired surrogate escape: \"{JsonText.Printable(reader.ValueSpan)}\"");
            text = default;
            return false;
        }
    }

    private static bool WithinLength(ReadOnlySpan<byte> utf8, int limit, out int length)
    {
        // Every UTF-16 code unit takes at least one UTF-8 byte, so short byte strings need no counting.
        length = utf8.Length <= limit ? utf8.Length : Encoding.UTF8.GetCharCount(utf8);
        return length <= limit;
    }

    private void Fault(ref Scan scan, Field field, string errorClass, string reason)
    {
        uint bit = 1u << (int)field;
        if ((scan.Faulted & bit) == 0)
        {
            scan.Faulted |= bit;
            _faults[(int)field] = new DecodeError(errorClass, reason);
        }
    }

    private static string Expected(Field field) => field switch
    {
        Field.Ts => "an RFC 3339 string or epoch milliseconds",
        Field.Value => "a number",
        Field.Labels => "an object",
        _ => "a string",
    };
}
