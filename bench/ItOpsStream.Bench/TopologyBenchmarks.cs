using BenchmarkDotNet.Attributes;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Bench;

/// <summary>
/// Topology queries on a generated 1M-CI, 3M-relation layered CMDB (<see cref="LayeredTopologyGenerator"/>,
/// fixed seed). Each query benchmark runs <see cref="Batch"/> queries on precomputed, seeded start nodes per
/// invocation, so the figures are per query. Build time and memory per CI/relation are measured by the
/// <c>topology-scale</c> mode (<see cref="TopologyScale"/>), since a build takes seconds.
/// </summary>
[MemoryDiagnoser]
public class TopologyBenchmarks
{
    private const int Batch = 256;

    private readonly List<(int Node, int Hops)> _result = new(1 << 16);
    private TopologyGraph _graph = TopologyGraph.Empty;
    private int[] _hosts = [];
    private int[] _services = [];
    private int[] _platform = [];
    private (int From, int To)[] _dependentPairs = [];
    private (int A, int B)[] _siblingPairs = [];
    private (int A, int B)[] _randomPairs = [];
    private TopologyChange[] _relationChanges = [];
    private TopologyChange[] _recordChanges = [];

    [GlobalSetup]
    public void Setup()
    {
        _graph = TopologyGraph.Build(LayeredTopologyGenerator.Generate(1_000_000, 3_000_000));
        var random = new Random(3);
        var byClass = Enumerable.Range(0, _graph.Count).ToLookup(n => _graph.GetCi(n).Class);
        _hosts = Sample(byClass["host"].ToArray(), random);
        _services = Sample(byClass["service"].ToArray(), random);

        // The shared platform services: the most-depended-on CIs, the expensive end of upstream walks.
        _platform = [.. byClass["service"].OrderByDescending(n => _graph.DirectDependents(n).Length).Take(Batch)];

        // A service and something it really depends on 2–4 hops down; two services on the same host; any two services.
        _dependentPairs = [.. _services.Select(s =>
        {
            _graph.Dependencies(s, 4, _result);
            var far = _result.Where(r => r.Hops >= 2).ToList();
            return (s, far.Count > 0 ? far[random.Next(far.Count)].Node : _result[0].Node);
        })];
        _siblingPairs = [.. _services.Select(s =>
        {
            var host = _graph.DirectDependencies(s).ToArray().First(d => _graph.GetRelationType(s, d) == "runs_on");
            var siblings = _graph.DirectDependents(host).ToArray();
            return (s, siblings[random.Next(siblings.Length)]);
        })];
        _randomPairs = [.. _services.Select(s => (s, _services[random.Next(_services.Length)]))];

        _relationChanges = [.. Enumerable.Range(0, 100).Select(_ => new TopologyChange(
            TopologyChangeOp.Upsert, null, new RelationRecord(RandomId(random), RandomId(random), "depends_on")))];
        _recordChanges = [.. Enumerable.Range(0, 100).Select(_ => new TopologyChange(
            TopologyChangeOp.Upsert, _graph.GetCi(random.Next(_graph.Count)) with { Owner = "team-new" }, null))];

        foreach (var service in _services)
        {
            _graph.ImpactedBusinessServices(service);
        }
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Dependents of a host, 3 hops")]
    public int DependentsOfHost3Hops()
    {
        var total = 0;
        foreach (var host in _hosts)
        {
            _graph.Dependents(host, 3, _result);
            total += _result.Count;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Dependents of a platform hub, 3 hops")]
    public int DependentsOfPlatform3Hops()
    {
        var total = 0;
        foreach (var service in _platform)
        {
            _graph.Dependents(service, 3, _result);
            total += _result.Count;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Dependencies of a service, 3 hops")]
    public int DependenciesOfService3Hops()
    {
        var total = 0;
        foreach (var service in _services)
        {
            _graph.Dependencies(service, 3, _result);
            total += _result.Count;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "DependencyDistance, real dependency, max 6")]
    public int DependencyDistanceRelated()
    {
        var total = 0;
        foreach (var (from, to) in _dependentPairs)
        {
            total += _graph.DependencyDistance(from, to, 6);
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "ShortestDependencyPath, real dependency, max 6")]
    public int ShortestDependencyPathRelated()
    {
        var total = 0;
        foreach (var (from, to) in _dependentPairs)
        {
            total += _graph.ShortestDependencyPath(from, to, 6)?.Length ?? 0;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "ShortestPath, services on one host, max 6")]
    public int ShortestPathSiblings()
    {
        var total = 0;
        foreach (var (a, b) in _siblingPairs)
        {
            total += _graph.ShortestPath(a, b, 6)?.Length ?? 0;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "ShortestPath, random services, max 6")]
    public int ShortestPathRandom()
    {
        var total = 0;
        foreach (var (a, b) in _randomPairs)
        {
            total += _graph.ShortestPath(a, b, 6)?.Length ?? 0;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "ImpactedBusinessServices, cached")]
    public int ImpactedCached()
    {
        var total = 0;
        foreach (var service in _services)
        {
            total += _graph.ImpactedBusinessServices(service).Count;
        }

        return total;
    }

    [Benchmark(Description = "WithChanges, 100 relation upserts")]
    public TopologyGraph WithRelationChanges() => _graph.WithChanges(_relationChanges);

    [Benchmark(Description = "WithChanges, 100 CI record updates")]
    public TopologyGraph WithRecordChanges() => _graph.WithChanges(_recordChanges);

    private static int[] Sample(int[] nodes, Random random) => [.. Enumerable.Range(0, Batch).Select(_ => nodes[random.Next(nodes.Length)])];

    private string RandomId(Random random) => _graph.GetId(random.Next(_graph.Count));
}
