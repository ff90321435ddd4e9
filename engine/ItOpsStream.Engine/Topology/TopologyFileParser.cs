using System.Text.Json;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Topology;

/// <summary>
/// The resumable reader behind <see cref="TopologyFile"/>: a state machine over
/// <see cref="Utf8JsonReader"/> that consumes the document a buffer at a time, keeping the reader
/// state at the last complete CI or relation and retrying an element cut by the buffer's end once
/// more bytes are in. One instance parses one document.
/// </summary>
internal sealed class TopologyFileParser(string sourceName)
{
    /// <summary>Most warnings listed one by one; beyond it one summary line gives the total.</summary>
    public const int MaxWarnings = 10_000;

    private const int InitialBuffer = 256 * 1024;

    private readonly TopologyElementReader _elements = new();
    private readonly List<CiRecord> _cis = [];
    private readonly List<RelationRecord> _relations = [];
    private readonly List<PendingWarning> _pending = [];
    private Where _where;
    private JsonReaderState _state;
    private int _skipDepth;
    private bool _sawCis;
    private bool _sawRelations;

    // Line tracking for positions the reader does not report (semantic errors, warnings): newlines are
    // counted once, from a cursor that only moves forward.
    private long _base;
    private long _cursor;
    private long _line = 1;
    private long _lineStart;

    private enum Where
    {
        Start,
        Root,
        InCis,
        InRelations,
        Skipping,
        End,
        Done,
    }

    public TopologyDocument Parse(ReadOnlySpan<byte> utf8)
    {
        int bom = BomLength(utf8);
        _base = _cursor = _lineStart = bom;
        Step(utf8[bom..], isFinalBlock: true);
        return Finish();
    }

