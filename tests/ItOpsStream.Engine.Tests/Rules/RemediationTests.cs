using ItOpsStream.Engine.Incidents;
using ItOpsStream.Engine.Remediation;
using ItOpsStream.Engine.Rules;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Tests.Support;
using static ItOpsStream.Engine.Tests.Support.TestRecords;

namespace ItOpsStream.Engine.Tests.Rules;

public sealed class RemediationTests
{
    private static IncidentRecord Incident(string id, double seconds, string priority, params IncidentAlert[] alerts) => new()
    {
        IncidentId = id,
        Version = 1,
        Action = IncidentAction.Open,
        OpenedAt = T(0),
        UpdatedAt = T(seconds),
        Title = "t",
        Priority = priority,
        Impact = 1,
        Urgency = 1,
        RootCause = [new RootCauseCandidate("svc:cart", 0.9, "r")],
        ImpactedServices = ["bs:online-store"],
        CmdbCi = "svc:cart",
        Alerts = alerts,
        Changes = [],
        Explanation = [],
    };

    private static IncidentAlert Alert(string ci, string check, AlertStatus status = AlertStatus.Firing) =>
        new($"{ci}/{check}", ci, check, Severity.Critical, status, T(0), T(0), 1) { Labels = LabelSet.From([new("namespace", "shop")]) };

    private static (RemediationEngine Engine, List<RemediationTrigger> Output) Engine(string yaml) =>
        (new RemediationEngine(new RulesProvider(RuleSetLoaderTests.Parse(yaml)), TestTopology.Provider), []);

    private const string Restart = """
        remediation:
          - name: restart
            match: '{check="CrashLoop"}'
            incident: '{priority=~"P1|P2", impacted_service="bs:online-store", root_cause_class="service"}'
            runbook: k8s.restart_pod
            params: {pod: "{{ci.name}}", id: "{{ci.id}}", ns: "{{labels.namespace}}", inc: "{{incident.id}}", missing: "[{{labels.nope}}]"}
            requires_approval: true
        """;

