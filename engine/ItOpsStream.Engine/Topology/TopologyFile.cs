namespace ItOpsStream.Engine.Topology;

/// <summary>
/// Reads the topology (CMDB) file of CONTRACTS §1: <c>{"cis":[…],"relations":[…]}</c>. The rules
/// (required fields, defaults, what is an error and what is a warning) are listed in docs/FORMATS.md.
/// </summary>
/// <remarks>
/// <para>
/// Streams: the file is read through a bounded buffer (it grows only to the largest single CI or
/// relation), never materialized as a document, so a 1M-CI / 3M-relation export costs the records
/// it yields and nothing more. Repeated strings (classes, types, owners, attribute keys and values,
/// the CI ids relations name) are shared.
/// </para>
/// <para>
/// Errors throw <see cref="TopologyFormatException"/> with a one-line <c>file:line:column: what</c>
/// message: malformed JSON, a CI without id, a repeated CI id, an unknown criticality, a field of the
/// wrong type. A relation naming a CI that is not in the file is kept (CMDB exports are often
/// partial) and reported in <see cref="TopologyDocument.Warnings"/>.
/// </para>
/// </remarks>
public static class TopologyFile
{
    /// <summary>Loads and validates a topology file.</summary>
    /// <exception cref="TopologyFormatException">The content is not a valid topology.</exception>
    /// <exception cref="IOException">The file cannot be read (<see cref="FileNotFoundException"/> when it does not exist).</exception>
    public static TopologyDocument Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return new TopologyFileParser(path).Parse(stream);
    }

    /// <summary>Parses a topology held in memory.</summary>
    /// <param name="utf8">The whole document, UTF-8.</param>
    /// <param name="sourceName">The name errors and warnings start with (a file name, a topic).</param>
    /// <exception cref="TopologyFormatException">The content is not a valid topology.</exception>
    public static TopologyDocument Parse(ReadOnlySpan<byte> utf8, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        return new TopologyFileParser(sourceName).Parse(utf8);
    }
}
