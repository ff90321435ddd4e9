using System.Runtime.InteropServices;
using System.Text;

namespace ItOpsStream.Connectors.Kafka.Broker;

/// <summary>
/// The few librdkafka C functions the embedded broker needs, bound by address in the library
/// Confluent.Kafka loaded (see <see cref="LibrdkafkaLoader"/>), so the mock cluster and the clients
/// share one copy of librdkafka.
/// </summary>
internal static unsafe class MockClusterNative
{
    private const int ErrorBufferSize = 512;
    private const int ProducerType = 0;

    private static readonly Lazy<Exports> Bound = new(Bind, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Creates an <c>rd_kafka_t</c> producer handle with the given configuration; it never connects anywhere.</summary>
    public static IntPtr NewHandle(IReadOnlyDictionary<string, string> config)
    {
        var f = Bound.Value;
        var conf = f.ConfNew();
        var error = stackalloc byte[ErrorBufferSize];
        foreach (var (name, value) in config)
        {
            int result;
            fixed (byte* n = NullTerminated(name), v = NullTerminated(value))
            {
                result = f.ConfSet(conf, n, v, error, ErrorBufferSize);
            }

            if (result != 0)
            {
                f.ConfDestroy(conf);
                throw new ArgumentException($"librdkafka refused {name}={value}: {Marshal.PtrToStringUTF8((IntPtr)error)}");
            }
        }

        // rd_kafka_new takes ownership of conf only on success.
        var handle = f.New(ProducerType, conf, error, ErrorBufferSize);
        if (handle == IntPtr.Zero)
        {
            f.ConfDestroy(conf);
            throw new InvalidOperationException($"rd_kafka_new failed: {Marshal.PtrToStringUTF8((IntPtr)error)}");
        }

        return handle;
    }

    public static void DestroyHandle(IntPtr handle) => Bound.Value.Destroy(handle);

    public static IntPtr ClusterNew(IntPtr handle, int brokers) => Bound.Value.ClusterNew(handle, brokers);

    public static void ClusterDestroy(IntPtr cluster) => Bound.Value.ClusterDestroy(cluster);

    public static string Bootstraps(IntPtr cluster) => Marshal.PtrToStringUTF8(Bound.Value.Bootstraps(cluster)) ?? string.Empty;

    /// <summary>Returns the librdkafka error code (0 when created).</summary>
    public static int TopicCreate(IntPtr cluster, string topic, int partitions, int replicationFactor)
    {
        fixed (byte* t = NullTerminated(topic))
        {
            return Bound.Value.TopicCreate(cluster, t, partitions, replicationFactor);
        }
    }

    public static void GroupInitialRebalanceDelay(IntPtr cluster, int delayMs) => Bound.Value.GroupInitialRebalanceDelayMs(cluster, delayMs);

    public static string ErrorName(int code) => Marshal.PtrToStringUTF8(Bound.Value.Err2Name(code)) ?? code.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] NullTerminated(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    private static Exports Bind()
    {
        var library = LibrdkafkaLoader.EnsureLoaded();
        return new Exports
        {
            ConfNew = (delegate* unmanaged[Cdecl]<IntPtr>)NativeLibrary.GetExport(library, "rd_kafka_conf_new"),
            ConfSet = (delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, byte*, nuint, int>)NativeLibrary.GetExport(library, "rd_kafka_conf_set"),
            ConfDestroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)NativeLibrary.GetExport(library, "rd_kafka_conf_destroy"),
            New = (delegate* unmanaged[Cdecl]<int, IntPtr, byte*, nuint, IntPtr>)NativeLibrary.GetExport(library, "rd_kafka_new"),
            Destroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)NativeLibrary.GetExport(library, "rd_kafka_destroy"),
            ClusterNew = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)NativeLibrary.GetExport(library, "rd_kafka_mock_cluster_new"),
            ClusterDestroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)NativeLibrary.GetExport(library, "rd_kafka_mock_cluster_destroy"),
            Bootstraps = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)NativeLibrary.GetExport(library, "rd_kafka_mock_cluster_bootstraps"),
            TopicCreate = (delegate* unmanaged[Cdecl]<IntPtr, byte*, int, int, int>)NativeLibrary.GetExport(library, "rd_kafka_mock_topic_create"),
            GroupInitialRebalanceDelayMs = (delegate* unmanaged[Cdecl]<IntPtr, int, void>)NativeLibrary.GetExport(library, "rd_kafka_mock_group_initial_rebalance_delay_ms"),
            Err2Name = (delegate* unmanaged[Cdecl]<int, IntPtr>)NativeLibrary.GetExport(library, "rd_kafka_err2name"),
        };
    }

    private sealed class Exports
    {
        public required delegate* unmanaged[Cdecl]<IntPtr> ConfNew { get; init; }
        public required delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, byte*, nuint, int> ConfSet { get; init; }
        public required delegate* unmanaged[Cdecl]<IntPtr, void> ConfDestroy { get; init; }
        public required delegate* unmanaged[Cdecl]<int, IntPtr, byte*, nuint, IntPtr> New { get; init; }
        public required delegate* unmanaged[Cdecl]<IntPtr, void> Destroy { get; init; }
        public required delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr> ClusterNew { get; init; }
        public required delegate* unmanaged[Cdecl]<IntPtr, void> ClusterDestroy { get; init; }
        public required delegate* unmanaged[Cdecl]<IntPtr, IntPtr> Bootstraps { get; init; }
        public required delegate* unmanaged[Cdecl]<IntPtr, byte*, int, int, int> TopicCreate { get; init; }
        public required delegate* unmanaged[Cdecl]<IntPtr, int, void> GroupInitialRebalanceDelayMs { get; init; }
        public required delegate* unmanaged[Cdecl]<int, IntPtr> Err2Name { get; init; }
    }
}
