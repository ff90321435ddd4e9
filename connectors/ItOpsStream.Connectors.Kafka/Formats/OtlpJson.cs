using System.Text.Json;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Connectors.Kafka.Formats;

/// <summary>OTLP/JSON helpers: <c>KeyValue</c> attribute lists, <c>AnyValue</c>, and the resource → CI mapping.</summary>
internal static class OtlpJson
{
    /// <summary>Reads an OTLP attribute list (<c>[{"key":…,"value":{"stringValue":…}}]</c>) into pairs.</summary>
    public static void ReadAttributes(JsonElement parent, List<KeyValuePair<string, string>> into)
    {
        if (!parent.TryGetProperty("attributes", out var attributes) || attributes.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var kv in attributes.EnumerateArray())
        {
            var key = JsonFields.OptionalString(kv, "key");
            if (key is not null)
            {
                into.Add(new(key, kv.TryGetProperty("value", out var value) ? AnyValueText(value) : string.Empty));
            }
        }
    }

    /// <summary>An OTLP <c>AnyValue</c> as text: scalars as themselves, arrays and maps as their JSON.</summary>
    public static string AnyValueText(JsonElement anyValue)
    {
        if (anyValue.ValueKind != JsonValueKind.Object)
        {
            return JsonFields.ScalarText(anyValue);
        }

        foreach (var property in anyValue.EnumerateObject())
        {
            return property.Name switch
            {
                "stringValue" or "boolValue" or "intValue" or "doubleValue" or "bytesValue" => JsonFields.ScalarText(property.Value),
                _ => property.Value.GetRawText(),
            };
        }

        return string.Empty;
    }

    /// <summary>The CI of a resource: the first configured attribute present, with its prefix.</summary>
    public static string? ResourceCi(List<KeyValuePair<string, string>> resourceAttributes, FormatOptions options)
    {
        foreach (var rule in options.OtlpCiAttributes)
        {
            foreach (var (key, value) in resourceAttributes)
            {
                if (string.Equals(key, rule.Attribute, StringComparison.Ordinal) && value.Length > 0)
                {
                    return rule.Prefix + value;
                }
            }
        }

        return null;
    }

    public static List<KeyValuePair<string, string>> ResourceAttributes(JsonElement resourceEntry)
    {
        var list = new List<KeyValuePair<string, string>>();
        if (resourceEntry.TryGetProperty("resource", out var resource) && resource.ValueKind == JsonValueKind.Object)
        {
            ReadAttributes(resource, list);
        }

        return list;
    }

    public static IEnumerable<JsonElement> Array(JsonElement parent, string property) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
            : [];

    public static LabelSet Labels(JsonElement point)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        ReadAttributes(point, pairs);
        return pairs.Count == 0 ? LabelSet.Empty : LabelSet.From(pairs);
    }
}
