using ItOpsStream.Engine.Pipeline;

namespace ItOpsStream.Engine.Tests.Pipeline;

public sealed class SettingsFileTests
{
    private static PipelineOptions Parse(string yaml) => SettingsFile.Parse(new StringReader(yaml), "rules.yaml", PipelineOptions.Default);

    [Fact]
    public void Settings_OverrideOnlyWhatTheyName()
    {
        var options = Parse("""
            alerts:
              fingerprint_labels: [env, pod]
              flap_threshold: 6
              stale_after: 2h
            correlation:
              window: 90s
              max_hops: 2
              reopen_grace: 500ms
            """);
        Assert.Equal(["env", "pod"], options.Alerts.FingerprintLabels);
        Assert.Equal(6, options.Alerts.FlapThreshold);
        Assert.Equal(TimeSpan.FromHours(2), options.Alerts.StaleAfter);
        Assert.Equal(TimeSpan.FromSeconds(90), options.Correlation.Window);
        Assert.Equal(2, options.Correlation.MaxHops);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Correlation.ReopenGrace);
        Assert.Equal(PipelineOptions.Default.Alerts.FlapWindow, options.Alerts.FlapWindow);
        Assert.Equal(PipelineOptions.Default.Correlation.UpstreamLag, options.Correlation.UpstreamLag);
    }

    [Fact]
    public void RootCauseModel_IsSetFromTheCorrelationSection()
    {
        var options = Parse("""
            correlation:
              noise_probability: 0.1
              hop_propagation: 0.3
              max_silent_evidence: 2
            """);
        Assert.Equal(0.1, options.Correlation.RootCause.NoiseProbability);
        Assert.Equal(0.3, options.Correlation.RootCause.HopPropagation);
        Assert.Equal(2, options.Correlation.RootCause.MaxSilentEvidence);
        Assert.Equal(Engine.Correlation.RootCauseModel.Default.HostedFailure, options.Correlation.RootCause.HostedFailure);
    }

    [Fact]
    public void EmptyFile_KeepsDefaults() => Assert.Equal(PipelineOptions.Default, Parse(""));

    [Theory]
    [InlineData("suppress:\n  - x\n", "rules.yaml:1:1: unknown section 'suppress' (supported: alerts, correlation)")]
    [InlineData("correlation:\n  windw: 5m\n", "rules.yaml:2:3: unknown setting 'correlation.windw'")]
    [InlineData("correlation:\n  max_hops: 40\n", "rules.yaml:2:13: 'max_hops' must be an integer from 1 to 16, not '40'")]
    [InlineData("alerts:\n  flap_window: -5m\n", "rules.yaml:2:16: 'flap_window' must be a duration like 90s, 10m or 2h, not '-5m'")]
    [InlineData("alerts: [1, 2]\n", "rules.yaml:1:9: alerts must be a mapping of keys to values")]
    [InlineData("correlation:\n  noise_probability: 1.5\n", "rules.yaml:2:22: 'noise_probability' must be a probability strictly between 0 and 1, not '1.5'")]
    [InlineData("correlation:\n  window: [5m\n", "rules.yaml:")]
    public void BadSettings_FailWithFileLineAndColumn(string yaml, string expected)
    {
        var error = Assert.Throws<SettingsFormatException>(() => Parse(yaml));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    [InlineData("30", 30)]
    public void Durations_AcceptCommonUnits(string text, double seconds)
    {
        Assert.True(SettingsFile.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }
}
