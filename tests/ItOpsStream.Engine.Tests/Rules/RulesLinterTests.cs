using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Rules;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Tests.Support;

namespace ItOpsStream.Engine.Tests.Rules;

public sealed class RulesLinterTests
{
    private static AlertSnapshot Sample(string ci, string check, string env) =>
        new($"{ci}/{check}", "prometheus", ci, check, Severity.Critical, AlertStatus.Firing, false, 0, 0, 1, 0, null, LabelSet.From([new("env", env)]));

    private static List<string> Lint(string yaml, bool withSample = false) =>
        RulesLinter.Lint(RuleSetLoaderTests.Parse(yaml), withSample ? [Sample("db:orders", "Down", "prod"), Sample("svc:cart", "Errors", "prod")] : null, TestTopology.Graph)
            .Select(f => f.ToString()).ToList();

    [Fact]
    public void Lint_SuppressAfterBroaderUnconditionalOne_IsShadowed()
    {
        var findings = Lint("suppress:\n  - name: all-db\n    match: '{ci_class=\"database\"}'\n  - name: orders\n    match: '{ci_class=\"database\", ci=\"db:orders\"}'\n");
        Assert.Equal(["rules.yaml:4:5: orders: never decides: suppress rule 'all-db' (2:5) already suppresses every alert it selects, at all times"], findings);
    }

    [Fact]
    public void Lint_WindowedBroaderSuppress_DoesNotShadow() =>
        Assert.Empty(Lint("suppress:\n  - name: all-db\n    match: '{ci_class=\"database\"}'\n    windows: [{cron: '0 2 * * *', duration: 1h}]\n  - name: orders\n    match: '{ci=\"db:orders\"}'\n"));

    [Fact]
    public void Lint_GroupingAfterCatchAll_IsUnreachable() =>
        Assert.Contains(Lint("grouping:\n  rules:\n    - name: all\n      max_alerts: 10\n    - name: db\n      match: '{ci_class=\"database\"}'\n"), f => f.Contains("db: unreachable", StringComparison.Ordinal));

    [Fact]
    public void Lint_DuplicateRemediation_IsReported() =>
        Assert.Contains(Lint("remediation:\n  - name: a\n    runbook: x\n  - name: b\n    runbook: x\n    incident: '{priority=\"P1\"}'\n"), f => f.Contains("b: duplicate", StringComparison.Ordinal));

    [Theory]
    [InlineData("{severity=~\"crit\"}", "can never match")]
    [InlineData("{status=\"open\"}", "can never match")]
    [InlineData("{ci_class=\"vm\"}", "can never match")]
    public void Lint_ValueOutsideTheFieldsDomain_CanNeverMatch(string matcher, string expected) =>
        Assert.Contains(Lint($"suppress:\n  - match: '{matcher}'\n"), f => f.Contains(expected, StringComparison.Ordinal));

    [Fact]
    public void Lint_WithSample_FlagsUnknownLabelsAndMatchersMatchingNothing()
    {
        var findings = Lint("suppress:\n  - name: team\n    match: '{team=\"ops\"}'\n  - name: prod-db\n    match: '{env=\"prod\", ci=\"db:orders\"}'\n  - name: staging\n    match: '{env=\"staging\"}'\n", withSample: true);
        Assert.Contains(findings, f => f.Contains("team: matcher team=\"ops\" tests label 'team', which no sample alert has", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Contains("staging: {env=\"staging\"} matches none of the 2 sample alerts", StringComparison.Ordinal));
        Assert.DoesNotContain(findings, f => f.Contains("prod-db", StringComparison.Ordinal));
    }
}
