namespace ItOpsStream.Engine.Telemetry;

/// <summary>
/// Limits the decoders enforce on one record, so that a hostile or broken producer costs a dead
/// letter, never the process. A record over any limit is refused whole (it goes to the dead-letter
/// output with the limit's error class); nothing is truncated silently.
/// </summary>
/// <remarks>
/// Every property is validated when set (<see cref="ArgumentOutOfRangeException"/>), so an instance
/// that exists is valid. String lengths count UTF-16 code units, as <see cref="string.Length"/> does.
/// </remarks>
public sealed record DecoderLimits
{
    /// <summary>The defaults: 1 MiB records, 64 labels, 1024-character ids, 8192-character messages, nesting depth 8.</summary>
    public static DecoderLimits Default { get; } = new();

    /// <summary>Largest record accepted, in bytes of its UTF-8 encoding. Default 1 MiB (Kafka's default message size).</summary>
    public int MaxRecordBytes
    {
        get;
        init => field = Positive(value);
    } = 1024 * 1024;

    /// <summary>Most labels (or CI attributes) one record may carry. Default 64.</summary>
    public int MaxLabels
    {
        get;
        init => field = Positive(value);
    } = 64;

    /// <summary>
    /// Longest identifier-like string: <c>ci</c>, <c>source</c>, <c>check</c>, <c>dedup_key</c>,
    /// <c>name</c>, <c>change_id</c>, label keys and values, CI ids. Default 1024.
    /// </summary>
    public int MaxStringLength
    {
        get;
        init => field = Positive(value);
    } = 1024;

    /// <summary>Longest free-text string: <c>message</c> and <c>description</c>. Default 8192.</summary>
    public int MaxMessageLength
    {
        get;
        init => field = Positive(value);
    } = 8192;

    /// <summary>
    /// Deepest nesting of objects and arrays, the record's own object counting as 1 and its
    /// <c>labels</c> object as 2. Applies to unknown fields too, which are skipped. Default 8; at least 2, at most 256.
    /// </summary>
    public int MaxDepth
    {
        get;
        init => field = value is >= 2 and <= 256 ? value : throw new ArgumentOutOfRangeException(nameof(MaxDepth), value, "MaxDepth must be between 2 and 256.");
    } = 8;

    private static int Positive(int value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, "A decoder limit must be positive.");
}
