using System.Globalization;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.TestKit.Generators;

internal sealed partial class ScenarioRun
{
    /// <summary>Checks a failing CI raises about itself (the cause), by role.</summary>
    private static string[] RootChecks(CiRole role) => role switch
    {
        CiRole.Service => ["ServiceDown", "CrashLooping", "HighErrorRate", "HighLatency"],
        CiRole.Database => ["DatabaseDown", "ReplicationBroken", "TooManyConnections"],
        CiRole.Cache => ["CacheDown", "HighEvictionRate"],
        CiRole.Queue => ["BrokerDown", "QueueBacklog"],
        CiRole.Host => ["HostDown", "HostUnreachable", "KernelPanic"],
        CiRole.Node => ["NodeNotReady", "KubeletDown"],
        CiRole.Pod => ["CrashLoopBackOff", "OOMKilled"],
        CiRole.LoadBalancer => ["VipDown", "PoolDown"],
        CiRole.Dns => ["DnsResolutionFailures", "CoreDnsDown"],
        CiRole.Ingress => ["IngressDown", "IngressConfigReloadFailed"],
        CiRole.Storage => ["StorageArrayDegraded", "VolumeAttachFailures"],
        CiRole.Network => ["SwitchDown", "LinkDown", "ApiServerDown"],
        _ => ["SyntheticCheckFailed"],
    };

    /// <summary>Checks an impaired CI raises as a symptom, by role.</summary>
    private static string[] SymptomChecks(CiRole role) => role switch
    {
        CiRole.Service => ["HighErrorRate", "HighLatency", "UpstreamErrors", "ConnectionFailures"],
        CiRole.Database => ["SlowQueries", "ConnectionPoolExhausted"],
        CiRole.Cache => ["CacheLatency", "CacheConnectionErrors"],
        CiRole.Queue => ["ConsumerLag", "PublishErrors"],
        CiRole.Host => ["HostUnreachable", "HighIoWait", "DiskLatency"],
        CiRole.Node => ["NodeNotReady", "NodeNetworkUnavailable"],
        CiRole.Pod => ["PodNotReady", "ContainerRestarting", "ReadinessProbeFailed"],
        CiRole.LoadBalancer => ["PoolMemberDown", "Http5xxRate"],
        CiRole.Dns => ["DnsLatency"],
        CiRole.Ingress => ["Ingress5xxRate", "IngressUpstreamLatency"],
        CiRole.Storage => ["VolumeLatency"],
        CiRole.Network => ["PacketLoss"],
        CiRole.BusinessService => ["SyntheticCheckFailed", "SloBurnRate"],
        _ => ["Unhealthy"],
    };

    /// <summary>Unrelated checks that fire every day in any estate.</summary>
    private static readonly string[] NoiseChecks =
    [
        "DiskSpaceLow", "CertificateExpiringSoon", "HighCpu", "BackupJobFailed", "NtpDrift", "HighGcPause",
        "LogVolumeSpike", "SwapUsageHigh", "ConfigDrift", "InodeUsageHigh", "ScrapeTargetMissing",
    ];

    private static string AlertKey(string ci, string check) => ci + "\u0001" + check;

    private string? FreeCheck(string ci, CiRole role, bool rootCheck)
    {
        var checks = rootCheck ? RootChecks(role) : SymptomChecks(role);
        int offset = _rng.Next(checks.Length);
        for (int i = 0; i < checks.Length; i++)
        {
            string check = checks[(i + offset) % checks.Length];
            if (!_usedAlertKeys.Contains(AlertKey(ci, check)))
            {
                return check;
            }
        }

        return null;
    }

    private string SourceFor(CiRole? role) => role switch
    {
        CiRole.Service => Chance(0.65) ? "prometheus" : "datadog",
        CiRole.Pod or CiRole.Node or CiRole.Dns or CiRole.Ingress => "prometheus",
        CiRole.Database or CiRole.Cache or CiRole.Queue => Chance(0.5) ? "datadog" : "prometheus",
        CiRole.Host or CiRole.Network or CiRole.Storage or CiRole.LoadBalancer => Chance(0.6) ? "zabbix" : "nagios",
        CiRole.BusinessService => "pingdom",
        _ => Pick(new[] { "zabbix", "nagios", "prometheus", "datadog" }),
    };

    /// <summary>Each tool's own fingerprint style; unique within the scenario.</summary>
    private string DedupKeyFor(string source, string ci, string check)
    {
        while (true)
        {
            string bare = ci[(ci.IndexOf(':', StringComparison.Ordinal) + 1)..];
            string key = source switch
            {
                // Alertmanager fingerprints are 16 hex digits of a label hash.
                "prometheus" => $"prom-{_rng.NextInt64():x16}",
                "datadog" => string.Create(CultureInfo.InvariantCulture, $"dd-{_rng.Next(1_000_000, 9_999_999)}-{bare}"),
                "zabbix" => string.Create(CultureInfo.InvariantCulture, $"zbx-event-{_rng.Next(100_000, 999_999)}"),
                "nagios" => $"nagios/{bare}/{check}",
                _ => string.Create(CultureInfo.InvariantCulture, $"{source}-{_rng.Next(10_000, 99_999)}"),
            };
            if (_usedDedupKeys.Add(key))
            {
                return key;
            }
        }
    }

