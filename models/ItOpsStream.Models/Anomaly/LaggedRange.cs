namespace ItOpsStream.Models.Anomaly;

/// <summary>
/// A <see cref="ValueRange"/> that holds the latest few values back: a value is new when it leaves the range of the
/// values before them, so a new extreme reached in a few small steps is judged against where the series was before
/// the steps began, not against its own previous step. O(lag) per point; the lag is a handful of points.
/// </summary>
internal struct LaggedRange
{
    private readonly double[] _held;
    private ValueRange _range;
    private int _heldCount;
    private int _next;

    /// <param name="horizonPoints">Horizon of the range (see <see cref="ValueRange"/>).</param>
    /// <param name="lagPoints">Latest values held out of the range a novelty is judged against (0: none).</param>
    public LaggedRange(int horizonPoints, int lagPoints)
    {
        _range = new ValueRange(horizonPoints);
        _held = new double[lagPoints];
    }

    /// <summary>Max − min of every value added, the held ones included; 0 before two distinct values.</summary>
    public readonly double Span
    {
        get
        {
            double min = _range.Min, max = _range.Max;
            for (var i = 0; i < _heldCount; i++)
            {
                min = Math.Min(min, _held[i]);
                max = Math.Max(max, _held[i]);
            }

            return max > min ? max - min : 0;
        }
    }

    /// <summary>
    /// True if <paramref name="value"/> lies beyond the range of the values before the held ones by more than
    /// <paramref name="tolerance"/> times that range's span (false while that range is a single value).
    /// </summary>
    public readonly bool IsBeyond(double value, double tolerance)
    {
        var span = _range.Span;
        return span > 0 && (value > _range.Max + (tolerance * span) || value < _range.Min - (tolerance * span));
    }

    /// <summary>Adds a value: it is held for the lag, and the value it displaces enters the range.</summary>
    public void Add(double value)
    {
        if (_held.Length == 0)
        {
            _range.Add(value);
            return;
        }

        if (_heldCount == _held.Length)
        {
            _range.Add(_held[_next]);
        }
        else
        {
            _heldCount++;
        }

        _held[_next] = value;
        _next = (_next + 1) % _held.Length;
    }
}
