using System.Text.Json;

namespace ItOpsStream.Engine.Topology;

/// <summary>
/// Writes a topology as a CONTRACTS §1 file. Deterministic: CIs sorted by id, relations by from then
/// to, attributes by key, defaults (medium criticality, empty fields) left out.
/// </summary>
public static class TopologyJsonWriter
{
    public static void Write(TopologyDocument document, Stream output)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteStartArray("cis"u8);
        foreach (var ci in document.Cis.OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("id"u8, ci.Id);
            WriteCiFields(w, ci);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("relations"u8);
        foreach (var r in document.Relations.OrderBy(r => r.From, StringComparer.Ordinal).ThenBy(r => r.To, StringComparer.Ordinal).ThenBy(r => r.Type, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("from"u8, r.From);
            w.WriteString("to"u8, r.To);
            w.WriteString("type"u8, r.Type);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// Writes a CI's fields other than its id (class, name, criticality, owner, attributes sorted by
    /// key; defaults left out) into the open object. The Redis CMDB store keeps CIs in this shape too.
    /// </summary>
    internal static void WriteCiFields(Utf8JsonWriter w, CiRecord ci)
    {
        w.WriteString("class"u8, ci.Class);
        if (ci.Name is not null)
        {
            w.WriteString("name"u8, ci.Name);
        }

        if (ci.Criticality != Criticality.Medium)
        {
            w.WriteString("criticality"u8, CriticalityName(ci.Criticality));
        }

        if (ci.Owner is not null)
        {
            w.WriteString("owner"u8, ci.Owner);
        }

        if (ci.Attributes is { Count: > 0 } attributes)
        {
            w.WriteStartObject("attributes"u8);
            foreach (var (key, value) in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
        }
    }

    /// <summary>The CONTRACTS §1 word for a criticality (no allocation, unlike a lowered enum name).</summary>
    internal static string CriticalityName(Criticality criticality) => criticality switch
    {
        Criticality.Critical => "critical",
        Criticality.High => "high",
        Criticality.Low => "low",
        _ => "medium",
    };
}
