using System.Globalization;
using System.Text.Json;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Connectors.Kafka.Formats;

/// <summary>
/// OTLP/JSON metrics (<c>ExportMetricsServiceRequest</c>). Gauge and sum points become one metric
/// record each; histogram and exponential-histogram points become <c>name.count</c>, <c>name.sum</c>
/// and <c>name.mean</c>; summary points become <c>name.count</c>, <c>name.sum</c> and one <c>name</c>
/// record per quantile with a <c>quantile</c> label.
/// </summary>
internal sealed class OtlpMetricsFormat(FormatOptions options) : ITelemetryFormat
{
    private static readonly string[] ShapeNames = ["gauge", "sum", "histogram", "exponentialHistogram", "summary"];

    public string Name => FormatNames.OtlpMetrics;

    public bool TryConvert(ReadOnlySpan<byte> payload, List<TelemetryRecord> output, out FormatError error)
    {
        if (!JsonPayload.TryParse(payload, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("resourceMetrics", out var resourceMetrics) || resourceMetrics.ValueKind != JsonValueKind.Array)
            {
                error = FormatError.Invalid(Name, "resourceMetrics: missing or not an array");
                return false;
            }

            int start = output.Count;
            int r = 0;
            foreach (var resourceEntry in resourceMetrics.EnumerateArray())
            {
                var ci = OtlpJson.ResourceCi(OtlpJson.ResourceAttributes(resourceEntry), options);
                int s = 0;
                foreach (var scope in OtlpJson.Array(resourceEntry, "scopeMetrics"))
                {
                    int m = 0;
                    foreach (var metric in OtlpJson.Array(scope, "metrics"))
                    {
                        if (!TryConvertMetric(metric, ci, output, out var reason))
                        {
                            output.RemoveRange(start, output.Count - start);
                            error = FormatError.Invalid(Name, $"resourceMetrics[{r}].scopeMetrics[{s}].metrics[{m}]{reason}");
                            return false;
                        }

                        m++;
                    }

                    s++;
                }

                r++;
            }

            return true;
        }
    }

    private static bool TryConvertMetric(JsonElement metric, string? ci, List<TelemetryRecord> output, out string reason)
    {
        var name = JsonFields.OptionalString(metric, "name");
        if (string.IsNullOrEmpty(name))
        {
            reason = ".name: missing";
            return false;
        }

        foreach (var (shape, body) in Shapes(metric))
        {
            int p = 0;
            foreach (var point in OtlpJson.Array(body, "dataPoints"))
            {
                long ts = JsonFields.UnixNanoToMs(point, "timeUnixNano");
                if (ts == 0)
                {
                    reason = $".{shape}.dataPoints[{p}].timeUnixNano: missing";
                    return false;
                }

                var labels = OtlpJson.Labels(point);
                switch (shape)
                {
                    case "gauge" or "sum":
                        if (!TryNumber(point, out double value))
                        {
                            reason = $".{shape}.dataPoints[{p}]: neither asDouble nor asInt is a number";
                            return false;
                        }

                        output.Add(new TelemetryRecord(ts, TelemetryKind.Metric, ci, Name: name, Value: value, Labels: labels));
                        break;
                    case "histogram" or "exponentialHistogram":
                        AddAggregate(output, ts, ci, name, point, labels);
                        break;
                    default:
                        AddAggregate(output, ts, ci, name, point, labels);
                        foreach (var quantile in OtlpJson.Array(point, "quantileValues"))
                        {
                            double q = quantile.TryGetProperty("quantile", out var qv) && qv.TryGetDouble(out var qd) ? qd : 0;
                            double v = quantile.TryGetProperty("value", out var vv) && vv.TryGetDouble(out var vd) ? vd : 0;
                            var quantileLabels = LabelSet.From(labels.Append(new("quantile", q.ToString("R", CultureInfo.InvariantCulture))));
                            output.Add(new TelemetryRecord(ts, TelemetryKind.Metric, ci, Name: name, Value: v, Labels: quantileLabels));
                        }

                        break;
                }

                p++;
            }
        }

        reason = string.Empty;
        return true;
    }

    private static IEnumerable<(string Shape, JsonElement Body)> Shapes(JsonElement metric)
    {
        foreach (var shape in ShapeNames)
        {
            if (metric.TryGetProperty(shape, out var body) && body.ValueKind == JsonValueKind.Object)
            {
                yield return (shape, body);
            }
        }
    }

    private static void AddAggregate(List<TelemetryRecord> output, long ts, string? ci, string name, JsonElement point, LabelSet labels)
    {
        double count = ReadFlexible(point, "count");
        double sum = ReadFlexible(point, "sum");
        output.Add(new TelemetryRecord(ts, TelemetryKind.Metric, ci, Name: name + ".count", Value: count, Labels: labels));
        output.Add(new TelemetryRecord(ts, TelemetryKind.Metric, ci, Name: name + ".sum", Value: sum, Labels: labels));
        if (count > 0)
        {
            output.Add(new TelemetryRecord(ts, TelemetryKind.Metric, ci, Name: name + ".mean", Value: sum / count, Labels: labels));
        }
    }

    // OTLP/JSON writes 64-bit integers (asInt, count) as strings and doubles as numbers; accept either.
    private static bool TryNumber(JsonElement point, out double value)
    {
        if (point.TryGetProperty("asDouble", out var d) && TryFlexible(d, out value))
        {
            return true;
        }

        if (point.TryGetProperty("asInt", out var i) && TryFlexible(i, out value))
        {
            return true;
        }

        value = 0;
        return false;
    }

    private static double ReadFlexible(JsonElement point, string property) =>
        point.TryGetProperty(property, out var value) && TryFlexible(value, out var number) ? number : 0;

    private static bool TryFlexible(JsonElement value, out double number)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                return value.TryGetDouble(out number);
            case JsonValueKind.String:
                // Protobuf JSON also writes "NaN", "Infinity" and "-Infinity" as strings.
                return double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
            default:
                number = 0;
                return false;
        }
    }
}
