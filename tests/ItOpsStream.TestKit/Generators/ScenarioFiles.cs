using System.Buffers;
using System.Text.Json;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.TestKit.Generators;

/// <summary>Paths of one scenario on disk.</summary>
public sealed record ScenarioPaths(string Directory, string Topology, string Events, string Truth)
{
    public static ScenarioPaths In(string directory) => new(directory, Path.Combine(directory, "topology.json"), Path.Combine(directory, "events.jsonl"), Path.Combine(directory, "truth.json"));
}

/// <summary>
/// Writes scenarios in the project's file contracts: <c>topology.json</c> (CONTRACTS §1),
/// <c>events.jsonl</c> (CONTRACTS §2) and <c>truth.json</c> (docs/TESTKIT.md).
/// </summary>
public static class ScenarioFiles
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Pretty = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the three files into <paramref name="directory"/> (created when missing).</summary>
    public static ScenarioPaths Write(GeneratedScenario scenario, string directory)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        Directory.CreateDirectory(directory);
        var paths = ScenarioPaths.In(directory);
        using (var stream = File.Create(paths.Topology))
        {
            WriteTopology(scenario.Topology.Document, stream);
        }

        using (var stream = File.Create(paths.Events))
        {
            WriteEvents(scenario.Events, stream);
        }

        File.WriteAllText(paths.Truth, scenario.Truth.ToJson() + "\n");
        return paths;
    }

    /// <summary>Writes a topology document as CONTRACTS §1 JSON (one CI or relation per line, for diffs).</summary>
    public static void WriteTopology(TopologyDocument document, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var writer = new Utf8JsonWriter(stream, Pretty);
        writer.WriteStartObject();
        writer.WriteStartArray("cis");
        foreach (var ci in document.Cis)
        {
            writer.WriteStartObject();
            writer.WriteString("id", ci.Id);
            writer.WriteString("class", ci.Class);
            if (ci.Name is not null)
            {
                writer.WriteString("name", ci.Name);
            }

            if (ci.IsBusinessService || ci.Criticality != Criticality.Medium)
            {
                writer.WriteString("criticality", ci.Criticality.ToString().ToLowerInvariant());
            }

            if (ci.Owner is not null)
            {
                writer.WriteString("owner", ci.Owner);
            }

            if (ci.Attributes is { Count: > 0 })
            {
                writer.WriteStartObject("attributes");
                foreach (var (key, value) in ci.Attributes.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("relations");
        foreach (var r in document.Relations)
        {
            writer.WriteStartObject();
            writer.WriteString("from", r.From);
            writer.WriteString("to", r.To);
            writer.WriteString("type", r.Type);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        stream.WriteByte((byte)'\n');
    }

    /// <summary>Writes events as JSON Lines, in the given order.</summary>
    public static void WriteEvents(IEnumerable<ScenarioEvent> events, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(events);
        using var lines = new EventLineWriter(stream);
        foreach (var e in events)
        {
            lines.Write(e);
        }
    }

    /// <summary>Writes one JSON object per line; reusable buffer, no per-record writer.</summary>
    internal sealed class EventLineWriter : IDisposable
    {
        private readonly Stream _stream;
        private readonly ArrayBufferWriter<byte> _buffer = new(1024);
        private readonly Utf8JsonWriter _writer;

        public EventLineWriter(Stream stream)
        {
            _stream = stream;
            _writer = new Utf8JsonWriter(_buffer, Compact);
        }

        public void Write(ScenarioEvent e)
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            WriteRecord(_writer, e.Record, e.EpochMillis);
            _writer.Flush();
            _stream.Write(_buffer.WrittenSpan);
            _stream.WriteByte((byte)'\n');
        }

        public void Dispose() => _writer.Dispose();
    }

    private static void WriteRecord(Utf8JsonWriter w, TelemetryRecord r, bool epochMillis)
    {
        w.WriteStartObject();
        if (epochMillis)
        {
            w.WriteNumber("ts", r.Timestamp);
        }
        else
        {
            w.WriteString("ts", FaultScenarioGenerator.FormatTimestamp(r.Timestamp));
        }

        switch (r.Kind)
        {
            case TelemetryKind.Event:
                w.WriteString("kind", "event");
                w.WriteString("source", r.Source);
                w.WriteString("ci", r.Ci);
                w.WriteString("check", r.Check);
                w.WriteString("severity", r.Severity.ToString().ToLowerInvariant());
                w.WriteString("status", r.Status == AlertStatus.Firing ? "firing" : "resolved");
                if (r.DedupKey is not null)
                {
                    w.WriteString("dedup_key", r.DedupKey);
                }

                w.WriteString("message", r.Message);
                break;
            case TelemetryKind.Metric:
                w.WriteString("kind", "metric");
                w.WriteString("ci", r.Ci);
                w.WriteString("name", r.Name);
                w.WriteNumber("value", r.Value);
                break;
            case TelemetryKind.Log:
                w.WriteString("kind", "log");
                w.WriteString("ci", r.Ci);
                w.WriteString("level", r.Level.ToString().ToLowerInvariant());
                w.WriteString("message", r.Message);
                break;
            case TelemetryKind.Change:
                w.WriteString("kind", "change");
                w.WriteString("ci", r.Ci);
                w.WriteString("change_id", r.ChangeId);
                w.WriteString("description", r.Description);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(r), r.Kind, "unknown record kind");
        }

        if (r.Labels.Count > 0)
        {
            w.WriteStartObject("labels");
            foreach (var (key, value) in r.Labels)
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }
}
