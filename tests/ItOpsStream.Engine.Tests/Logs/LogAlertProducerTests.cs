using ItOpsStream.Engine.Logs;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Tests.Logs;

public sealed class LogAlertProducerTests
{
    private const long Minute = 60_000;
    private const long T0 = 1_795_000_000_000 - (1_795_000_000_000 % Minute);

    private static TelemetryRecord Log(long ts, string ci, LogLevel level, string message) =>
        new(ts, TelemetryKind.Log, ci, Level: level, Message: message);

    [Fact]
    public void NewErrorTemplate_AfterWarmUp_RaisesAlertWithTemplateAndSample()
    {
        var producer = new LogAlertProducer(LogAlertOptions.Default with { WarmUp = TimeSpan.FromMinutes(5) });
        var alerts = new List<TelemetryRecord>();
        producer.OnRecord(Log(T0, "svc:a", LogLevel.Error, "disk full on /dev/sda1"), alerts);
        Assert.Empty(alerts);

        producer.OnRecord(Log(T0 + (6 * Minute), "svc:a", LogLevel.Error, "connection refused to paymentservice:50051"), alerts);
        var alert = Assert.Single(alerts);
        Assert.Equal("LogNewErrorTemplate", alert.Check);
        Assert.Equal("svc:a", alert.Ci);
        Assert.Equal(Severity.Major, alert.Severity);
        Assert.True(alert.Labels.TryGetValue("template", out var template));
        Assert.Equal("connection refused to <*>", template);
        Assert.True(alert.Labels.TryGetValue("sample_1", out var sample));
        Assert.Equal("connection refused to paymentservice:50051", sample);
    }

    [Fact]
    public void NewInfoTemplate_AfterWarmUp_RaisesNothing()
    {
        var producer = new LogAlertProducer(LogAlertOptions.Default with { WarmUp = TimeSpan.Zero });
        var alerts = new List<TelemetryRecord>();
        producer.OnRecord(Log(T0, "svc:a", LogLevel.Info, "user 42 logged in"), alerts);
        producer.OnWatermark(long.MaxValue - Minute, alerts);
        Assert.Empty(alerts);
    }

    [Fact]
    public void RateSpike_OfWarnTemplate_RaisesOneAlertWhenWindowCloses()
    {
        var producer = new LogAlertProducer();
        var alerts = new List<TelemetryRecord>();
        for (int w = 0; w < 10; w++)
        {
            for (int i = 0; i < 2; i++)
            {
                producer.OnRecord(Log(T0 + (w * Minute) + (i * 1000), "svc:b", LogLevel.Warn, $"retrying request {i} after timeout"), alerts);
            }
        }

        for (int i = 0; i < 60; i++)
        {
            producer.OnRecord(Log(T0 + (10 * Minute) + (i * 500), "svc:b", LogLevel.Warn, $"retrying request {i} after timeout"), alerts);
        }

        // Raised once, at the record that crossed the line (the 10th of the window), not at the window's end.
        var alert = Assert.Single(alerts);
        Assert.Equal("LogRateSpike", alert.Check);
        Assert.Equal(T0 + (10 * Minute) + (9 * 500), alert.Timestamp);
        Assert.Contains("10 in 60s", alert.Message, StringComparison.Ordinal);
        Assert.True(alert.Labels.TryGetValue("sample_3", out _));
        Assert.Equal("logs/LogRateSpike/svc:b/" + alert.Labels.First(l => l.Key == "template_id").Value, alert.DedupKey);
    }

    [Fact]
    public void RateSpike_NextWindow_CanAlertAgain()
    {
        var producer = new LogAlertProducer(LogAlertOptions.Default with { MinHistory = 3 });
        var alerts = new List<TelemetryRecord>();
        for (int w = 0; w < 3; w++)
        {
            producer.OnRecord(Log(T0 + (w * Minute), "svc:b", LogLevel.Error, "disk 3 slow"), alerts);
        }

        for (int w = 3; w < 5; w++)
        {
            for (int i = 0; i < 30; i++)
            {
                producer.OnRecord(Log(T0 + (w * Minute) + i, "svc:b", LogLevel.Error, "disk 3 slow"), alerts);
            }

            producer.OnWatermark(T0 + ((w + 1) * Minute), alerts);
        }

        Assert.Equal(2, alerts.Count(a => a.Check == "LogRateSpike"));
    }

