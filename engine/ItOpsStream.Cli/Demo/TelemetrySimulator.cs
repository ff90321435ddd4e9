using System.Globalization;
using System.Text;
using Confluent.Kafka;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Cli.Demo;

/// <summary>Settings of <see cref="TelemetrySimulator"/>.</summary>
internal sealed record SimulatorOptions
{
    public static SimulatorOptions Default { get; } = new();

    /// <summary>Telemetry records per second (metrics, logs and events together). Default 2000.</summary>
    public int RecordsPerSecond { get; init; } = 2000;

    public int Seed { get; init; } = 42;

    /// <summary>When the first fault starts. Default 4 s.</summary>
    public TimeSpan FirstFault { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Time between the starts of two faults. Default 30 s.</summary>
    public TimeSpan FaultEvery { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a fault lasts before everything it caused resolves. Default 16 s.</summary>
    public TimeSpan FaultDuration { get; init; } = TimeSpan.FromSeconds(16);
}

/// <summary>
/// Produces the demo's telemetry into Kafka the way monitoring tools would: host and service metrics
/// (native JSON) on <c>itops.metrics</c>, application logs as OTLP/JSON on <c>itops.logs</c>, and
/// alerts on <c>itops.events</c> (native JSON, plus Alertmanager webhooks for background noise).
/// Faults are injected on infrastructure CIs (a database, a cache, a queue, a node): the root alerts
/// first, then the services that depend on it, one and two hops up, error and latency alerts and
/// error logs, and after a while everything resolves. Event time is the wall clock (live).
/// </summary>
internal sealed class TelemetrySimulator : IDisposable
{
    private readonly SimulatorOptions _options;
    private readonly IProducer<byte[]?, byte[]> _producer;
    private readonly Random _random;
    private readonly string[] _hosts;
    private readonly string[] _services;
    private readonly string[] _faultRoots;
    private readonly Dictionary<string, List<string>> _dependents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _classOf = new(StringComparer.Ordinal);
    private readonly List<Fault> _faults = [];
    private readonly List<(string Ci, string Check, long ResolveAt)> _noise = [];
    private long _produced;
    private long _faultCount;

    public TelemetrySimulator(TopologyDocument cmdb, string bootstrapServers, SimulatorOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
        foreach (var ci in cmdb.Cis)
        {
            _classOf[ci.Id] = ci.Class;
        }

        foreach (var relation in cmdb.Relations)
        {
            if (!_dependents.TryGetValue(relation.To, out var list))
            {
                _dependents[relation.To] = list = [];
            }

            list.Add(relation.From);
        }

        _hosts = cmdb.Cis.Where(c => c.Class == "host").Select(c => c.Id).ToArray();
        _services = cmdb.Cis.Where(c => c.Class == "service").Select(c => c.Id).ToArray();
        // Only infrastructure that services use: a fault there shows symptoms upstream.
        _faultRoots = cmdb.Cis
            .Where(c => c.Class is "database" or "cache" or "queue" || c.Id.StartsWith("host:k8s-", StringComparison.Ordinal))
            .Where(c => (_dependents.GetValueOrDefault(c.Id) ?? []).Any(IsService))
            .Select(c => c.Id)
            .ToArray();
        _producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = "itopsstream-demo-simulator",
            LingerMs = 10,
            EnableIdempotence = true,
        }).Build();
    }

