using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Telemetry;
using static ItOpsStream.Engine.Tests.Support.TestRecords;

namespace ItOpsStream.Engine.Tests.Alerts;

public sealed class AlertStoreTests
{
    private static readonly AlertOptions Options = AlertOptions.Default with
    {
        FlapThreshold = 4,
        FlapWindow = TimeSpan.FromMinutes(10),
        StaleAfter = TimeSpan.FromMinutes(30),
    };

    private readonly AlertStore _store = new(Options);
    private readonly Fingerprints _fingerprints = new(null);
    private readonly List<AlertTransition> _out = [];

    private AlertTransition Apply(TelemetryRecord record)
    {
        _out.Clear();
        _store.Apply(record, _fingerprints.RouteKey(record), 0, _out);
        return Assert.Single(_out);
    }

    [Fact]
    public void Repeat_UpdatesCountLastSeenAndSeverity()
    {
        Assert.Equal(AlertChange.Fired, Apply(Fire(0, "svc:a", "Down", Severity.Major)).Change);
        var repeat = Apply(Fire(30, "svc:a", "Down", Severity.Critical));
        Assert.Equal(AlertChange.Repeated, repeat.Change);
        Assert.Equal(2, repeat.Alert.Count);
        Assert.Equal(T(0), repeat.Alert.FirstSeen);
        Assert.Equal(T(30), repeat.Alert.LastSeen);
        Assert.Equal(Severity.Critical, repeat.Alert.Severity);
        Assert.Equal(1, _store.Count);
    }

    [Fact]
    public void DedupKey_IsTheFingerprint_AcrossCisAndChecks()
    {
        Apply(Fire(0, "svc:a", "Down", key: "k1"));
        var second = Apply(Fire(1, "svc:b", "Other", key: "k1"));
        Assert.Equal(AlertChange.Repeated, second.Change);
        Assert.Equal("k1", second.Alert.Fingerprint);
    }

    [Fact]
    public void DerivedFingerprint_IgnoresLabelOrder_AndDependsOnConfiguredLabelsOnly()
    {
        var ab = LabelSet.From([new("env", "prod"), new("pod", "a-1")]);
        var ba = LabelSet.From([new("pod", "a-1"), new("env", "prod")]);
        var otherPod = LabelSet.From([new("env", "prod"), new("pod", "a-2")]);
        var all = new Fingerprints(null);
        var envOnly = new Fingerprints(["env"]);
        TelemetryRecord Rec(LabelSet labels) => new(T(0), TelemetryKind.Event, "svc:a", Source: "p", Check: "Down", Labels: labels);

        Assert.Equal(all.RouteKey(Rec(ab)), all.RouteKey(Rec(ba)));
        Assert.NotEqual(all.RouteKey(Rec(ab)), all.RouteKey(Rec(otherPod)));
        Assert.Equal(envOnly.RouteKey(Rec(ab)), envOnly.RouteKey(Rec(otherPod)));
        Assert.StartsWith("fp-", Fingerprints.DerivedText(all.RouteKey(Rec(ab))), StringComparison.Ordinal);
    }

    [Fact]
    public void Resolved_ClosesAlert_AndFiringAgainReopensIt()
    {
        Apply(Fire(0, "svc:a", "Down"));
        var resolved = Apply(Resolve(60, "svc:a", "Down"));
        Assert.Equal(AlertChange.Resolved, resolved.Change);
        Assert.Equal(AlertStatus.Resolved, resolved.Alert.Status);
        var again = Apply(Fire(120, "svc:a", "Down"));
        Assert.Equal(AlertChange.Fired, again.Change);
        Assert.Equal(3, again.Alert.Count);
        Assert.Equal(T(0), again.Alert.FirstSeen);
    }

