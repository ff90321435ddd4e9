using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Tests.Support;

/// <summary>
/// Drives one dedup store and the correlator in a single thread, batch by batch, as the pipeline
/// does (records, then timers up to the watermark, then incident records): correlation tests need
/// no channels.
/// </summary>
internal sealed class CorrelationDriver(CorrelationOptions? correlation = null, AlertOptions? alerts = null, ICorrelationRules? rules = null, ITopologyProvider? topology = null)
{
    private readonly AlertStore _store = new(alerts ?? AlertOptions.Default);
    private readonly Fingerprints _fingerprints = new(null);
    private readonly Correlator _correlator = new(correlation ?? CorrelationOptions.Default, topology ?? TestTopology.Provider, rules);

    public List<IncidentRecord> Records { get; } = [];

    public CorrelatorStats Stats => _correlator.Stats;

    /// <summary>One batch; the watermark defaults to the batch's last event time.</summary>
    public List<IncidentRecord> Batch(params TelemetryRecord[] records) => BatchAt(records.Length > 0 ? records.Max(r => r.Timestamp) : long.MinValue, false, records);

    public List<IncidentRecord> BatchAt(long watermark, bool final, params TelemetryRecord[] records)
    {
        var transitions = new List<AlertTransition>();
        for (int i = 0; i < records.Length; i++)
        {
            if (records[i].Kind == TelemetryKind.Change)
            {
                _correlator.OnChange(records[i]);
            }
            else
            {
                _store.Apply(records[i], _fingerprints.RouteKey(records[i]), i, transitions);
            }
        }

        _store.AdvanceTo(watermark, transitions);
        foreach (var transition in transitions)
        {
            _correlator.OnAlert(transition);
        }

        var output = new List<IncidentRecord>();
        _correlator.AdvanceTo(watermark, final, output);
        Records.AddRange(output);
        return output;
    }

    public List<IncidentRecord> Finish() => BatchAt(Records.Count == 0 ? long.MinValue : Records.Max(r => r.UpdatedAt), true);

    /// <summary>The latest record of each incident, by incident id.</summary>
    public Dictionary<string, IncidentRecord> Latest() =>
        Records.GroupBy(r => r.IncidentId).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Version).Last());
}
