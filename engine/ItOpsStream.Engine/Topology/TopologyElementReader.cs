using System.Text.Json;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Topology;

/// <summary>Which fields an element object may carry; the others are skipped like unknown fields.</summary>
internal enum ElementShape
{
    /// <summary>An entry of <c>cis</c>.</summary>
    Ci,

    /// <summary>An entry of <c>relations</c>.</summary>
    Relation,

    /// <summary>A CMDB change record: CI or relation fields plus <c>op</c> and <c>version</c>.</summary>
    Change,
}

/// <summary>A problem inside one element: its error class, what is wrong, and where (reader-relative byte index).</summary>
internal sealed class TopologyElementException(string errorClass, string detail, long tokenIndex) : Exception(detail)
{
    public string ErrorClass { get; } = errorClass;

    public long TokenIndex { get; } = tokenIndex;
}

/// <summary>
/// Reads one CI / relation / change object with a <see cref="Utf8JsonReader"/> and pools the strings
/// that repeat across a topology (classes, types, owners, attribute keys and values, CI ids named by
/// relations), so that a million-CI topology holds each distinct string once.
/// </summary>
/// <remarks>
/// Works on partial data: <see cref="TryRead"/> returns false when the element runs past the end of
/// the reader's buffer, with no side effect that matters, so a streaming caller rolls the reader back
/// to the element's start and retries with more bytes. Not thread-safe.
/// </remarks>
internal sealed class TopologyElementReader
{
    private static readonly byte[][] Names =
    [
        "id"u8.ToArray(), "class"u8.ToArray(), "name"u8.ToArray(), "criticality"u8.ToArray(), "owner"u8.ToArray(), "attributes"u8.ToArray(),
        "from"u8.ToArray(), "to"u8.ToArray(), "type"u8.ToArray(), "op"u8.ToArray(), "version"u8.ToArray(),
    ];

    private readonly HashSet<string> _pool = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _poolLookup;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _ciLookup;
    private readonly int _maxString;
    private readonly int _maxAttributes;
    private readonly int _maxDepth;
    private readonly int _maxPooled;
    private readonly List<KeyValuePair<string, string>> _attributes = [];
    private readonly HashSet<string> _attributeKeys = new(StringComparer.Ordinal);
    private char[] _chars = new char[256];
    private string? _lastFrom;
    private string? _lastTo;

