using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using ItOpsStream.Engine.Incidents;

namespace ItOpsStream.Engine.Remediation;

/// <summary>
/// A request to run a runbook (docs/RULES.md, "Remediation"). Shaped for runbook automation:
/// <see cref="Runbook"/> is a StackStorm action ref (<c>pack.action</c>) or a Rundeck job name,
/// <see cref="Params"/> its parameters (StackStorm <c>parameters</c>, Rundeck job options), and
/// <see cref="TargetCi"/> the node to run on. <see cref="TriggerId"/> is derived from the rule,
/// incident, target and event time, so a replay or a redelivery yields the same id (idempotent).
/// </summary>
public sealed record RemediationTrigger
{
    public required string TriggerId { get; init; }

    /// <summary>Event time of the incident record that triggered it, Unix ms.</summary>
    public required long Timestamp { get; init; }

    public required string Rule { get; init; }

    public required string Runbook { get; init; }

    public required string IncidentId { get; init; }

    public required string? TargetCi { get; init; }

    public required IReadOnlyList<KeyValuePair<string, string>> Params { get; init; }

    /// <summary>A human (or an approval workflow, StackStorm Inquiry / Rundeck approval) must confirm before it runs.</summary>
    public required bool RequiresApproval { get; init; }

    public required string Priority { get; init; }

    public required string Reason { get; init; }
}

/// <summary>Writes <see cref="RemediationTrigger"/>s as JSON (one object per line or Kafka message).</summary>
public static class RemediationJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The trigger as UTF-8 JSON bytes (no trailing newline).</summary>
    public static byte[] ToUtf8(RemediationTrigger trigger)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, trigger);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Fields in a fixed order: trigger_id, ts, rule, runbook, incident_id, target_ci, params, requires_approval, priority, reason.</summary>
    public static void Write(Utf8JsonWriter writer, RemediationTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(trigger);
        writer.WriteStartObject();
        writer.WriteString("trigger_id", trigger.TriggerId);
        writer.WriteString("ts", IncidentJson.FormatTime(trigger.Timestamp));
        writer.WriteString("rule", trigger.Rule);
        writer.WriteString("runbook", trigger.Runbook);
        writer.WriteString("incident_id", trigger.IncidentId);
        if (trigger.TargetCi is null)
        {
            writer.WriteNull("target_ci");
        }
        else
        {
            writer.WriteString("target_ci", trigger.TargetCi);
        }

        writer.WriteStartObject("params");
        foreach (var (key, value) in trigger.Params)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
        writer.WriteBoolean("requires_approval", trigger.RequiresApproval);
        writer.WriteString("priority", trigger.Priority);
        writer.WriteString("reason", trigger.Reason);
        writer.WriteEndObject();
    }
}

/// <summary>Remediation triggers as a JSON Lines file (<c>replay --remediations FILE</c>).</summary>
internal sealed class JsonLinesRemediationSink(Stream stream) : Pipeline.IRecordSink<RemediationTrigger>
{
    private static readonly byte[] NewLine = [(byte)'\n'];

    public async ValueTask WriteAsync(IReadOnlyList<RemediationTrigger> batch, CancellationToken cancellationToken)
    {
        foreach (var trigger in batch)
        {
            await stream.WriteAsync(RemediationJson.ToUtf8(trigger), cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(NewLine, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken) => await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
}
