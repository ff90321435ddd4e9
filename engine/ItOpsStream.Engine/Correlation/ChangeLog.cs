using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Correlation;

/// <summary>One change record kept for correlation.</summary>
public readonly record struct ChangeEntry(string ChangeId, string Ci, long Timestamp, string? Description);

/// <summary>
/// The most recent change records per CI, bounded per CI. Owned by the correlator (single writer).
/// Changes on CIs nobody alerted about for a long time are pruned by <see cref="Prune"/>.
/// </summary>
internal sealed class ChangeLog(int maxPerCi)
{
    private readonly Dictionary<string, List<ChangeEntry>> _byCi = new(StringComparer.Ordinal);

    public int CiCount => _byCi.Count;

    /// <summary>Adds a change (kept sorted by time); returns false for a record without ci or change_id.</summary>
    public bool Add(in TelemetryRecord change)
    {
        if (change.Ci is not { Length: > 0 } ci || change.ChangeId is not { Length: > 0 } id)
        {
            return false;
        }

        if (!_byCi.TryGetValue(ci, out var list))
        {
            _byCi[ci] = list = [];
        }

        var entry = new ChangeEntry(id, ci, change.Timestamp, change.Description);
        int at = list.Count;
        while (at > 0 && list[at - 1].Timestamp > entry.Timestamp)
        {
            at--;
        }

        list.Insert(at, entry);
        if (list.Count > maxPerCi)
        {
            list.RemoveAt(0);
        }

        return true;
    }

    /// <summary>Changes on <paramref name="ci"/> with from ≤ ts ≤ to, oldest first.</summary>
    public void Find(string ci, long from, long to, List<ChangeEntry> result)
    {
        if (_byCi.TryGetValue(ci, out var list))
        {
            foreach (var entry in list)
            {
                if (entry.Timestamp >= from && entry.Timestamp <= to)
                {
                    result.Add(entry);
                }
            }
        }
    }

    /// <summary>Forgets CIs whose newest change is older than <paramref name="before"/>.</summary>
    public void Prune(long before)
    {
        List<string>? old = null;
        foreach (var (ci, list) in _byCi)
        {
            if (list[^1].Timestamp < before)
            {
                (old ??= []).Add(ci);
            }
        }

        if (old is not null)
        {
            foreach (var ci in old)
            {
                _byCi.Remove(ci);
            }
        }
    }
}
