using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using ItOpsStream.Engine.Pipeline;

namespace ItOpsStream.Engine.Telemetry;

/// <summary>
/// Writes dead letters as JSON Lines, one object per refused record, so they can be inspected with
/// <c>jq</c>, fixed and replayed:
/// <c>{"origin":"events.jsonl:17","stage":"decode","error_class":"field.missing","reason":"…","payload":"…"}</c>.
/// The payload is the original text when it is valid UTF-8 (JSON-escaped, so it round-trips byte for
/// byte), otherwise its bytes in base64 under <c>payload_base64</c> instead. docs/FORMATS.md has the format.
/// </summary>
/// <remarks>Calls come from one thread at a time (the <see cref="IRecordSink{T}"/> contract); output is deterministic.</remarks>
internal sealed class JsonLinesDeadLetterSink : IRecordSink<DeadLetter>, IAsyncDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keep non-ASCII text readable; quotes, backslashes and control characters are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    /// <summary>Payloads longer than this are written in segments (a multiple of 3, so base64 segments need no padding).</summary>
    internal const int SegmentBytes = 3 * 256 * 1024;

    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly Utf8JsonWriter _writer;

    /// <param name="output">Where the lines go.</param>
    /// <param name="leaveOpen">False to dispose <paramref name="output"/> with the sink.</param>
    public JsonLinesDeadLetterSink(Stream output, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _leaveOpen = leaveOpen;
        _writer = new Utf8JsonWriter(_buffer, WriterOptions);
    }

    /// <summary>Number of dead letters written so far.</summary>
    public long Count { get; private set; }

    /// <summary>Creates (or truncates) the file at <paramref name="path"/>.</summary>
    public static JsonLinesDeadLetterSink Create(string path) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024, FileOptions.Asynchronous));

    public async ValueTask WriteAsync(IReadOnlyList<DeadLetter> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var letter in batch)
        {
            Format(letter);
            if (_buffer.WrittenCount >= 64 * 1024)
            {
                await DrainAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await DrainAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await DrainAsync(cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        if (!_leaveOpen)
        {
            await _output.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Formats one dead letter as one line (with its newline) into <paramref name="output"/>.</summary>
    internal static void Format(DeadLetter letter, Utf8JsonWriter output)
    {
        ReadOnlySpan<byte> payload = letter.Payload.Span;
        output.WriteStartObject();
        output.WriteString("origin"u8, letter.Origin.ToString());
        output.WriteString("stage"u8, letter.Stage);
        output.WriteString("error_class"u8, letter.ErrorClass);
        output.WriteString("reason"u8, letter.Reason);
        if (Utf8.IsValid(payload))
        {
            output.WritePropertyName("payload"u8);
            WriteInSegments(payload, output, base64: false);
        }
        else
        {
            output.WritePropertyName("payload_base64"u8);
            WriteInSegments(payload, output, base64: true);
        }

        output.WriteEndObject();
        output.Flush();
    }

    // A refused record can be arbitrarily large (that may be why it was refused), larger than one JSON
    // token may be: write it in segments, cut on UTF-8 boundaries (base64: on 3-byte boundaries).
    private static void WriteInSegments(ReadOnlySpan<byte> payload, Utf8JsonWriter output, bool base64)
    {
        if (payload.Length <= SegmentBytes)
        {
            if (base64)
            {
                output.WriteBase64StringValue(payload);
            }
            else
            {
                output.WriteStringValue(payload);
            }

            return;
        }

        while (true)
        {
            int length = Math.Min(SegmentBytes, payload.Length);
            while (!base64 && length < payload.Length && (payload[length] & 0xC0) == 0x80)
            {
                length--;
            }

            bool final = length == payload.Length;
            if (base64)
            {
                output.WriteBase64StringSegment(payload[..length], final);
            }
            else
            {
                output.WriteStringValueSegment(payload[..length], final);
            }

            if (final)
            {
                return;
            }

            payload = payload[length..];
        }
    }

    private void Format(DeadLetter letter)
    {
        Format(letter, _writer);
        _writer.Reset();
        _buffer.Write("\n"u8);
        Count++;
    }

    private async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        if (_buffer.WrittenCount == 0)
        {
            return;
        }

        await _output.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _buffer.ResetWrittenCount();
    }
}