    [Fact]
    public void Trigger_CarriesRenderedParamsTargetAndApproval()
    {
        var (engine, output) = Engine(Restart);
        engine.Evaluate(Incident("INC-1", 0, "P1", Alert("svc:cart", "CrashLoop"), Alert("svc:checkout", "Errors")), output);
        var trigger = Assert.Single(output);
        Assert.Equal(("k8s.restart_pod", "svc:cart", "INC-1", true), (trigger.Runbook, trigger.TargetCi, trigger.IncidentId, trigger.RequiresApproval));
        Assert.Equal(["pod=cartservice", "id=svc:cart", "ns=shop", "inc=INC-1", "missing=[]"], trigger.Params.Select(p => $"{p.Key}={p.Value}"));
        Assert.StartsWith("TRG-", trigger.TriggerId, StringComparison.Ordinal);
        Assert.Contains("CrashLoop on svc:cart", trigger.Reason, StringComparison.Ordinal);
        string json = System.Text.Encoding.UTF8.GetString(RemediationJson.ToUtf8(trigger));
        Assert.StartsWith("{\"trigger_id\":\"TRG-", json, StringComparison.Ordinal);
        Assert.Contains("\"params\":{\"pod\":\"cartservice\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Trigger_IncidentNotMatching_GivesNothing()
    {
        var (engine, output) = Engine(Restart);
        engine.Evaluate(Incident("INC-1", 0, "P3", Alert("svc:cart", "CrashLoop")), output);
        engine.Evaluate(Incident("INC-2", 0, "P1", Alert("svc:cart", "CrashLoop", AlertStatus.Resolved)), output);
        Assert.Empty(output);
    }

    [Fact]
    public void Trigger_IdIsDeterministic_AcrossEngines()
    {
        var (a, outA) = Engine(Restart);
        var (b, outB) = Engine(Restart);
        a.Evaluate(Incident("INC-1", 0, "P1", Alert("svc:cart", "CrashLoop")), outA);
        b.Evaluate(Incident("INC-1", 0, "P1", Alert("svc:cart", "CrashLoop")), outB);
        Assert.Equal(outA[0].TriggerId, outB[0].TriggerId);
    }

    [Fact]
    public void DedupWindow_SameIncidentAndTarget_TriggersOncePerWindow()
    {
        var (engine, output) = Engine(Restart.Replace("requires_approval: true", "dedup_window: 10m", StringComparison.Ordinal));
        engine.Evaluate(Incident("INC-1", 0, "P1", Alert("svc:cart", "CrashLoop")), output);
        engine.Evaluate(Incident("INC-1", 300, "P1", Alert("svc:cart", "CrashLoop")), output);
        engine.Evaluate(Incident("INC-1", 601, "P1", Alert("svc:cart", "CrashLoop")), output);
        Assert.Equal(2, output.Count);
        Assert.Equal(1, engine.Stats.Deduplicated);
    }

    [Fact]
    public void RateLimits_PerCiAndPerRunbook_OnEventTime()
    {
        var (engine, output) = Engine("""
            remediation:
              - name: restart
                match: '{check="CrashLoop"}'
                runbook: k8s.restart_pod
                rate_limit: {per_ci: 1/1h, per_runbook: 2/1h}
            """);
        engine.Evaluate(Incident("INC-1", 0, "P1", Alert("svc:cart", "CrashLoop")), output);
        engine.Evaluate(Incident("INC-2", 60, "P1", Alert("svc:cart", "CrashLoop")), output);      // same CI within the hour
        engine.Evaluate(Incident("INC-3", 120, "P1", Alert("svc:checkout", "CrashLoop")), output);
        engine.Evaluate(Incident("INC-4", 180, "P1", Alert("svc:payment", "CrashLoop")), output);  // runbook spent
        engine.Evaluate(Incident("INC-5", 3700, "P1", Alert("svc:payment", "CrashLoop")), output); // an hour later
        Assert.Equal(["INC-1", "INC-3", "INC-5"], output.Select(t => t.IncidentId));
        Assert.Equal(2, engine.Stats.RateLimited);
    }

    [Fact]
    public void RootCauseTarget_WithoutAlertMatch_ActsOnCmdbCi()
    {
        var (engine, output) = Engine("remediation:\n  - name: page\n    incident: '{priority=\"P1\"}'\n    runbook: pagerduty.page\n    params: {who: '{{ci.owner}}'}\n");
        engine.Evaluate(Incident("INC-1", 0, "P1", Alert("svc:checkout", "Errors")), output);
        engine.Evaluate(Incident("INC-1", 0, "P1", Alert("svc:checkout", "Errors")) with { Action = IncidentAction.Resolve }, output);
        var trigger = Assert.Single(output);
        Assert.Equal(("svc:cart", "team-cart"), (trigger.TargetCi, trigger.Params[0].Value));
    }

    [Fact]
    public async Task Sink_WritesIncidentsThenTriggers_AndFlushesBoth()
    {
        var incidents = new MemorySink<IncidentRecord>();
        var triggers = new MemorySink<RemediationTrigger>();
        var (engine, _) = Engine(Restart);
        var sink = new RemediationSink(incidents, triggers, engine);
        await sink.WriteAsync([Incident("INC-1", 0, "P1", Alert("svc:cart", "CrashLoop"))], default);
        await sink.FlushAsync(default);
        Assert.Single(incidents.Items);
        Assert.Single(triggers.Items);
        Assert.Equal(1, triggers.Flushes);
    }

    private sealed class MemorySink<T> : ItOpsStream.Engine.Pipeline.IRecordSink<T>
    {
        public List<T> Items { get; } = [];

        public int Flushes { get; private set; }

        public ValueTask WriteAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken)
        {
            Items.AddRange(batch);
            return ValueTask.CompletedTask;
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return ValueTask.CompletedTask;
        }
    }
}
