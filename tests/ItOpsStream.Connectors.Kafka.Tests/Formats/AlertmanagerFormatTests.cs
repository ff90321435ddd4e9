using ItOpsStream.Connectors.Kafka.Formats;
using ItOpsStream.Engine.Telemetry;
using static ItOpsStream.Connectors.Kafka.Tests.Formats.DecoderHarness;

namespace ItOpsStream.Connectors.Kafka.Tests.Formats;

public sealed class AlertmanagerFormatTests
{
    // Shape of Alertmanager's webhook_config payload (version 4), as sent by Alertmanager 0.27.
    private const string Webhook = """
    {
      "receiver": "itops",
      "status": "firing",
      "alerts": [
        {
          "status": "firing",
          "labels": {"alertname": "KubePodCrashLooping", "container": "checkout", "namespace": "shop",
                     "pod": "checkout-7d9f8b-x2x1", "service": "checkoutservice", "severity": "critical",
                     "instance": "10.1.4.7:8080", "job": "kube-state-metrics"},
          "annotations": {"description": "Pod shop/checkout-7d9f8b-x2x1 is restarting 1.2 times / 10 minutes.",
                          "summary": "Pod is crash looping."},
          "startsAt": "2026-11-25T12:00:05.123Z",
          "endsAt": "0001-01-01T00:00:00Z",
          "generatorURL": "http://prometheus:9090/graph?g0.expr=...",
          "fingerprint": "5f2a6c9d1e0b7a31"
        },
        {
          "status": "resolved",
          "labels": {"alertname": "NodeFilesystemSpaceFillingUp", "instance": "node-3:9100", "job": "node", "severity": "warning"},
          "annotations": {"description": "Filesystem on /dev/sda1 at node-3:9100 has only 4.2% available space left."},
          "startsAt": "2026-11-25T11:40:00Z",
          "endsAt": "2026-11-25T12:01:00Z",
          "generatorURL": "http://prometheus:9090/graph?g0.expr=...",
          "fingerprint": "a1b2c3d4e5f60718"
        }
      ],
      "groupLabels": {"alertname": "KubePodCrashLooping"},
      "commonLabels": {},
      "commonAnnotations": {},
      "externalURL": "http://alertmanager:9093",
      "version": "4",
      "groupKey": "{}:{alertname=\"KubePodCrashLooping\"}",
      "truncatedAlerts": 0
    }
    """;

    [Fact]
    public void Webhook_TwoAlerts_BecomeTwoEventsWithFingerprintAsDedupKey()
    {
        var records = DecodeOk(Webhook, FormatNames.Alertmanager);

        Assert.Equal(2, records.Count);
        var firing = records[0];
        Assert.Equal(TelemetryKind.Event, firing.Kind);
        Assert.Equal(Ms("2026-11-25T12:00:05.123Z"), firing.Timestamp);
        Assert.Equal("checkoutservice", firing.Ci);
        Assert.Equal("KubePodCrashLooping", firing.Check);
        Assert.Equal(Severity.Critical, firing.Severity);
        Assert.Equal(AlertStatus.Firing, firing.Status);
        Assert.Equal("5f2a6c9d1e0b7a31", firing.DedupKey);
        Assert.Equal("Pod is crash looping.", firing.Message);
        Assert.Equal("alertmanager", firing.Source);
        Assert.True(firing.Labels.TryGetValue("namespace", out var ns) && ns == "shop");
    }

    [Fact]
    public void Webhook_ResolvedAlert_UsesEndsAtAndDescriptionWithoutSummary()
    {
        var resolved = DecodeOk(Webhook, FormatNames.Alertmanager)[1];

        Assert.Equal(AlertStatus.Resolved, resolved.Status);
        Assert.Equal(Ms("2026-11-25T12:01:00Z"), resolved.Timestamp);
        Assert.Equal(Severity.Warning, resolved.Severity);
        Assert.Equal("node-3:9100", resolved.Ci);
        Assert.StartsWith("Filesystem on /dev/sda1", resolved.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Webhook_CiLabelsConfigured_FirstPresentLabelWins()
    {
        var options = FormatOptions.Default with { AlertmanagerCiLabels = ["pod", "job"] };

        var records = DecodeOk(Webhook, FormatNames.Alertmanager, options);

        Assert.Equal("checkout-7d9f8b-x2x1", records[0].Ci);
        Assert.Equal("node", records[1].Ci);
    }

    [Fact]
    public void Webhook_Auto_IsDetected()
    {
        Assert.Equal(2, DecodeOk(Webhook).Count);
    }

    [Fact]
    public void Webhook_AlertWithoutAlertname_DeadLettersWholeMessageWithPath()
    {
        var dead = DecodeFails("""{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-11-25T12:00:00Z"},{"status":"firing","labels":{},"startsAt":"2026-11-25T12:00:00Z"}]}""");

        Assert.Equal("format.invalid", dead.ErrorClass);
        Assert.Contains("alerts[1].labels.alertname", dead.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Webhook_BadStatus_IsRejected()
    {
        var dead = DecodeFails("""{"alerts":[{"status":"pending","labels":{"alertname":"A"},"startsAt":"2026-11-25T12:00:00Z"}]}""", FormatNames.Alertmanager);
        Assert.Contains("status", dead.Reason, StringComparison.Ordinal);
    }
}
