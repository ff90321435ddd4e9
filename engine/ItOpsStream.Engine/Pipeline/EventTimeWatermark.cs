namespace ItOpsStream.Engine.Pipeline;

/// <summary>
/// The event-time watermark: <c>max event time seen − allowed lateness</c>, never going back. Every
/// timer of the engine (stale alerts, end of flapping, incident grace) fires on it, never on the
/// wall clock, so a replay gives the same result as the live run did. Live, a quiet stream would
/// freeze it: <see cref="AdvanceIdle"/> lets the wall clock push it forward while input is idle.
/// </summary>
/// <remarks>Single owner (the router stage); not thread-safe.</remarks>
internal sealed class EventTimeWatermark(long allowedLatenessMs)
{
    /// <summary>The largest event time seen, or <see cref="long.MinValue"/> before the first record.</summary>
    public long MaxEventTime { get; private set; } = long.MinValue;

    /// <summary>The current watermark, or <see cref="long.MinValue"/> before the first record.</summary>
    public long Current { get; private set; } = long.MinValue;

    /// <summary>Sees one record's event time; returns true when the record is late (older than the watermark).</summary>
    public bool Observe(long eventTime)
    {
        if (eventTime > MaxEventTime)
        {
            MaxEventTime = eventTime;
        }

        return eventTime < Current;
    }

    /// <summary>Moves the watermark to what the records observed so far allow (call after each batch).</summary>
    public void Advance()
    {
        if (MaxEventTime != long.MinValue)
        {
            Raise(MaxEventTime - allowedLatenessMs);
        }
    }

    /// <summary>
    /// Live mode: the input has been idle for <paramref name="idleMs"/> of wall time, so event time
    /// is assumed to have moved on by as much.
    /// </summary>
    public void AdvanceIdle(long idleMs)
    {
        if (MaxEventTime != long.MinValue && idleMs > 0)
        {
            Raise(MaxEventTime + idleMs - allowedLatenessMs);
        }
    }

    /// <summary>End of input: no later record can come, so the lateness allowance is dropped.</summary>
    public void Flush()
    {
        if (MaxEventTime != long.MinValue)
        {
            Raise(MaxEventTime);
        }
    }

    private void Raise(long candidate)
    {
        if (candidate > Current)
        {
            Current = candidate;
        }
    }
}
