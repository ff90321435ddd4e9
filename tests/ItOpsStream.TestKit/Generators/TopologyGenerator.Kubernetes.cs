using ItOpsStream.Engine.Topology;

namespace ItOpsStream.TestKit.Generators;

public static partial class TopologyGenerator
{
    /// <summary>
    /// A Kubernetes-like cluster: nodes; per namespace a small service mesh whose services are
    /// backed by 1-3 pod replicas spread over nodes (so one pod or node rarely takes a service down
    /// alone); stateful services with a pod on shared CSI storage; and shared platform CIs: CoreDNS
    /// (every service resolves names through it), the ingress controller in front of the edge
    /// services, and the API server the nodes report to.
    /// </summary>
    private static List<string> BuildKubernetes(TopologyBuilder b, int serviceCount)
    {
        int nodeCount = Math.Max(3, serviceCount / 5);
        var nodes = new List<string>();
        string apiServer = b.Add("k8s:apiserver", "control_plane", CiRole.Network, "kube-apiserver", Criticality.Critical, "team-platform");
        for (int i = 0; i < nodeCount; i++)
        {
            nodes.Add(b.Add($"node:worker-{Num(i + 1)}", "k8s_node", CiRole.Node, $"worker-{Num(i + 1)}", Criticality.Medium, "team-platform", Attrs(("zone", Zones[i % 3]), ("instance_type", b.Pick(new[] { "m5.xlarge", "m5.2xlarge", "c5.2xlarge" })))));
            // Nodes go NotReady when the control plane is gone, but workloads mostly keep running.
            b.Relate(nodes[^1], apiServer, DependsOn, 0.3);
        }

        string dns = b.Add("k8s:coredns", "dns", CiRole.Dns, "coredns", Criticality.Critical, "team-platform");
        string ingress = b.Add("k8s:ingress-nginx", "ingress_controller", CiRole.Ingress, "ingress-nginx", Criticality.Critical, "team-platform");
        string storage = b.Add("k8s:csi-storage", "storage", CiRole.Storage, "ebs-csi", Criticality.High, "team-storage");
        foreach (var platform in new[] { dns, ingress })
        {
            for (int r = 0; r < 2; r++)
            {
                string pod = b.Add($"pod:{b.NameOf(platform)}-{PodSuffix(b)}", "pod", CiRole.Pod, null, Criticality.Medium, "team-platform", Attrs(("namespace", "kube-system")));
                b.Relate(platform, pod, DependsOn, 0.4);
                b.Relate(pod, nodes[(r + platform.Length) % nodes.Count], RunsOn, 0.95);
            }
        }

        int namespaces = Math.Max(1, serviceCount / 10);
        var entries = new List<string> { ingress };
        var all = new List<string>();
        int made = 0;
        var nsNames = new[] { "shop", "social", "travel", "identity", "payments", "search", "media", "ops" }.OrderBy(_ => b.Random.Next()).ToArray();
        for (int n = 0; n < namespaces; n++)
        {
            string ns = nsNames[n % nsNames.Length] + (n >= nsNames.Length ? $"-{n / nsNames.Length}" : string.Empty);
            int size = n == namespaces - 1 ? serviceCount - made : serviceCount / namespaces;
            made += size;
            var local = new List<string>();
            var inDegree = new Dictionary<string, int>(StringComparer.Ordinal);
            string owner = b.Pick(Teams);
            for (int i = 0; i < size; i++)
            {
                string name = i == 0 ? $"{ns}-frontend" : b.UniqueName(ServiceNames);
                string svc = b.Add($"svc:{name}", "service", CiRole.Service, name, Criticality.Medium, owner, Attrs(("namespace", ns), ("kind", "Deployment")));
                int replicas = b.Between(1, 3);
                var used = new HashSet<string>(StringComparer.Ordinal);
                for (int r = 0; r < replicas; r++)
                {
                    string pod = b.Add($"pod:{name}-{PodSuffix(b)}", "pod", CiRole.Pod, null, Criticality.Low, owner, Attrs(("namespace", ns)));
                    // One replica of several rarely takes the service down; a single replica does.
                    b.Relate(svc, pod, DependsOn, replicas == 1 ? 0.85 : 0.25);
                    string node = b.Pick(nodes);
                    for (int tries = 0; tries < 4 && !used.Add(node); tries++)
                    {
                        node = b.Pick(nodes);
                    }

                    b.Relate(pod, node, RunsOn, 0.95);
                }

                b.Relate(svc, dns, DependsOn, 0.7);
                if (i > 0)
                {
                    // Callers come from the services created before, so namespaces are layered DAGs.
                    int callers = Math.Min(local.Count, b.Between(1, 2));
                    for (int c = 0; c < callers; c++)
                    {
                        string caller = c == 0 && b.Chance(0.5) ? local[0] : PreferentialPick(b, local, inDegree);
                        b.Relate(caller, svc, DependsOn, b.Chance(0.2) ? 0.3 : 0.8);
                        inDegree[svc] = inDegree.GetValueOrDefault(svc) + 1;
                    }
                }
                else
                {
                    b.Relate(ingress, svc, DependsOn, 0.5);
                    entries.Add(svc);
                }

                local.Add(svc);
            }

            // A stateful datastore per namespace on persistent volumes.
            string engine = b.Pick(new[] { "postgres", "mongodb", "redis" });
            var role = engine == "redis" ? CiRole.Cache : CiRole.Database;
            string store = b.Add($"{(role == CiRole.Cache ? "cache" : "db")}:{ns}-{engine}", role == CiRole.Cache ? "cache" : "database", role, $"{ns}-{engine}", Criticality.High, "team-data", Attrs(("namespace", ns), ("kind", "StatefulSet")));
            string storePod = b.Add($"pod:{ns}-{engine}-0", "pod", CiRole.Pod, null, Criticality.Medium, "team-data", Attrs(("namespace", ns)));
            b.Relate(store, storePod, DependsOn, 0.9);
            b.Relate(storePod, b.Pick(nodes), RunsOn, 0.95);
            b.Relate(storePod, storage, DependsOn, 0.5);
            foreach (var user in local.Skip(1).OrderBy(_ => b.Random.Next()).Take(Math.Max(1, local.Count / 3)))
            {
                b.Relate(user, store, DependsOn, role == CiRole.Cache ? 0.6 : 0.9);
            }

            all.AddRange(local);
        }

        // Cross-namespace calls (identity, payments used by everyone).
        for (int i = 0; i < namespaces - 1; i++)
        {
            b.Relate(b.Pick(all), b.Pick(all), DependsOn, 0.6);
        }

        return entries;
    }

    private static string PodSuffix(TopologyBuilder b)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        Span<char> s = stackalloc char[10];
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = i == 5 ? '-' : alphabet[b.Random.Next(alphabet.Length)];
        }

        return new string(s);
    }
}