    private LabelSet LabelsFor(string ci, string source)
    {
        var labels = new List<KeyValuePair<string, string>> { new("env", "prod") };
        if (_topology.CiById.TryGetValue(ci, out var record))
        {
            foreach (var key in new[] { "namespace", "dc", "zone" })
            {
                if (record.Attributes is not null && record.Attributes.TryGetValue(key, out var value))
                {
                    labels.Add(new(key, value));
                }
            }

            if (record.Owner is not null && source is "prometheus" or "datadog")
            {
                labels.Add(new("team", record.Owner));
            }
        }

        return LabelSet.From(labels);
    }

    private static Severity SeverityFor(bool rootCheck, CiRole? role, NoiseKind? noise, Random rng)
    {
        if (noise is not null)
        {
            double x = rng.NextDouble();
            return x < 0.45 ? Severity.Warning : x < 0.75 ? Severity.Minor : x < 0.95 ? Severity.Major : Severity.Critical;
        }

        if (rootCheck)
        {
            return rng.NextDouble() < 0.7 ? Severity.Critical : Severity.Major;
        }

        if (role == CiRole.BusinessService)
        {
            return Severity.Critical;
        }

        double y = rng.NextDouble();
        return y < 0.35 ? Severity.Major : y < 0.7 ? Severity.Minor : y < 0.9 ? Severity.Warning : Severity.Critical;
    }

    /// <summary>
    /// One distinct alert: its firing, repeats while active, flaps, and resolve; recorded in the truth.
    /// Returns false when every fitting check on the CI is already used in this scenario.
    /// </summary>
    private bool EmitAlert(string ci, CiRole? role, bool rootCheck, string? fault, NoiseKind? noise, int? hops, long fire, long resolveAt, string? check = null)
    {
        check ??= role is { } r ? FreeCheck(ci, r, rootCheck) : null;
        if (check is null || !_usedAlertKeys.Add(AlertKey(ci, check)))
        {
            return false;
        }

        string source = SourceFor(role);
        string? dedupKey = Chance(_options.ExplicitDedupKeyShare) ? DedupKeyFor(source, ci, check) : null;
        var labels = LabelsFor(ci, source);
        var severity = SeverityFor(rootCheck, role, noise, _rng);
        bool resolves = Chance(noise is null ? 0.92 : 0.8);
        bool flapping = resolveAt - fire > 4 * Minute && Chance(_options.FlappingProbability);
        long repeatEvery = source switch
        {
            "prometheus" => 2 * Minute,
            "datadog" or "pingdom" => 5 * Minute,
            _ => 10 * Minute,
        };

        // Firing spans: one, or several when the alert flaps (resolves and fires again within seconds to a minute or two).
        var spans = new List<(long From, long To)>();
        if (flapping)
        {
            long t = fire;
            int flaps = _rng.Next(3, 6);
            for (int i = 0; i < flaps && t < resolveAt - Minute; i++)
            {
                long up = t + (long)(Uniform(30, 120) * Second);
                spans.Add((t, Math.Min(up, resolveAt)));
                t = up + (long)(Uniform(15, 90) * Second);
            }

            if (t < resolveAt)
            {
                spans.Add((t, resolveAt));
            }
        }
        else
        {
            spans.Add((fire, resolveAt));
        }

        int events = 0;
        for (int s = 0; s < spans.Count; s++)
        {
            var (from, to) = spans[s];
            int repeats = 0;
            for (long t = from; t < to && repeats < 8; t += repeatEvery, repeats++)
            {
                if (events == 0)
                {
                    _firstFirings.Add(_records.Count);
                }

                _records.Add(FaultScenarioGenerator.Alert(t, ci, source, check, severity, AlertStatus.Firing, dedupKey, MessageFor(check), labels));
                events++;
            }

            bool last = s == spans.Count - 1;
            if (!last || resolves)
            {
                _records.Add(FaultScenarioGenerator.Alert(to, ci, source, check, severity, AlertStatus.Resolved, dedupKey, $"{check} resolved", labels));
                events++;
            }
        }

        _alerts.Add(new AlertTruth
        {
            DedupKey = dedupKey,
            Source = source,
            Ci = ci,
            Check = check,
            Labels = labels.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            Fault = fault,
            Noise = noise,
            Hops = hops,
            FirstFiring = DateTimeOffset.FromUnixTimeMilliseconds(fire),
            Flapping = flapping,
            Resolved = resolves,
            Events = events,
        });
        return true;
    }

    private string MessageFor(string check) => check switch
    {
        "HighErrorRate" or "Http5xxRate" or "Ingress5xxRate" => string.Create(CultureInfo.InvariantCulture, $"5xx ratio {_rng.Next(5, 60)}%"),
        "HighLatency" or "IngressUpstreamLatency" or "CacheLatency" or "DnsLatency" => string.Create(CultureInfo.InvariantCulture, $"p99 latency {_rng.Next(800, 9000)} ms"),
        "DiskSpaceLow" or "InodeUsageHigh" => string.Create(CultureInfo.InvariantCulture, $"usage {_rng.Next(85, 99)}% on /var"),
        "HighCpu" => string.Create(CultureInfo.InvariantCulture, $"cpu {_rng.Next(90, 100)}% for 10m"),
        "ConsumerLag" or "QueueBacklog" => string.Create(CultureInfo.InvariantCulture, $"lag {_rng.Next(10_000, 900_000)} messages"),
        _ => check switch
        {
            "ServiceDown" or "HostDown" or "DatabaseDown" or "CacheDown" or "BrokerDown" or "CoreDnsDown" or "IngressDown" or "SwitchDown" => "target down: no response to health check",
            "ConnectionFailures" or "UpstreamErrors" or "CacheConnectionErrors" => "connection refused by upstream",
            _ => $"{check} is firing",
        },
    };
}
