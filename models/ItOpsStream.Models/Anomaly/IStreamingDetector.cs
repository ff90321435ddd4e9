namespace ItOpsStream.Models.Anomaly;

/// <summary>
/// A causal anomaly detector over one metric series. One instance holds the state of one series.
/// </summary>
/// <remarks>
/// Points are fed in arrival order; the score of a point depends only on that point and the points
/// before it. Implementations are single-writer: call from one thread at a time (the engine shards
/// series by key). A non-finite <c>value</c> is treated as a missing point: it scores 0 and leaves
/// the state unchanged. Costs are O(1) or O(log w) per point and allocation-free after construction.
/// </remarks>
public interface IStreamingDetector
{
    /// <summary>The registry name of the detector (<c>robust</c>, <c>seasonal</c>…).</summary>
    string Name { get; }

    /// <summary>Consumes one point and returns its anomaly score in [0, 1] (0 normal, 1 certainly anomalous).</summary>
    /// <param name="timestampMs">Event time, Unix epoch milliseconds.</param>
    /// <param name="value">The observed value.</param>
    double Score(long timestampMs, double value);
}
