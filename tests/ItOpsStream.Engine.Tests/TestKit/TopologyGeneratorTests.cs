using ItOpsStream.Engine.Topology;
using ItOpsStream.TestKit.Generators;

namespace ItOpsStream.Engine.Tests.TestKit;

public sealed class TopologyGeneratorTests
{
    public static TheoryData<TopologyShape, int> ShapesAndSizes()
    {
        var data = new TheoryData<TopologyShape, int>();
        foreach (var shape in Enum.GetValues<TopologyShape>())
        {
            foreach (int size in QualitySuite.Sizes)
            {
                data.Add(shape, size);
            }
        }

        return data;
    }

    private static byte[] Serialize(GeneratedTopology topology)
    {
        using var stream = new MemoryStream();
        ScenarioFiles.WriteTopology(topology.Document, stream);
        return stream.ToArray();
    }

    [Theory]
    [MemberData(nameof(ShapesAndSizes))]
    public void Generate_SameOptions_WritesIdenticalBytes(TopologyShape shape, int services)
    {
        var options = new TopologyOptions { Shape = shape, Services = services, Seed = 42 };
        Assert.Equal(Serialize(TopologyGenerator.Generate(options)), Serialize(TopologyGenerator.Generate(options)));
        Assert.NotEqual(Serialize(TopologyGenerator.Generate(options)), Serialize(TopologyGenerator.Generate(options with { Seed = 43 })));
    }

    [Theory]
    [MemberData(nameof(ShapesAndSizes))]
    public void Generate_WritesAFileTheEngineLoadsWithoutWarnings(TopologyShape shape, int services)
    {
        var topology = TopologyGenerator.Generate(new TopologyOptions { Shape = shape, Services = services, Seed = 7 });
        var loaded = TopologyFile.Parse(Serialize(topology), "generated");
        Assert.Empty(loaded.Warnings);
        Assert.Equal(topology.Document.Cis.Count, loaded.Cis.Count);
        Assert.Equal(topology.Document.Relations.Count, loaded.Relations.Count);
        Assert.Equal(topology.Document.Cis.Select(c => (c.Id, c.Class, c.Criticality, c.Owner)), loaded.Cis.Select(c => (c.Id, c.Class, c.Criticality, c.Owner)));
    }

    [Theory]
    [MemberData(nameof(ShapesAndSizes))]
    public void Generate_EveryShape_HasOwnedBusinessServicesOverEntryPoints(TopologyShape shape, int services)
    {
        var topology = TopologyGenerator.Generate(new TopologyOptions { Shape = shape, Services = services, Seed = 3 });
        var business = topology.WithRole(CiRole.BusinessService);
        Assert.NotEmpty(business);
        foreach (var bs in business)
        {
            var ci = topology.CiById[bs];
            Assert.True(ci.IsBusinessService);
            Assert.NotNull(ci.Owner);
            Assert.NotEmpty(topology.DependenciesOf(bs));
        }

        Assert.Contains(business, bs => topology.CiById[bs].Criticality >= Criticality.High);
        Assert.True(topology.WithRole(CiRole.Service).Count >= services);
    }

    [Fact]
    public void Mesh_HasDatastoresCachesAndAQueueSharedBySeveralServices()
    {
        var topology = TopologyGenerator.Generate(new TopologyOptions { Shape = TopologyShape.Mesh, Services = 30, Seed = 5 });
        foreach (var role in new[] { CiRole.Database, CiRole.Cache, CiRole.Queue })
        {
            Assert.Contains(topology.WithRole(role), ci => topology.DependentsOf(ci).Count(d => topology.RoleOf(d.Ci) == CiRole.Service) >= 2);
        }

        Assert.All(topology.WithRole(CiRole.Service), s => Assert.Single(topology.DependenciesOf(s), d => topology.RoleOf(d) == CiRole.Host));
    }

