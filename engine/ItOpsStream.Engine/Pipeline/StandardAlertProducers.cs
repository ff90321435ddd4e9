using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Detection;
using ItOpsStream.Engine.Logs;

namespace ItOpsStream.Engine.Pipeline;

/// <summary>
/// The alert producers every engine runs by default, the same in replay, <c>run</c> and <c>demo</c>:
/// metric anomaly detection (<see cref="AnomalyAlertProducer"/>) and log-derived alerts
/// (<see cref="LogAlertProducer"/>), one instance of each per alert shard; with a models directory,
/// also the promoted models (<see cref="ModelAlertProducer"/>).
/// </summary>
public static class StandardAlertProducers
{
    /// <summary>A factory for <see cref="PipelinePorts.AlertProducerFactory"/>.</summary>
    /// <param name="anomalies">Per-series anomaly detection; its hysteresis, calibration and LRU bound apply to model alerts too.</param>
    /// <param name="logs">Log-derived alerts.</param>
    /// <param name="models">The promoted models in force, or null: no model alerts.</param>
    public static Func<int, IAlertProducer> Factory(AnomalyAlertOptions? anomalies = null, LogAlertOptions? logs = null, IModelsProvider? models = null) =>
        models is null
            ? _ => new CompositeAlertProducer(new AnomalyAlertProducer(anomalies), new LogAlertProducer(logs))
            : _ => new CompositeAlertProducer(new AnomalyAlertProducer(anomalies), new LogAlertProducer(logs), new ModelAlertProducer(models, anomalies));
}
