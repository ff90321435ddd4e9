using System.Buffers;
using System.Text;

namespace ItOpsStream.Connectors.Redis;

/// <summary>
/// Hands out one string instance per distinct value during a load, so the 3M relation endpoints share
/// the strings of the CI ids and repeated classes, owners and attribute keys exist once. Looks up by
/// UTF-8 bytes or chars without allocating. Single-threaded; dropped when the load ends.
/// </summary>
internal sealed class StringPool
{
    private const int StackLimit = 256;
    private readonly Dictionary<string, string> _strings;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StringPool(int capacity = 0)
    {
        _strings = new Dictionary<string, string>(capacity, StringComparer.Ordinal);
        _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _strings.Count;

    public string Get(ReadOnlySpan<char> chars)
    {
        if (_lookup.TryGetValue(chars, out string? existing))
        {
            return existing;
        }

        string created = chars.ToString();
        _strings.Add(created, created);
        return created;
    }

    public string Get(ReadOnlySpan<byte> utf8) => Get(utf8, out _);

    /// <summary>Returns the pooled string and whether it was new to the pool.</summary>
    public string Get(ReadOnlySpan<byte> utf8, out bool added)
    {
        char[]? rented = null;
        Span<char> buffer = utf8.Length <= StackLimit ? stackalloc char[StackLimit] : (rented = ArrayPool<char>.Shared.Rent(utf8.Length));
        try
        {
            int n = Encoding.UTF8.GetChars(utf8, buffer);
            var chars = buffer[..n];
            if (_lookup.TryGetValue(chars, out string? existing))
            {
                added = false;
                return existing;
            }

            string created = chars.ToString();
            _strings.Add(created, created);
            added = true;
            return created;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}
