using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Detection;
using ItOpsStream.Engine.Logs;

namespace ItOpsStream.Engine.Pipeline;

/// <summary>
/// The alert producers every engine runs by default, the same in replay, <c>run</c> and <c>demo</c>:
/// metric anomaly detection (<see cref="AnomalyAlertProducer"/>) and log-derived alerts
/// (<see cref="LogAlertProducer"/>), one instance of each per alert shard.
/// </summary>
public static class StandardAlertProducers
{
    /// <summary>A factory for <see cref="PipelinePorts.AlertProducerFactory"/>.</summary>
    public static Func<int, IAlertProducer> Factory(AnomalyAlertOptions? anomalies = null, LogAlertOptions? logs = null) =>
        _ => new CompositeAlertProducer(new AnomalyAlertProducer(anomalies), new LogAlertProducer(logs));
}
