using System.Threading.Channels;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Pipeline;

/// <summary>
/// Reads a JSON Lines file as raw batches: one record per line, blank lines skipped, <c>\r\n</c>
/// accepted, each record tagged with its file and 1-based line number for dead letters. Bytes are
/// never turned into strings here; each batch owns one buffer that its records slice.
/// </summary>
/// <remarks>
/// A line longer than <c>maxRecordBytes</c> is cut to <c>maxRecordBytes + 1</c> bytes and the rest
/// skipped, so the decoder's size limit turns it into a dead letter without the source ever holding
/// an unbounded line in memory.
/// </remarks>
public sealed class JsonLinesFileSource : ITelemetrySource
{
    private readonly Stream _stream;
    private readonly string _name;
    private readonly int _batchSize;
    private readonly int _maxRecordBytes;

    /// <param name="stream">The file content; read to its end, not disposed.</param>
    /// <param name="name">The name printed in positions (the path as the user gave it).</param>
    /// <param name="batchSize">Records per batch. The batch boundaries are part of the input to the incident
    /// coalescing, so replay uses a fixed size (default 1024) to stay deterministic.</param>
    /// <param name="maxRecordBytes">Longest line passed on whole (default 1 MiB).</param>
    public JsonLinesFileSource(Stream stream, string name, int batchSize = 1024, int maxRecordBytes = 1 << 20)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecordBytes, 1);
        _stream = stream;
        _name = name;
        _batchSize = batchSize;
        _maxRecordBytes = maxRecordBytes;
    }

    public async Task RunAsync(ChannelWriter<RawBatch> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var readBuffer = new byte[1 << 16];
        var batchBytes = new byte[1 << 16];
        int batchUsed = 0;
        var spans = new List<(int Start, int Length, long Line)>(_batchSize);
        long line = 1;
        int lineStart = 0;          // start of the current line within batchBytes
        bool overlong = false;      // the current line passed maxRecordBytes; skipping to its end

        while (true)
        {
            int read = await _stream.ReadAsync(readBuffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            int pos = 0;
            while (pos < read)
            {
                int newline = readBuffer.AsSpan(pos, read - pos).IndexOf((byte)'\n');
                int pieceLength = newline < 0 ? read - pos : newline;
                if (!overlong)
                {
                    int room = _maxRecordBytes + 1 - (batchUsed - lineStart);
                    if (pieceLength > room)
                    {
                        pieceLength = room;
                        overlong = true;
                    }

                    Append(ref batchBytes, ref batchUsed, readBuffer.AsSpan(pos, pieceLength));
                }

                if (newline < 0)
                {
                    break;
                }

                pos += newline + 1;
                EndLine(batchBytes, ref batchUsed, lineStart, line, spans);
                lineStart = batchUsed;
                overlong = false;
                line++;
                if (spans.Count >= _batchSize)
                {
                    await output.WriteAsync(Seal(batchBytes, spans), cancellationToken).ConfigureAwait(false);
                    spans.Clear();
                    batchBytes = new byte[Math.Max(1 << 16, batchUsed)];
                    batchUsed = 0;
                    lineStart = 0;
                }
            }
        }

        EndLine(batchBytes, ref batchUsed, lineStart, line, spans);
        if (spans.Count > 0)
        {
            await output.WriteAsync(Seal(batchBytes, spans), cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Append(ref byte[] buffer, ref int used, ReadOnlySpan<byte> bytes)
    {
        if (used + bytes.Length > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, used + bytes.Length));
        }

        bytes.CopyTo(buffer.AsSpan(used));
        used += bytes.Length;
    }

    private static void EndLine(byte[] buffer, ref int used, int start, long line, List<(int, int, long)> spans)
    {
        int length = used - start;
        if (length > 0 && buffer[start + length - 1] == (byte)'\r')
        {
            length--;
        }

        if (!buffer.AsSpan(start, length).Trim(" \t"u8).IsEmpty)
        {
            spans.Add((start, length, line));
        }

        used = start + length;
    }

    private RawBatch Seal(byte[] buffer, List<(int Start, int Length, long Line)> spans)
    {
        var records = new RawRecord[spans.Count];
        for (int i = 0; i < spans.Count; i++)
        {
            var (start, length, line) = spans[i];
            records[i] = new RawRecord(buffer.AsMemory(start, length), RecordOrigin.FileLine(_name, line));
        }

        return new RawBatch(records);
    }
}