    /// <summary>Records produced so far.</summary>
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>Faults injected so far.</summary>
    public long Faults => Interlocked.Read(ref _faultCount);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var nextFault = started + _options.FirstFault;
        var tick = TimeSpan.FromMilliseconds(100);
        int perTick = Math.Max(1, _options.RecordsPerSecond / 10);
        using var timer = new PeriodicTimer(tick);
        try
        {
            do
            {
                var now = DateTimeOffset.UtcNow;
                long ts = now.ToUnixTimeMilliseconds();
                if (now >= nextFault)
                {
                    StartFault(ts);
                    nextFault = now + _options.FaultEvery;
                }

                AdvanceFaults(ts);
                Background(ts, perTick);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void StartFault(long ts)
    {
        var root = _faultRoots[_random.Next(_faultRoots.Length)];
        var hop1 = (_dependents.GetValueOrDefault(root) ?? []).Where(IsService).Distinct().Take(4).ToList();
        var hop2 = hop1.SelectMany(s => _dependents.GetValueOrDefault(s) ?? []).Where(IsService).Except(hop1).Distinct().Take(3).ToList();
        var symptoms = hop1.Select(s => (Ci: s, Delay: 1500 + _random.Next(3000)))
            .Concat(hop2.Select(s => (Ci: s, Delay: 5000 + _random.Next(4000))))
            .ToList();
        var id = Interlocked.Increment(ref _faultCount);
        _faults.Add(new Fault(id, root, RootCheck(root), ts, ts + (long)_options.FaultDuration.TotalMilliseconds, symptoms));
        Event(ts, root, RootCheck(root), "critical", "firing", $"demo-{id}-root", $"{root} is not responding");
    }

    private void AdvanceFaults(long ts)
    {
        for (int i = _faults.Count - 1; i >= 0; i--)
        {
            var fault = _faults[i];
            foreach (var (ci, delay) in fault.Symptoms)
            {
                var key = $"demo-{fault.Id}-{ci}";
                if (!fault.Fired.Contains(ci) && ts >= fault.Start + delay)
                {
                    fault.Fired.Add(ci);
                    var check = _random.Next(2) == 0 ? "HighErrorRate" : "LatencyHigh";
                    fault.Checks[ci] = check;
                    Event(ts, ci, check, "major", "firing", key, $"{check} on {ci}: calls to {fault.Root} failing");
                }
            }

            // Symptoms keep logging errors while the fault lasts.
            foreach (var ci in fault.Fired)
            {
                if (_random.Next(3) == 0)
                {
                    OtlpLog(ts, ci, 17, $"connection refused to {fault.Root}: upstream unavailable (attempt {_random.Next(1, 4)})");
                }
            }

            if (ts >= fault.End)
            {
                Event(ts, fault.Root, fault.RootCheck, "critical", "resolved", $"demo-{fault.Id}-root", $"{fault.Root} recovered");
                foreach (var ci in fault.Fired)
                {
                    Event(ts, ci, fault.Checks[ci], "major", "resolved", $"demo-{fault.Id}-{ci}", $"{ci} recovered");
                }

                _faults.RemoveAt(i);
            }
        }
    }

    private void Background(long ts, int count)
    {
        for (int i = 0; i < count; i++)
        {
            int pick = _random.Next(100);
            if (pick < 70)
            {
                var host = _hosts[_random.Next(_hosts.Length)];
                var busy = _faults.Any(f => f.Root == host);
                Metric(ts, host, "cpu.util", busy ? 95 + (_random.NextDouble() * 5) : 20 + (_random.NextDouble() * 40));
            }
            else if (pick < 90)
            {
                var svc = _services[_random.Next(_services.Length)];
                Metric(ts, svc, "http.latency_ms", 20 + (_random.NextDouble() * 30));
            }
            else
            {
                var svc = _services[_random.Next(_services.Length)];
                OtlpLog(ts, svc, 9, $"GET /api/v1/items/{_random.Next(1000, 9999)} 200 in {_random.Next(5, 60)} ms");
            }
        }

        // Rare unrelated warnings, sent the way Prometheus Alertmanager would, resolving a little later.
        if (_random.Next(400) == 0)
        {
            var svc = _services[_random.Next(_services.Length)];
            _noise.Add((svc, "PodRestarting", ts + 15_000));
            Alertmanager(ts, svc, "PodRestarting", "firing");
        }

        for (int i = _noise.Count - 1; i >= 0; i--)
        {
            if (ts >= _noise[i].ResolveAt)
            {
                Alertmanager(ts, _noise[i].Ci, _noise[i].Check, "resolved");
                _noise.RemoveAt(i);
            }
        }

        // Now and then a broken record, as real producers send: it must land in the dead letters.
        if (_random.Next(600) == 0)
        {
            Produce("itops.events", null, Encoding.UTF8.GetBytes("{\"ts\":\"not a time\",\"kind\":\"event\",\"check\":\"Broken\"}"));
        }
    }

    private bool IsService(string ci) => _classOf.GetValueOrDefault(ci) == "service";

    private string RootCheck(string ci) => _classOf.GetValueOrDefault(ci) switch
    {
        "database" => "DatabaseDown",
        "cache" => "CacheUnavailable",
        "queue" => "QueueBacklog",
        _ => "NodeNotReady",
    };

    private void Metric(long ts, string ci, string name, double value) =>
        Produce("itops.metrics", ci, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$"""{"ts":{{ts}},"kind":"metric","ci":"{{ci}}","name":"{{name}}","value":{{value:F2}}}""")));

    private void Event(long ts, string ci, string check, string severity, string status, string dedupKey, string message) =>
        Produce("itops.events", ci, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$"""{"ts":{{ts}},"kind":"event","source":"demo-monitor","ci":"{{ci}}","check":"{{check}}","severity":"{{severity}}","status":"{{status}}","dedup_key":"{{dedupKey}}","message":"{{message}}"}""")));

    private void OtlpLog(long ts, string ci, int severityNumber, string body)
    {
        var nanos = (ts * 1_000_000).ToString(CultureInfo.InvariantCulture);
        Produce("itops.logs", ci, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$$"""{"resourceLogs":[{"resource":{"attributes":[{"key":"itops.ci","value":{"stringValue":"{{{ci}}}"}},{"key":"service.name","value":{"stringValue":"{{{ci[4..]}}}"}}]},"scopeLogs":[{"scope":{"name":"demo"},"logRecords":[{"timeUnixNano":"{{{nanos}}}","severityNumber":{{{severityNumber}}},"body":{"stringValue":"{{{body}}}"}}]}]}]}""")));
    }

    private void Alertmanager(long ts, string ci, string alertName, string status)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(ts).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var ends = status == "resolved" ? time : "0001-01-01T00:00:00Z";
        Produce("itops.events", ci, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$"""{"version":"4","status":"{{status}}","receiver":"itops","alerts":[{"status":"{{status}}","labels":{"alertname":"{{alertName}}","ci":"{{ci}}","severity":"warning"},"annotations":{"summary":"{{alertName}} on {{ci}}"},"startsAt":"{{time}}","endsAt":"{{ends}}","fingerprint":"am-{{ci}}-{{alertName}}"}]}""")));
    }

    private void Produce(string topic, string? key, byte[] value)
    {
        var message = new Message<byte[]?, byte[]> { Key = key is null ? null : Encoding.UTF8.GetBytes(key), Value = value };
        while (true)
        {
            try
            {
                _producer.Produce(topic, message);
                Interlocked.Increment(ref _produced);
                return;
            }
            catch (ProduceException<byte[]?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                _producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
    }

    private sealed record Fault(long Id, string Root, string RootCheck, long Start, long End, List<(string Ci, int Delay)> Symptoms)
    {
        public HashSet<string> Fired { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Checks { get; } = new(StringComparer.Ordinal);
    }
}
