using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Alerts;

/// <summary>What happened to an alert (the output of the dedup stage).</summary>
public enum AlertChange : byte
{
    /// <summary>First firing of a fingerprint, or firing again after it was resolved.</summary>
    Fired = 0,

    /// <summary>A repeat while firing: count, last_seen, maybe severity or message changed.</summary>
    Repeated = 1,

    /// <summary>Resolved by a <c>resolved</c> record (or by the end of flapping while resolved).</summary>
    Resolved = 2,

    /// <summary>Resolved because nothing was heard for <see cref="AlertOptions.StaleAfter"/>.</summary>
    StaleResolved = 3,

    /// <summary>Too many state changes in the flap window: the alert counts as firing until it calms down.</summary>
    FlappingStarted = 4,

    /// <summary>A flapping alert changed state; the incident does not follow it.</summary>
    FlappingUpdate = 5,

    /// <summary>No state change for a flap window; the alert's own status applies again.</summary>
    FlappingEnded = 6,
}

/// <summary>
/// An alert as the dedup stage sees it after a change: immutable, safe to hand to another stage.
/// <c>Fingerprint</c> is the <c>dedup_key</c> or the derived fingerprint text; <c>ChangedAt</c> is
/// the event time of this change (the record's time, or a timer's due time).
/// </summary>
public readonly record struct AlertSnapshot(
    string Fingerprint,
    string? Source,
    string? Ci,
    string? Check,
    Severity Severity,
    AlertStatus Status,
    bool Flapping,
    long FirstSeen,
    long LastSeen,
    long Count,
    long ChangedAt,
    string? Message,
    LabelSet Labels);

/// <summary>
/// One alert change with its position in the input, so that the outputs of all shards merge back
/// into input order: record-driven changes sort by <see cref="SortIndex"/> (the record's index in
/// its batch), timer-driven ones come after them, by due time then fingerprint.
/// </summary>
public readonly record struct AlertTransition(AlertChange Change, AlertSnapshot Alert, int SortIndex, long SortTime)
{
    /// <summary>The <see cref="SortIndex"/> of timer-driven changes (stale, end of flapping).</summary>
    public const int TimerIndex = int.MaxValue;

    /// <summary>Orders transitions of one batch deterministically, whatever shard produced them.</summary>
    public static int Compare(AlertTransition a, AlertTransition b)
    {
        int c = a.SortIndex.CompareTo(b.SortIndex);
        if (c != 0)
        {
            return c;
        }

        c = a.SortTime.CompareTo(b.SortTime);
        return c != 0 ? c : string.CompareOrdinal(a.Alert.Fingerprint, b.Alert.Fingerprint);
    }
}
