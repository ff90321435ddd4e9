namespace ItOpsStream.Engine.Telemetry;

/// <summary>
/// Where a raw record came from: a file and 1-based line in replay, or a Kafka topic, partition and
/// offset when live. Printed in dead letters and error messages.
/// </summary>
public readonly record struct RecordOrigin(string Source, int Partition, long Offset)
{
    /// <summary>A line of a file (Partition is -1, Offset is the 1-based line number).</summary>
    public static RecordOrigin FileLine(string path, long line) => new(path, -1, line);

    public bool IsFile => Partition < 0;

    public override string ToString() => IsFile ? $"{Source}:{Offset}" : $"{Source}[{Partition}]@{Offset}";
}

/// <summary>A record that could not be read, with the reason; the original bytes are kept intact.</summary>
/// <param name="Payload">The original bytes, exactly as received.</param>
/// <param name="Origin">Where they came from.</param>
/// <param name="Stage">The pipeline stage that refused it (<c>decode</c>, <c>normalize</c>…).</param>
/// <param name="ErrorClass">A stable machine-readable class (<c>json.syntax</c>, <c>limit.record_size</c>…).</param>
/// <param name="Reason">One human line saying what is wrong and where.</param>
public sealed record DeadLetter(ReadOnlyMemory<byte> Payload, RecordOrigin Origin, string Stage, string ErrorClass, string Reason);