    /// <param name="stream">The document.</param>
    /// <param name="initialBuffer">Starting buffer size; tests use tiny ones to cut elements at every byte.</param>
    public TopologyDocument Parse(Stream stream, int initialBuffer = InitialBuffer)
    {
        byte[] buffer = new byte[initialBuffer];
        int filled = 0;
        bool final = false;
        bool bomChecked = false;
        while (true)
        {
            if (!final)
            {
                int read = stream.Read(buffer, filled, buffer.Length - filled);
                final = read == 0;
                filled += read;
            }

            int start = 0;
            if (!bomChecked && (filled >= 3 || final))
            {
                start = BomLength(buffer.AsSpan(0, filled));
                _base = _cursor = _lineStart = start;
                bomChecked = true;
            }
            else if (!bomChecked)
            {
                continue;
            }

            ReadOnlySpan<byte> data = buffer.AsSpan(start, filled - start);
            int consumed = Step(data, final);
            if (_where == Where.Done)
            {
                return Finish();
            }

            if (final)
            {
                // The reader throws on a truncated final block, so this is unreachable by design.
                throw new TopologyFormatException(sourceName, _line, 0, "unexpected end of file");
            }

            AdvanceLines(data, _base + consumed);
            int keep = filled - start - consumed;
            if (consumed + start == 0 && filled == buffer.Length)
            {
                // One element is larger than the buffer: grow rather than fail.
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            else
            {
                Buffer.BlockCopy(buffer, start + consumed, buffer, 0, keep);
                filled = keep;
                _base += consumed;
            }
        }
    }

    /// <summary>Consumes what it can of <paramref name="data"/>; returns the bytes consumed up to the last complete unit.</summary>
    private int Step(ReadOnlySpan<byte> data, bool isFinalBlock)
    {
        var reader = new Utf8JsonReader(data, isFinalBlock, _state);
        long checkpoint = 0;
        JsonReaderState checkpointState = _state;
        try
        {
            while (Advance(ref reader, data, isFinalBlock))
            {
                checkpoint = reader.BytesConsumed;
                checkpointState = reader.CurrentState;
                if (_where == Where.Done)
                {
                    break;
                }
            }
        }
        catch (JsonException ex)
        {
            throw new TopologyFormatException(sourceName, (ex.LineNumber ?? 0) + 1, (ex.BytePositionInLine ?? 0) + 1, JsonText.SyntaxMessage(ex), ex);
        }
        catch (TopologyElementException ex)
        {
            throw Error(data, ex.TokenIndex, ex.Message);
        }

        _state = checkpointState;
        return (int)checkpoint;
    }

    /// <summary>Reads one unit (a token, or a whole CI or relation). False when the data ran out first.</summary>
    private bool Advance(ref Utf8JsonReader reader, ReadOnlySpan<byte> data, bool isFinalBlock)
    {
        switch (_where)
        {
            case Where.Start:
                if (!reader.Read())
                {
                    return false;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Error(data, reader.TokenStartIndex, $"a topology must be a JSON object with 'cis' and 'relations', found {JsonText.Describe(reader.TokenType)}");
                }

                _where = Where.Root;
                return true;

            case Where.Root:
                return AdvanceRoot(ref reader, data);

            case Where.InCis or Where.InRelations:
                if (!reader.Read())
                {
                    return false;
                }

                bool cis = _where == Where.InCis;
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    _where = Where.Root;
                    return true;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Error(data, reader.TokenStartIndex, $"each entry of '{(cis ? "cis" : "relations")}' must be an object, found {JsonText.Describe(reader.TokenType)}");
                }

                if (!_elements.TryRead(ref reader, cis ? ElementShape.Ci : ElementShape.Relation, out ElementFields fields))
                {
                    return false;
                }

                if (cis)
                {
                    AddCi(in fields, data);
                }
                else
                {
                    AddRelation(in fields, data);
                }

                return true;

            case Where.Skipping:
                if (!reader.Read())
                {
                    return false;
                }

                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray && reader.CurrentDepth == _skipDepth)
                {
                    _where = Where.Root;
                }

                return true;

            default:
                // After the root object only whitespace may follow; the reader throws on anything else.
                if (reader.Read() || !isFinalBlock)
                {
                    return false;
                }

                _where = Where.Done;
                return true;
        }
    }

    private bool AdvanceRoot(ref Utf8JsonReader reader, ReadOnlySpan<byte> data)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.EndObject)
        {
            _where = Where.End;
            return true;
        }

        long nameIndex = reader.TokenStartIndex;
        bool isCis = reader.ValueTextEquals("cis"u8);
        bool isRelations = !isCis && reader.ValueTextEquals("relations"u8);
        if (!reader.Read())
        {
            return false;
        }

        if (isCis || isRelations)
        {
            string name = isCis ? "cis" : "relations";
            if (isCis ? _sawCis : _sawRelations)
            {
                throw Error(data, nameIndex, $"field '{name}' appears more than once");
            }

            _sawCis |= isCis;
            _sawRelations |= isRelations;
            if (reader.TokenType == JsonTokenType.Null)
            {
                return true;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Error(data, reader.TokenStartIndex, $"field '{name}' must be an array, found {JsonText.Describe(reader.TokenType)}");
            }

            _where = isCis ? Where.InCis : Where.InRelations;
        }
        else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            _skipDepth = reader.CurrentDepth;
            _where = Where.Skipping;
        }

        return true;
    }

    private void AddCi(in ElementFields f, ReadOnlySpan<byte> data)
    {
        if (string.IsNullOrEmpty(f.Id))
        {
            throw Error(data, f.Start, "a CI needs a non-empty string 'id'");
        }

        if (!_elements.CiIds.Add(f.Id))
        {
            throw Error(data, f.IdIndex, $"CI id '{JsonText.Printable(f.Id)}' appears more than once");
        }

        _cis.Add(new CiRecord(f.Id, f.Class ?? string.Empty, f.Name, f.Criticality ?? Criticality.Medium, f.Owner, f.Attributes));
    }

    private void AddRelation(in ElementFields f, ReadOnlySpan<byte> data)
    {
        if (string.IsNullOrEmpty(f.From) || string.IsNullOrEmpty(f.To))
        {
            throw Error(data, f.Start, $"a relation needs non-empty strings 'from' and 'to'");
        }

        _relations.Add(new RelationRecord(f.From, f.To, string.IsNullOrEmpty(f.Type) ? "depends_on" : f.Type));
        if (!f.FromDeclared || !f.ToDeclared || ReferenceEquals(f.From, f.To))
        {
            // Decided at the end: a CI may be declared after the relations that name it.
            var (line, column) = Position(data, f.Start);
            _pending.Add(new PendingWarning(_relations.Count - 1, line, column));
        }
    }

    private TopologyDocument Finish()
    {
        var warnings = new List<string>();
        int total = 0;
        foreach (var pending in _pending)
        {
            var r = _relations[pending.Relation];
            bool fromKnown = _elements.CiIds.Contains(r.From);
            bool toKnown = _elements.CiIds.Contains(r.To);
            string from = JsonText.Printable(r.From), to = JsonText.Printable(r.To);
            string? what = (fromKnown, toKnown) switch
            {
                (false, false) when r.From == r.To => $"relation '{from}' -> '{to}' names an unknown CI and points to itself; kept",
                (false, false) => $"relation '{from}' -> '{to}' names unknown CIs '{from}' and '{to}'; kept",
                (false, true) => $"relation '{from}' -> '{to}' names unknown CI '{from}'; kept",
                (true, false) => $"relation '{from}' -> '{to}' names unknown CI '{to}'; kept",
                _ when r.From == r.To => $"relation '{from}' -> '{to}' points to itself; kept",
                _ => null,
            };
            if (what is null)
            {
                continue;
            }

            total++;
            if (warnings.Count < MaxWarnings)
            {
                warnings.Add($"{sourceName}:{pending.Line}:{pending.Column}: {what}");
            }
        }

        if (total > MaxWarnings)
        {
            warnings.Add($"{sourceName}: {total - MaxWarnings} more warnings not listed ({total} in all)");
        }

        _cis.TrimExcess();
        _relations.TrimExcess();
        return new TopologyDocument(_cis, _relations) { Warnings = warnings };
    }

    private TopologyFormatException Error(ReadOnlySpan<byte> data, long index, string detail)
    {
        var (line, column) = Position(data, index);
        return new TopologyFormatException(sourceName, line, column, detail);
    }

    /// <summary>1-based line and byte column of <paramref name="index"/> in <paramref name="data"/> (which starts at <c>_base</c>).</summary>
    private (long Line, long Column) Position(ReadOnlySpan<byte> data, long index)
    {
        long absolute = _base + index;
        AdvanceLines(data, absolute);
        return (_line, absolute - _lineStart + 1);
    }

    private void AdvanceLines(ReadOnlySpan<byte> data, long absolute)
    {
        if (absolute <= _cursor)
        {
            return;
        }

        var span = data.Slice((int)(_cursor - _base), (int)(absolute - _cursor));
        int newlines = span.Count((byte)'\n');
        if (newlines > 0)
        {
            _line += newlines;
            _lineStart = _cursor + span.LastIndexOf((byte)'\n') + 1;
        }

        _cursor = absolute;
    }

    private static int BomLength(ReadOnlySpan<byte> data) => data.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;

    private readonly record struct PendingWarning(int Relation, long Line, long Column);
}
