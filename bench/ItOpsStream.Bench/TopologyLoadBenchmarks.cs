using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Bench;

/// <summary>
/// Loading a CMDB export of the size the issue asks for (1M CIs, 3M relations, ~300 MB of JSON) with
/// <see cref="TopologyFile.Load"/>. "Allocated" is everything the load allocates, an upper bound on the
/// memory the resulting document holds: the file itself is streamed, never held.
/// </summary>
[MemoryDiagnoser]
public class TopologyLoadBenchmarks
{
    private string _path = string.Empty;

    [Params(1_000_000)]
    public int Cis { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"itopsstream-topology-{Cis}-{Environment.ProcessId}.json");
        WriteTopology(_path, Cis, relations: 3 * Cis, seed: 1);
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    [Benchmark]
    public int Load()
    {
        var document = TopologyFile.Load(_path);
        return document.Cis.Count + document.Relations.Count;
    }

    /// <summary>
    /// A layered estate: business services over services over pods, hosts and databases; owners,
    /// criticality and attributes on some CIs; 1% of relations point to CIs outside the export.
    /// </summary>
    internal static void WriteTopology(string path, int cis, int relations, int seed)
    {
        var random = new Random(seed);
        string[] classes = ["business_service", "service", "pod", "host", "database", "load_balancer"];
        string[] criticality = ["low", "medium", "high", "critical"];
        string[] types = ["depends_on", "runs_on", "connects_to", "hosted_on"];
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 20);
        writer.Write("{\n  \"cis\": [\n");
        var line = new StringBuilder(256);
        for (int i = 0; i < cis; i++)
        {
            string cls = classes[Math.Min(i * classes.Length / cis, classes.Length - 1)];
            line.Clear().Append(i == 0 ? "    " : ",\n    ")
                .Append(CultureInfo.InvariantCulture, $"{{\"id\": \"{cls}:{i}\", \"class\": \"{cls}\", \"name\": \"{cls}-{i:x}\", \"owner\": \"team-{random.Next(200)}\"");
            if (random.Next(4) == 0)
            {
                line.Append(CultureInfo.InvariantCulture, $", \"criticality\": \"{criticality[random.Next(4)]}\"");
            }

            if (random.Next(3) == 0)
            {
                line.Append(CultureInfo.InvariantCulture, $", \"attributes\": {{\"dc\": \"dc-{random.Next(12)}\", \"env\": \"{(random.Next(5) == 0 ? "staging" : "prod")}\", \"cores\": {random.Next(1, 65)}}}");
            }

            writer.Write(line.Append('}'));
        }

        writer.Write("\n  ],\n  \"relations\": [\n");
        for (int i = 0; i < relations; i++)
        {
            int from = random.Next(cis);
            int to = random.Next(100) == 0 ? cis + random.Next(1000) : Math.Min(cis - 1, from + 1 + random.Next(Math.Max(1, cis / 6)));
            string fromClass = classes[Math.Min(from * classes.Length / cis, classes.Length - 1)];
            string toClass = classes[Math.Min(to * classes.Length / cis, classes.Length - 1)];
            line.Clear().Append(i == 0 ? "    " : ",\n    ")
                .Append(CultureInfo.InvariantCulture, $"{{\"from\": \"{fromClass}:{from}\", \"to\": \"{toClass}:{to}\", \"type\": \"{types[random.Next(types.Length)]}\"}}");
            writer.Write(line);
        }

        writer.Write("\n  ]\n}\n");
    }
}