    [Fact]
    public void Resolve_OfUnknownFingerprint_IsCountedAndEmitsNothing()
    {
        _store.Apply(Resolve(0, "svc:a", "Down"), 1, 0, _out);
        Assert.Empty(_out);
        Assert.Equal(1, _store.OrphanResolves);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void Flapping_MarksAlert_HidesStateChanges_AndEndsAfterQuietWindow()
    {
        Apply(Fire(0, "svc:a", "Down"));
        Assert.Equal(AlertChange.Resolved, Apply(Resolve(10, "svc:a", "Down")).Change);
        Assert.Equal(AlertChange.Fired, Apply(Fire(20, "svc:a", "Down")).Change);
        Assert.Equal(AlertChange.Resolved, Apply(Resolve(30, "svc:a", "Down")).Change);
        var started = Apply(Fire(40, "svc:a", "Down"));
        Assert.Equal(AlertChange.FlappingStarted, started.Change);
        Assert.True(started.Alert.Flapping);
        var update = Apply(Resolve(50, "svc:a", "Down"));
        Assert.Equal(AlertChange.FlappingUpdate, update.Change);
        Assert.True(update.Alert.Flapping);

        _out.Clear();
        _store.AdvanceTo(T(50) + (long)Options.FlapWindow.TotalMilliseconds - 1, _out);
        Assert.Empty(_out);
        _store.AdvanceTo(T(50) + (long)Options.FlapWindow.TotalMilliseconds, _out);
        var ended = Assert.Single(_out);
        Assert.Equal(AlertChange.FlappingEnded, ended.Change);
        Assert.False(ended.Alert.Flapping);
        Assert.Equal(AlertStatus.Resolved, ended.Alert.Status);
    }

    [Fact]
    public void StateChanges_SpreadBeyondWindow_DoNotFlap()
    {
        Apply(Fire(0, "svc:a", "Down"));
        for (int i = 1; i <= 6; i++)
        {
            var t = i * 400; // 6.7 min apart: never 4 changes within 10 min
            var change = Apply(i % 2 == 1 ? Resolve(t, "svc:a", "Down") : Fire(t, "svc:a", "Down"));
            Assert.False(change.Alert.Flapping);
        }
    }

    [Fact]
    public void Stale_FiringAlertResolvesAfterSilence_RepeatsPostponeIt()
    {
        Apply(Fire(0, "svc:a", "Down"));
        Apply(Fire(600, "svc:a", "Down"));
        _out.Clear();
        _store.AdvanceTo(T(600 + 1799), _out);
        Assert.Empty(_out);
        _store.AdvanceTo(T(600 + 1800), _out);
        var stale = Assert.Single(_out);
        Assert.Equal(AlertChange.StaleResolved, stale.Change);
        Assert.Equal(AlertStatus.Resolved, stale.Alert.Status);
        Assert.Equal(T(2400), stale.Alert.ChangedAt);

        _out.Clear();
        _store.AdvanceTo(T(100_000), _out);
        Assert.Empty(_out);
    }

    [Fact]
    public void TimerOutput_IsOrderedByDueTimeThenFingerprint()
    {
        Apply(Fire(5, "svc:b", "Down", key: "b"));
        Apply(Fire(0, "svc:c", "Down", key: "c"));
        Apply(Fire(5, "svc:a", "Down", key: "a"));
        _out.Clear();
        _store.AdvanceTo(T(10_000), _out);
        Assert.Equal(["c", "a", "b"], _out.Select(t => t.Alert.Fingerprint));
        Assert.All(_out, t => Assert.Equal(AlertTransition.TimerIndex, t.SortIndex));
    }

    [Fact]
    public void ResolvedAlert_IsForgottenAfterRetention_AndStartsOverIfItFiresAgain()
    {
        var store = new AlertStore(Options with { ResolvedRetention = TimeSpan.FromHours(1) });
        var fingerprints = new Fingerprints(null);
        var output = new List<AlertTransition>();
        store.Apply(Fire(0, "svc:a", "Down"), fingerprints.RouteKey(Fire(0, "svc:a", "Down")), 0, output);
        store.Apply(Resolve(60, "svc:a", "Down"), fingerprints.RouteKey(Resolve(60, "svc:a", "Down")), 0, output);
        store.AdvanceTo(T(60 + 3599), output);
        Assert.Equal(1, store.Count);
        store.AdvanceTo(T(60 + 3600), output);
        Assert.Equal(0, store.Count);

        output.Clear();
        store.Apply(Fire(4000, "svc:a", "Down"), fingerprints.RouteKey(Fire(4000, "svc:a", "Down")), 0, output);
        var again = Assert.Single(output);
        Assert.Equal(AlertChange.Fired, again.Change);
        Assert.Equal(1, again.Alert.Count);
        Assert.Equal(T(4000), again.Alert.FirstSeen);
        Assert.Equal(2, store.Created);
    }
}
