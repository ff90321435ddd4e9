using System.Text.Json;

namespace ItOpsStream.Engine.Telemetry;

public sealed partial class TelemetryDecoder
{
    private bool ReadLabels(ref Utf8JsonReader reader, ref Scan scan)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Fault(ref scan, Field.Labels, DecodeErrorClass.FieldType, $"field 'labels' must be an object, found {JsonText.Describe(reader.TokenType)}");
            return TrySkip(ref reader);
        }

        if (reader.CurrentDepth >= _limits.MaxDepth)
        {
            return false;
        }

        int count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string? key = null;
            if (TryGetText(ref reader, Field.Labels, ref scan, out ReadOnlySpan<byte> keyText))
            {
                if (keyText.IsEmpty)
                {
                    Fault(ref scan, Field.Labels, DecodeErrorClass.FieldValue, "field 'labels' has an empty key");
                }
                else if (!WithinLength(keyText, _limits.MaxStringLength, out int keyLength))
                {
                    Fault(ref scan, Field.Labels, DecodeErrorClass.LimitStringLength, $"a key of field 'labels' is {keyLength} characters long, the limit is {_limits.MaxStringLength}");
                }
                else
                {
                    key = _strings.GetOrAdd(keyText);
                }
            }

            reader.Read();
            string? value = ReadLabelValue(ref reader, key, ref scan);
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !TrySkip(ref reader))
            {
                return false;
            }

            if (key is null || value is null)
            {
                continue;
            }

            if (count == _labels.Length)
            {
                Fault(ref scan, Field.Labels, DecodeErrorClass.LimitLabels, $"field 'labels' has more than {_limits.MaxLabels} entries");
                continue;
            }

            if (!InsertSorted(count, key, value))
            {
                Fault(ref scan, Field.Labels, DecodeErrorClass.FieldDuplicate, $"label '{JsonText.Printable(key)}' appears more than once");
                continue;
            }

            count++;
        }

        if ((scan.Faulted & (1u << (int)Field.Labels)) == 0)
        {
            scan.Labels = _labelSets.GetOrAdd(_labels.AsSpan(0, count));
            scan.Present |= 1u << (int)Field.Labels;
        }

        Array.Clear(_labels, 0, count);
        return true;
    }

    // Strings as they are; numbers and booleans as their JSON text exactly as written ("8080", "true");
    // null drops the label. Objects and arrays have no faithful label form and are refused.
    private string? ReadLabelValue(ref Utf8JsonReader reader, string? key, ref Scan scan)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                if (!TryGetText(ref reader, Field.Labels, ref scan, out ReadOnlySpan<byte> text))
                {
                    return null;
                }

                if (!WithinLength(text, _limits.MaxStringLength, out int length))
                {
                    Fault(ref scan, Field.Labels, DecodeErrorClass.LimitStringLength, $"label '{JsonText.Printable(key)}' is {length} characters long, the limit is {_limits.MaxStringLength}");
                    return null;
                }

                return _strings.GetOrAdd(text);
            case JsonTokenType.Number:
                if (reader.ValueSpan.Length > _limits.MaxStringLength)
                {
                    Fault(ref scan, Field.Labels, DecodeErrorClass.LimitStringLength, $"label '{JsonText.Printable(key)}' is {reader.ValueSpan.Length} characters long, the limit is {_limits.MaxStringLength}");
                    return null;
                }

                return _strings.GetOrAdd(reader.ValueSpan);
            case JsonTokenType.True:
                return "true";
            case JsonTokenType.False:
                return "false";
            case JsonTokenType.Null:
                return null;
            default:
                Fault(ref scan, Field.Labels, DecodeErrorClass.FieldType, $"label '{JsonText.Printable(key)}' must be a string, number or boolean, found {JsonText.Describe(reader.TokenType)}");
                return null;
        }
    }

    private bool InsertSorted(int count, string key, string value)
    {
        int i = count;
        while (i > 0)
        {
            int c = string.CompareOrdinal(_labels[i - 1].Key, key);
            if (c == 0)
            {
                return false;
            }

            if (c < 0)
            {
                break;
            }

            i--;
        }

        Array.Copy(_labels, i, _labels, i + 1, count - i);
        _labels[i] = new KeyValuePair<string, string>(key, value);
        return true;
    }
}
