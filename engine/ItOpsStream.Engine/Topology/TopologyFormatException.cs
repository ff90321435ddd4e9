namespace ItOpsStream.Engine.Topology;

/// <summary>
/// A topology file (or CMDB record) that cannot be read. <see cref="Exception.Message"/> is one line,
/// <c>&lt;file&gt;:&lt;line&gt;:&lt;column&gt;: &lt;what&gt;</c>, with the 1-based line and the 1-based byte column
/// of the offending token, the way compilers report errors.
/// </summary>
public sealed class TopologyFormatException : FormatException
{
    public TopologyFormatException()
        : this("topology", 0, 0, "invalid topology")
    {
    }

    public TopologyFormatException(string message)
        : base(message)
    {
        SourceName = string.Empty;
        Detail = message;
    }

    public TopologyFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        SourceName = string.Empty;
        Detail = message;
    }

    public TopologyFormatException(string sourceName, long line, long column, string detail, Exception? innerException = null)
        : base($"{sourceName}:{line}:{column}: {detail}", innerException)
    {
        SourceName = sourceName;
        Line = line;
        Column = column;
        Detail = detail;
    }

    /// <summary>The file name (or other source name) given to the loader.</summary>
    public string SourceName { get; }

    /// <summary>1-based line of the problem; 0 when unknown.</summary>
    public long Line { get; }

    /// <summary>1-based byte column of the problem within its line; 0 when unknown.</summary>
    public long Column { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string Detail { get; }
}
