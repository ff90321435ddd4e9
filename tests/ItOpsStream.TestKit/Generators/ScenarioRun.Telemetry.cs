using System.Globalization;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.TestKit.Generators;

internal sealed partial class ScenarioRun
{
    private static (string Name, double Normal, double Spread, double Impaired) MetricFor(CiRole role) => role switch
    {
        CiRole.Host or CiRole.Node => ("cpu.util", 35, 8, 97),
        CiRole.Service => ("http.latency_p99_ms", 120, 20, 2500),
        CiRole.Database => ("db.connections", 80, 10, 0),
        CiRole.Cache => ("cache.hit_ratio", 0.93, 0.02, 0.2),
        CiRole.Queue => ("queue.depth", 200, 60, 250_000),
        CiRole.Pod => ("container.restarts", 0, 0, 6),
        _ => ("up", 1, 0, 0),
    };

    /// <summary>
    /// Metric samples once a minute on a few monitored CIs and on every fault's root around the
    /// fault, shifted to fault values while impaired; error logs from impaired CIs; background info logs.
    /// </summary>
    private void AddMetricsAndLogs(long end)
    {
        var candidates = _topology.Document.Cis.Where(c => _topology.RoleOf(c.Id) is not CiRole.BusinessService).Select(c => c.Id).ToList();
        var monitored = candidates.OrderBy(_ => _rng.Next()).Take(_options.MetricCis).ToList();
        // CI -> the spans it is impaired in, so each sample checks its own CI's faults only.
        var spans = new Dictionary<string, List<(long From, long To)>>(StringComparer.Ordinal);
        foreach (var w in _windows)
        {
            foreach (var (ci, imp) in w.Impaired)
            {
                if (!spans.TryGetValue(ci, out var list))
                {
                    spans[ci] = list = [];
                }

                list.Add((imp.Since, w.End));
            }
        }

        foreach (var ci in monitored)
        {
            AddMetricSeries(ci, _start, end, spans.GetValueOrDefault(ci));
        }

        foreach (var w in _windows)
        {
            var root = w.Impaired.First(p => p.Value.Hops == 0).Key;
            if (!monitored.Contains(root))
            {
                AddMetricSeries(root, w.Start - (15 * Minute), w.End + (5 * Minute), spans.GetValueOrDefault(root));
            }
        }

        var services = _topology.WithRole(CiRole.Service);
        for (long t = _start; t < end && services.Count > 0; t += (long)(Uniform(60, 240) * Second))
        {
            string ci = Pick(services);
            _records.Add(new TelemetryRecord(t, TelemetryKind.Log, ci, Level: LogLevel.Info, Message: string.Create(CultureInfo.InvariantCulture, $"GET /api/v1/items/{_rng.Next(1, 99999)} 200 {_rng.Next(3, 90)}ms")));
        }
    }

    private void AddMetricSeries(string ci, long from, long to, List<(long From, long To)>? impairedSpans)
    {
        var role = _topology.RoleOf(ci);
        var (name, normal, spread, impairedValue) = MetricFor(role);
        var labels = LabelSet.From([new("env", "prod")]);
        for (long t = from - (from % Minute); t < to; t += Minute)
        {
            bool impaired = impairedSpans is not null && impairedSpans.Exists(s => t >= s.From && t < s.To);
            double value = impaired ? impairedValue * Uniform(0.9, 1.1) : Math.Max(0, normal + (Gaussian() * spread));
            if (spread == 0)
            {
                // Counters (restarts, up) are whole numbers.
                value = Math.Round(value);
            }

            _records.Add(new TelemetryRecord(t, TelemetryKind.Metric, ci, Name: name, Value: Math.Round(value, 3), Labels: labels));
        }
    }

    /// <summary>Error logs from each alerting CI of a fault while it is impaired.</summary>
    private void AddFaultTelemetry(Dictionary<string, Impairment> impaired, long start, long end)
    {
        foreach (var (ci, imp) in impaired)
        {
            if (!imp.Alerting)
            {
                continue;
            }

            var upstream = _topology.DependenciesOf(ci).FirstOrDefault(impaired.ContainsKey);
            int lines = 0;
            for (long t = Math.Max(start, imp.Since) + (long)(Uniform(1, 20) * Second); t < end && lines < 10; t += (long)(Uniform(20, 90) * Second), lines++)
            {
                string message = upstream is null
                    ? "unhandled exception: service unavailable"
                    : $"error calling {upstream[(upstream.IndexOf(':', StringComparison.Ordinal) + 1)..]}: {Pick(new[] { "connection refused", "deadline exceeded", "connection reset by peer", "503 Service Unavailable" })}";
                _records.Add(new TelemetryRecord(t, TelemetryKind.Log, ci, Level: LogLevel.Error, Message: message));
            }
        }
    }

    private double Gaussian()
    {
        // Box-Muller; good enough for background metric noise.
        double u1 = 1.0 - _rng.NextDouble(), u2 = _rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
