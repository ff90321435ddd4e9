using BenchmarkDotNet.Attributes;
using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Rules;
using ItOpsStream.Engine.Telemetry;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Bench;

/// <summary>
/// Cost of the SRE rules per alert, on the correlation thread: a rules file of 100 suppress rules
/// (regex and equality matchers, CI fields, weekly and cron windows), 20 inhibit rules (topology
/// dependents within 2 hops, equal labels) and 20 grouping rules, over 10 000 alerts on a topology of
/// 1 000 hosts and 5 000 services.
/// </summary>
[MemoryDiagnoser]
public class RulesBenchmarks
{
    private const int Alerts = 10_000;
    private readonly AlertSnapshot[] _alerts = new AlertSnapshot[Alerts];
    private RuleEngine _engine = null!;

    [GlobalSetup]
    public void Setup()
    {
        var cis = new List<CiRecord>();
        var relations = new List<RelationRecord>();
        for (int h = 0; h < 1000; h++)
        {
            cis.Add(new CiRecord($"host:{h}", "host", $"node-{h}", Attributes: new Dictionary<string, string> { ["dc"] = $"dc{h % 4}" }));
        }

        for (int s = 0; s < 5000; s++)
        {
            cis.Add(new CiRecord($"svc:{s}", "service", $"svc-{s}", Owner: $"team-{s % 40}"));
            relations.Add(new RelationRecord($"svc:{s}", $"host:{s % 1000}", "runs_on"));
            if (s > 0)
            {
                relations.Add(new RelationRecord($"svc:{s}", $"svc:{s / 2}"));
            }
        }

        var graph = TopologyGraph.Build(new TopologyDocument(cis, relations));
        var yaml = new System.Text.StringBuilder("suppress:\n");
        for (int i = 0; i < 100; i++)
        {
            yaml.Append(i % 3 == 0
                ? $"  - match: '{{check=~\"Check{i}[0-9]+|Other.*\", ci_owner=\"team-{i % 40}\"}}'\n    time_zone: Europe/Berlin\n    windows: [{{days: [sat, sun], from: \"01:00\", to: \"05:00\"}}]\n"
                : i % 3 == 1
                    ? $"  - match: '{{check=\"Check{i}\", env=\"staging\"}}'\n    windows: [{{cron: \"0 2 * * *\", duration: 1h}}]\n"
                    : $"  - match: '{{severity=\"info\", ci_attr_dc=\"dc{i % 4}\", check=~\"Noise{i}.*\"}}'\n");
        }

        yaml.Append("inhibit:\n");
        for (int i = 0; i < 20; i++)
        {
            yaml.Append($"  - source: '{{check=\"HostDown{i}\"}}'\n    target: '{{ci_class=\"service\"}}'\n    topology: dependents\n    max_hops: 2\n    equal: [env]\n");
        }

        yaml.Append("grouping:\n  rules:\n");
        for (int i = 0; i < 20; i++)
        {
            yaml.Append($"    - match: '{{ci_owner=\"team-{i}\"}}'\n      group_by: [env]\n      max_alerts: 100\n");
        }

        var rules = RuleSetLoader.Parse(new StringReader(yaml.ToString()), "bench.yaml");
        _engine = new RuleEngine(new RulesProvider(rules), new StaticTopology(graph));
        var rng = new Random(7);
        var env = LabelSet.From([new("env", "prod")]);
        for (int i = 0; i < Alerts; i++)
        {
            bool host = rng.NextDouble() < 0.05;
            string ci = host ? $"host:{rng.Next(1000)}" : $"svc:{rng.Next(5000)}";
            string check = host ? $"HostDown{rng.Next(20)}" : $"Check{rng.Next(200)}";
            _alerts[i] = new AlertSnapshot($"fp-{i}", "prometheus", ci, check, Severity.Major, AlertStatus.Firing, false, i * 1000L, i * 1000L, 1, 1_795_600_000_000L + (i * 1000L), "m", env);
        }
    }

    /// <summary>Suppression check of one new alert (all 100 rules when none matches).</summary>
    [Benchmark(OperationsPerInvoke = Alerts)]
    public int IsSuppressed()
    {
        int n = 0;
        foreach (var alert in _alerts)
        {
            n += _engine.IsSuppressed(alert) ? 1 : 0;
        }

        return n;
    }

    /// <summary>Observe (source tracking) plus the inhibition lookup of one alert.</summary>
    [Benchmark(OperationsPerInvoke = Alerts)]
    public int ObserveAndFindInhibitor()
    {
        int n = 0;
        foreach (var alert in _alerts)
        {
            _engine.Observe(alert);
            n += _engine.FindInhibitor(alert) is null ? 0 : 1;
        }

        return n;
    }
}