    [Fact]
    public void ErrorBurst_OfOneCi_RaisesCriticalForFatal()
    {
        var producer = new LogAlertProducer();
        var alerts = new List<TelemetryRecord>();
        for (int i = 0; i < 25; i++)
        {
            producer.OnRecord(Log(T0 + (i * 100), "db:orders", i == 0 ? LogLevel.Fatal : LogLevel.Error, $"write failed for page {i}"), alerts);
        }

        producer.OnWatermark(long.MaxValue - Minute, alerts);
        var burst = Assert.Single(alerts, a => a.Check == "LogErrorBurst" && a.Status == AlertStatus.Firing);
        Assert.Equal(Severity.Critical, burst.Severity);
        Assert.Equal("db:orders", burst.Ci);
        Assert.StartsWith("logs/LogErrorBurst/db:orders/", burst.DedupKey, StringComparison.Ordinal);
    }

    [Fact]
    public void LogAlerts_ResolveAfterFiveQuietWindows_AndNotWhileTheirTemplateKeepsComing()
    {
        var producer = new LogAlertProducer(LogAlertOptions.Default with { WarmUp = TimeSpan.Zero });
        var alerts = new List<TelemetryRecord>();
        // A new error template, still logged for three more minutes, then silence.
        for (int minute = 0; minute < 4; minute++)
        {
            producer.OnRecord(Log(T0 + (minute * Minute) + 1000, "svc:cart", LogLevel.Error, $"redis timeout after {minute + 100} ms"), alerts);
        }

        var fired = Assert.Single(alerts, a => a.Check == "LogNewErrorTemplate");
        Assert.Equal(AlertStatus.Firing, fired.Status);

        // Windows close up to 8 minutes: the template was last seen in the window [3, 4) min, so 5 quiet
        // windows end at 9 min; nothing resolves before.
        producer.OnWatermark(T0 + (8 * Minute), alerts);
        Assert.DoesNotContain(alerts, a => a.Status == AlertStatus.Resolved);

        producer.OnWatermark(T0 + (9 * Minute), alerts);
        var resolved = Assert.Single(alerts, a => a.Status == AlertStatus.Resolved);
        Assert.Equal(fired.DedupKey, resolved.DedupKey);
        Assert.Equal(T0 + (9 * Minute), resolved.Timestamp);
        Assert.Equal("LogNewErrorTemplate resolved: quiet for 5 windows", resolved.Message);
    }

    [Fact]
    public void SteadyErrors_BelowBurstCount_RaiseNothing()
    {
        var producer = new LogAlertProducer();
        var alerts = new List<TelemetryRecord>();
        for (int w = 0; w < 20; w++)
        {
            for (int i = 0; i < 5; i++)
            {
                producer.OnRecord(Log(T0 + (w * Minute) + (i * 1000), "svc:c", LogLevel.Error, $"cache miss storm on shard {i}"), alerts);
            }
        }

        producer.OnWatermark(long.MaxValue - Minute, alerts);
        Assert.Empty(alerts);
    }

    [Fact]
    public void Options_Invalid_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => new LogAlertProducer(LogAlertOptions.Default with { Window = TimeSpan.Zero }));
    }

    [Fact]
    public void RateDetector_ShiftAfterLongHistory_RaisesSpikeAtWindowEnd()
    {
        // The median/MAD rule is made blind (huge score) so only the models/ detector can fire.
        var producer = new LogAlertProducer(LogAlertOptions.Default with { SpikeScore = 1e9, BurstCount = 1_000_000 });
        var alerts = new List<TelemetryRecord>();
        var random = new Random(5);
        // The robust detector calibrates over its first 64 points (windows) before it scores.
        for (int w = 0; w < 100; w++)
        {
            int n = 3 + random.Next(3);
            for (int i = 0; i < n; i++)
            {
                producer.OnRecord(Log(T0 + (w * Minute) + (i * 1000), "svc:d", LogLevel.Error, "lock wait timeout on table orders"), alerts);
            }
        }

        Assert.Empty(alerts);
        for (int i = 0; i < 80; i++)
        {
            producer.OnRecord(Log(T0 + (100 * Minute) + (i * 500), "svc:d", LogLevel.Error, "lock wait timeout on table orders"), alerts);
        }

        producer.OnWatermark(T0 + (101 * Minute), alerts);
        var alert = Assert.Single(alerts);
        Assert.Equal("LogRateSpike", alert.Check);
        Assert.Equal(T0 + (101 * Minute), alert.Timestamp);
        Assert.Contains("robust score", alert.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_UnknownDetector_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => new LogAlertProducer(LogAlertOptions.Default with { RateDetector = "nope" }));
    }
}
