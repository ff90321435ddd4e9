namespace ItOpsStream.Models.Anomaly;

/// <summary>
/// Smallest and largest value of a series over a bounded recent horizon: the values of the current block and of the
/// block before it, each half the horizon long, so the range forgets an old extreme after one to two horizons.
/// O(1) per point, four doubles of state.
/// </summary>
internal struct ValueRange
{
    private readonly int _blockPoints;
    private double _min;
    private double _max;
    private double _previousMin;
    private double _previousMax;
    private int _count;

    public ValueRange(int horizonPoints)
    {
        _blockPoints = Math.Max(1, horizonPoints / 2);
        _min = _previousMin = double.PositiveInfinity;
        _max = _previousMax = double.NegativeInfinity;
    }

    public readonly double Min => Math.Min(_min, _previousMin);

    public readonly double Max => Math.Max(_max, _previousMax);

    /// <summary>Max − min; 0 before two distinct values were seen.</summary>
    public readonly double Span => Max > Min ? Max - Min : 0;

    public void Add(double value)
    {
        if (_count == _blockPoints)
        {
            _previousMin = _min;
            _previousMax = _max;
            _min = double.PositiveInfinity;
            _max = double.NegativeInfinity;
            _count = 0;
        }

        _min = Math.Min(_min, value);
        _max = Math.Max(_max, value);
        _count++;
    }
}
