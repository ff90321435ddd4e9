using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Cli.Demo;

/// <summary>
/// The demo estate: ~200 CIs of an online retailer (11 business services, 36 services, databases,
/// caches, queues, Kubernetes nodes, database and infrastructure hosts, network), bundled in the
/// program so the demo needs no files.
/// </summary>
internal static class SampleCmdb
{
    private const string ResourceName = "ItOpsStream.Cli.Demo.sample-cmdb.json";

    public static byte[] Utf8()
    {
        using var stream = typeof(SampleCmdb).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static TopologyDocument Load() => TopologyFile.Parse(Utf8(), "sample-cmdb.json");
}
