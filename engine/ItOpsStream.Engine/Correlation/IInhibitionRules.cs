using ItOpsStream.Engine.Alerts;

namespace ItOpsStream.Engine.Correlation;

/// <summary>
/// Inhibition (Alertmanager's <c>inhibit_rules</c>, plus topology): implemented by an
/// <see cref="ICorrelationRules"/> that also wants inhibition. Called on the correlation thread only.
/// </summary>
public interface IInhibitionRules
{
    /// <summary>Sees every alert change, in input order, before the correlator acts on it (to track firing sources).</summary>
    void Observe(in AlertSnapshot alert);

    /// <summary>
    /// The firing source alert that inhibits <paramref name="alert"/> and the rule's name, or null. An
    /// inhibited alert joins the source's incident, marked inhibited: it neither raises the incident's
    /// priority nor opens an incident of its own.
    /// </summary>
    Inhibitor? FindInhibitor(in AlertSnapshot alert);
}

/// <summary>The alert that inhibits another, and the rule that says so.</summary>
public readonly record struct Inhibitor(string SourceFingerprint, string Rule, string Reason);