    [Fact]
    public void ThreeTier_SharesHostsBetweenApplications()
    {
        var topology = TopologyGenerator.Generate(new TopologyOptions { Shape = TopologyShape.ThreeTier, Services = 30, Seed = 5 });
        Assert.Contains(topology.WithRole(CiRole.Host), h => topology.DependentsOf(h).Count(d => d.RelationType == "runs_on") >= 2);
        Assert.Contains(topology.Document.Cis, c => c.Class == "web_server");
        Assert.Contains(topology.Document.Cis, c => c.Class == "app_server");
        Assert.NotEmpty(topology.WithRole(CiRole.Storage));
    }

    [Fact]
    public void Kubernetes_RunsPodsOnNodesAndServicesOnSharedPlatform()
    {
        var topology = TopologyGenerator.Generate(new TopologyOptions { Shape = TopologyShape.Kubernetes, Services = 30, Seed = 5 });
        Assert.All(topology.WithRole(CiRole.Pod), p => Assert.Single(topology.DependenciesOf(p), d => topology.RoleOf(d) == CiRole.Node));
        var dns = Assert.Single(topology.WithRole(CiRole.Dns));
        Assert.All(topology.WithRole(CiRole.Service), s => Assert.Contains(dns, topology.DependenciesOf(s)));
        Assert.Single(topology.WithRole(CiRole.Ingress));
        Assert.Single(topology.WithRole(CiRole.Storage));
    }

    [Theory]
    [InlineData(12)]
    [InlineData(30)]
    [InlineData(80)]
    public void DeepChain_HasADependencyPathLongerThanSixHops(int services)
    {
        var topology = TopologyGenerator.Generate(new TopologyOptions { Shape = TopologyShape.DeepChain, Services = services, Seed = 9 });
        int longest = topology.WithRole(CiRole.BusinessService).Max(bs => LongestAcyclicDepth(topology, bs, []));
        Assert.True(longest > 6, $"longest dependency path {longest}");
    }

    [Fact]
    public void Generate_WithCycleProbabilityOne_ContainsACycle()
    {
        var topology = TopologyGenerator.Generate(new TopologyOptions { Shape = TopologyShape.Mesh, Services = 30, Seed = 11, CycleProbability = 1 });
        Assert.Contains(topology.Document.Relations, r => topology.Document.Relations.Any(back => back.From == r.To && back.To == r.From));
    }

    [Theory]
    [InlineData("online-boutique", 10)]
    [InlineData("sock-shop", 8)]
    [InlineData("social-network", 12)]
    public void Reference_BuildsThePublishedCallGraphOnPods(string name, int services)
    {
        var topology = ReferenceTopologies.Build(name, 1);
        Assert.Equal(name, topology.ShapeName);
        Assert.Equal(services, topology.WithRole(CiRole.Service).Count);
        Assert.Empty(TopologyFile.Parse(Serialize(topology), name).Warnings);
        Assert.Single(topology.WithRole(CiRole.BusinessService));
        Assert.All(topology.WithRole(CiRole.Pod), p => Assert.Single(topology.DependenciesOf(p), d => topology.RoleOf(d) == CiRole.Node));
        var scenario = FaultScenarioGenerator.Generate(new ScenarioOptions { Seed = 1, Faults = 4, Topology = topology.Options }, topology);
        Assert.StartsWith(name + "-", scenario.Name, StringComparison.Ordinal);
        Assert.Equal(4, scenario.Truth.Faults.Count);
    }

    [Fact]
    public void Reference_UnknownName_ListsTheKnownOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => ReferenceTopologies.Build("train-ticket", 1));
        Assert.Contains("online-boutique", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TooFewServices_NamesTheField()
    {
        var ex = Assert.Throws<ArgumentException>(() => TopologyGenerator.Generate(new TopologyOptions { Services = 2 }));
        Assert.Contains("Services", ex.Message, StringComparison.Ordinal);
    }

    private static int LongestAcyclicDepth(GeneratedTopology topology, string ci, HashSet<string> path)
    {
        if (!path.Add(ci))
        {
            return -1;
        }

        int best = 0;
        foreach (var dep in topology.DependenciesOf(ci))
        {
            best = Math.Max(best, 1 + LongestAcyclicDepth(topology, dep, path));
        }

        path.Remove(ci);
        return best;
    }
}
