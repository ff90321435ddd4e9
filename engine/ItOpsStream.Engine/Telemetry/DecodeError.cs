namespace ItOpsStream.Engine.Telemetry;

/// <summary>Why a record could not be decoded.</summary>
/// <param name="ErrorClass">A stable machine-readable class, one of the <see cref="DecodeErrorClass"/> constants.</param>
/// <param name="Reason">One human line saying what is wrong, naming the field.</param>
public readonly record struct DecodeError(string ErrorClass, string Reason)
{
    /// <summary>Wraps the refused payload into a dead letter (the bytes are kept as given, not copied).</summary>
    public DeadLetter ToDeadLetter(ReadOnlyMemory<byte> payload, RecordOrigin origin, string stage = "decode") =>
        new(payload, origin, stage, ErrorClass, Reason);

    public override string ToString() => $"{ErrorClass}: {Reason}";
}

/// <summary>
/// The error classes decoders report (docs/FORMATS.md lists them). They are part of the
/// dead-letter format: tools filter and count by them, so they never change meaning.
/// </summary>
public static class DecodeErrorClass
{
    /// <summary>Not well-formed JSON: syntax error, empty input, trailing content, NaN/Infinity literals, comments.</summary>
    public const string JsonSyntax = "json.syntax";

    /// <summary>The record is valid JSON but not an object (an array, a string…).</summary>
    public const string JsonNotObject = "json.not_object";

    /// <summary>Objects and arrays nest deeper than <see cref="DecoderLimits.MaxDepth"/>.</summary>
    public const string JsonDepth = "json.depth";

    /// <summary>The bytes are not valid UTF-8.</summary>
    public const string EncodingUtf8 = "encoding.utf8";

    /// <summary>A <c>\u</c> escape names half of a surrogate pair without the other half.</summary>
    public const string EncodingSurrogate = "encoding.surrogate";

    /// <summary>A required field is absent (or null, or an empty string).</summary>
    public const string FieldMissing = "field.missing";

    /// <summary>A field has the wrong JSON type (a string where a number is required…).</summary>
    public const string FieldType = "field.type";

    /// <summary>A field has the right type but an illegal value (unknown severity, non-finite number…).</summary>
    public const string FieldValue = "field.value";

    /// <summary>A field, or a label key, appears more than once in one object.</summary>
    public const string FieldDuplicate = "field.duplicate";

    /// <summary>The record is larger than <see cref="DecoderLimits.MaxRecordBytes"/>.</summary>
    public const string LimitRecordSize = "limit.record_size";

    /// <summary>More labels than <see cref="DecoderLimits.MaxLabels"/>.</summary>
    public const string LimitLabels = "limit.labels";

    /// <summary>A string longer than <see cref="DecoderLimits.MaxStringLength"/> or <see cref="DecoderLimits.MaxMessageLength"/>.</summary>
    public const string LimitStringLength = "limit.string_length";

    /// <summary><c>ts</c> is neither an RFC 3339 timestamp nor epoch milliseconds, or is outside years 1–9999.</summary>
    public const string TimestampInvalid = "timestamp.invalid";

    /// <summary><c>kind</c> is not one of <c>event</c>, <c>metric</c>, <c>log</c>, <c>change</c>.</summary>
    public const string KindUnknown = "kind.unknown";
}