    /// <param name="maxString">Longest string accepted, in UTF-16 code units.</param>
    /// <param name="maxAttributes">Most attributes one CI may carry.</param>
    /// <param name="maxDepth">Deepest nesting accepted, the element's own object counting as its reader depth + 1.</param>
    /// <param name="maxPooled">Pool size at which the pool starts over: a long-lived change consumer must not grow without bound.</param>
    public TopologyElementReader(int maxString = int.MaxValue, int maxAttributes = int.MaxValue, int maxDepth = 64, int maxPooled = int.MaxValue)
    {
        _maxPooled = maxPooled;
        _maxString = maxString;
        _maxAttributes = maxAttributes;
        _maxDepth = maxDepth;
        _poolLookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();
        _ciLookup = CiIds.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private enum Name
    {
        Id,
        Class,
        DisplayName,
        Criticality,
        Owner,
        Attributes,
        From,
        To,
        Type,
        Op,
        Version,
        Unknown,
    }

    /// <summary>Ids of the CIs declared so far (the caller adds them once an element is complete).</summary>
    public HashSet<string> CiIds { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads the object whose <see cref="JsonTokenType.StartObject"/> the reader is on, through its end.</summary>
    /// <returns>False when the data ended first (only possible when the reader is not on its final block).</returns>
    /// <exception cref="TopologyElementException">The element is invalid.</exception>
    public bool TryRead(ref Utf8JsonReader reader, ElementShape shape, out ElementFields fields)
    {
        fields = default;
        fields.Start = reader.TokenStartIndex;
        uint seen = 0;
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }

            Name name = Match(ref reader, shape);
            long nameIndex = reader.TokenStartIndex;
            if (!reader.Read())
            {
                return false;
            }

            if (name == Name.Unknown)
            {
                if (!TrySkip(ref reader))
                {
                    return false;
                }

                continue;
            }

            uint bit = 1u << (int)name;
            if ((seen & bit) != 0)
            {
                throw new TopologyElementException(DecodeErrorClass.FieldDuplicate, $"field '{NameText(name)}' appears more than once", nameIndex);
            }

            seen |= bit;
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            switch (name)
            {
                case Name.Attributes:
                    if (!TryReadAttributes(ref reader, out fields.Attributes))
                    {
                        return false;
                    }

                    break;
                case Name.Version:
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long version))
                    {
                        throw Error(ref reader, DecodeErrorClass.FieldType, $"field 'version' must be an integer, found {JsonText.Describe(reader.TokenType)}");
                    }

                    fields.Version = version;
                    break;
                case Name.Criticality:
                    fields.Criticality = ParseCriticality(ref reader);
                    break;
                default:
                    ReadString(ref reader, name, ref fields);
                    break;
            }
        }
    }

    /// <summary>The string for a CI id named by a relation: the declared CI's own instance when there is one.</summary>
    /// <param name="id">The id as read.</param>
    /// <param name="last">The same end's last declared reference (from or to).</param>
    /// <param name="declared">Whether a CI with this id was declared before.</param>
    private string CiReference(ReadOnlySpan<char> id, ref string? last, out bool declared)
    {
        // CMDB exports usually list a CI's relations together: checking the last declared reference
        // first skips a lookup in a million-entry set, which costs a cache miss or two.
        if (last is not null && id.SequenceEqual(last))
        {
            declared = true;
            return last;
        }

        if (_ciLookup.TryGetValue(id, out string? existing))
        {
            declared = true;
            last = existing;
            return existing;
        }

        declared = false;
        return Pooled(id);
    }

    private void ReadString(ref Utf8JsonReader reader, Name name, ref ElementFields fields)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Error(ref reader, DecodeErrorClass.FieldType, $"field '{NameText(name)}' must be a string, found {JsonText.Describe(reader.TokenType)}");
        }

        ReadOnlySpan<char> text = Chars(ref reader, name);
        long index = reader.TokenStartIndex;
        switch (name)
        {
            case Name.Id:
                // A repeated id is the caller's error to report; an id a relation named first reuses that string.
                fields.Id = _ciLookup.TryGetValue(text, out string? known) ? known
                    : _poolLookup.TryGetValue(text, out string? named) ? named : new string(text);
                fields.IdIndex = index;
                break;
            case Name.DisplayName:
                fields.Name = new string(text);
                break;
            case Name.Class:
                fields.Class = Pooled(text);
                break;
            case Name.Owner:
                fields.Owner = Pooled(text);
                break;
            case Name.From:
                fields.From = CiReference(text, ref _lastFrom, out fields.FromDeclared);
                fields.FromIndex = index;
                break;
            case Name.To:
                fields.To = CiReference(text, ref _lastTo, out fields.ToDeclared);
                fields.ToIndex = index;
                break;
            case Name.Type:
                fields.Type = Pooled(text);
                break;
            default:
                fields.Op = Pooled(text);
                fields.OpIndex = index;
                break;
        }
    }

    private Criticality ParseCriticality(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Error(ref reader, DecodeErrorClass.FieldType, $"field 'criticality' must be a string, found {JsonText.Describe(reader.TokenType)}");
        }

        ReadOnlySpan<char> text = Chars(ref reader, Name.Criticality);
        if (text.Equals("critical", StringComparison.OrdinalIgnoreCase))
        {
            return Criticality.Critical;
        }

        if (text.Equals("high", StringComparison.OrdinalIgnoreCase))
        {
            return Criticality.High;
        }

        if (text.Equals("medium", StringComparison.OrdinalIgnoreCase))
        {
            return Criticality.Medium;
        }

        if (text.Equals("low", StringComparison.OrdinalIgnoreCase))
        {
            return Criticality.Low;
        }

        throw Error(ref reader, DecodeErrorClass.FieldValue, $"field 'criticality' has unknown value '{JsonText.Printable(text)}' (expected critical, high, medium or low)");
    }

    private bool TryReadAttributes(ref Utf8JsonReader reader, out IReadOnlyDictionary<string, string>? attributes)
    {
        attributes = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Error(ref reader, DecodeErrorClass.FieldType, $"field 'attributes' must be an object, found {JsonText.Describe(reader.TokenType)}");
        }

        CheckDepth(ref reader, "attributes");
        _attributes.Clear();
        _attributeKeys.Clear();
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            string key = Pooled(Chars(ref reader, Name.Attributes));
            if (key.Length == 0)
            {
                throw Error(ref reader, DecodeErrorClass.FieldValue, "field 'attributes' has an empty key");
            }

            if (!_attributeKeys.Add(key))
            {
                throw Error(ref reader, DecodeErrorClass.FieldDuplicate, $"attribute '{JsonText.Printable(key)}' appears more than once");
            }

            if (!reader.Read())
            {
                return false;
            }

            string? value = reader.TokenType switch
            {
                JsonTokenType.String => Pooled(Chars(ref reader, Name.Attributes)),
                JsonTokenType.Number => Pooled(System.Text.Encoding.UTF8.GetString(reader.ValueSpan)),
                JsonTokenType.True => "true",
                JsonTokenType.False => "false",
                JsonTokenType.Null => null,
                _ => throw Error(ref reader, DecodeErrorClass.FieldType, $"attribute '{JsonText.Printable(key)}' must be a string, number or boolean, found {JsonText.Describe(reader.TokenType)}"),
            };
            if (value is null)
            {
                continue;
            }

            if (_attributes.Count == _maxAttributes)
            {
                throw Error(ref reader, DecodeErrorClass.LimitLabels, $"field 'attributes' has more than {_maxAttributes} entries");
            }

            _attributes.Add(new KeyValuePair<string, string>(key, value));
        }

        if (_attributes.Count == 0)
        {
            return true;
        }

        var sorted = _attributes.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        attributes = new AttributeMap(sorted);
        return true;
    }

    /// <summary>The unescaped UTF-16 text of the string or property name the reader is on, in a reused buffer.</summary>
    private ReadOnlySpan<char> Chars(ref Utf8JsonReader reader, Name name)
    {
        // UTF-8 never takes fewer bytes than UTF-16 code units, escaped or not, so this always fits.
        int max = reader.ValueSpan.Length;
        if (_chars.Length < max)
        {
            _chars = new char[Math.Max(max, _chars.Length * 2)];
        }

        int length;
        try
        {
            length = reader.CopyString(_chars);
        }
        catch (InvalidOperationException)
        {
            throw Error(ref reader, DecodeErrorClass.EncodingUtf8, $"field '{NameText(name)}' is not valid UTF-8 or has an unpaired surrogate escape");
        }

        if (length > _maxString)
        {
            throw Error(ref reader, DecodeErrorClass.LimitStringLength, $"field '{NameText(name)}' is {length} characters long, the limit is {_maxString}");
        }

        return _chars.AsSpan(0, length);
    }

    private string Pooled(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return string.Empty;
        }

        if (_poolLookup.TryGetValue(text, out string? existing))
        {
            return existing;
        }

        string created = new(text);
        if (_pool.Count >= _maxPooled)
        {
            _pool.Clear();
        }

        _pool.Add(created);
        return created;
    }

    private bool TrySkip(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return true;
        }

        CheckDepth(ref reader, "an unknown field");
        int depth = reader.CurrentDepth;
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    CheckDepth(ref reader, "an unknown field");
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray when reader.CurrentDepth == depth:
                    return true;
            }
        }
    }

    private void CheckDepth(ref Utf8JsonReader reader, string where)
    {
        if (reader.CurrentDepth >= _maxDepth)
        {
            throw Error(ref reader, DecodeErrorClass.JsonDepth, $"{where} nests deeper than {_maxDepth} levels");
        }
    }

    private static Name Match(ref Utf8JsonReader reader, ElementShape shape)
    {
        int first = shape == ElementShape.Relation ? (int)Name.From : 0;
        int last = shape switch
        {
            ElementShape.Ci => (int)Name.Attributes,
            ElementShape.Relation => (int)Name.Type,
            _ => (int)Name.Version,
        };
        for (int i = first; i <= last; i++)
        {
            if (reader.ValueTextEquals(Names[i]))
            {
                return (Name)i;
            }
        }

        return Name.Unknown;
    }

    private static string NameText(Name name) => System.Text.Encoding.UTF8.GetString(Names[(int)name]);

    private static TopologyElementException Error(ref Utf8JsonReader reader, string errorClass, string detail) =>
        new(errorClass, detail, reader.TokenStartIndex);

}

/// <summary>The fields of one element as read, before the caller checks what its shape requires.</summary>
internal struct ElementFields
{
    public long Start;
    public string? Id;
    public long IdIndex;
    public string? Class;
    public string? Name;
    public Criticality? Criticality;
    public string? Owner;
    public IReadOnlyDictionary<string, string>? Attributes;
    public string? From;
    public long FromIndex;
    public bool FromDeclared;
    public string? To;
    public long ToIndex;
    public bool ToDeclared;
    public string? Type;
    public string? Op;
    public long OpIndex;
    public long? Version;
}
