using System.Text.Json;
using ItOpsStream.Engine.Pipeline;

namespace ItOpsStream.Engine.Incidents;

/// <summary>Writes incident records as JSON Lines (one <see cref="IncidentJson"/> object and <c>\n</c> per record) to a stream.</summary>
internal sealed class JsonLinesIncidentSink(Stream stream) : IRecordSink<IncidentRecord>, IDisposable
{
    private readonly Utf8JsonWriter _writer = new(stream, new JsonWriterOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    });

    public long Written { get; private set; }

    public async ValueTask WriteAsync(IReadOnlyList<IncidentRecord> batch, CancellationToken cancellationToken)
    {
        foreach (var record in batch)
        {
            IncidentJson.Write(_writer, record);
            await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            _writer.Reset();
            stream.WriteByte((byte)'\n');
            Written++;
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Releases the JSON writer; the stream belongs to the caller.</summary>
    public void Dispose() => _writer.Dispose();
}
