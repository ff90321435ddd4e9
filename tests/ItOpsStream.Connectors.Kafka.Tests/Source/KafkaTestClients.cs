using System.Text;
using Confluent.Kafka;

namespace ItOpsStream.Connectors.Kafka.Tests.Source;

/// <summary>Plain Confluent clients the tests use to feed topics and read results.</summary>
internal static class KafkaTestClients
{
    public static async Task ProduceAsync(string bootstrap, string topic, IEnumerable<string> values, Func<string, string?>? key = null)
    {
        using var producer = new ProducerBuilder<string?, string>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 2 }).Build();
        foreach (var value in values)
        {
            producer.Produce(topic, new Message<string?, string> { Key = key?.Invoke(value), Value = value });
        }

        await Task.Run(() => producer.Flush(TimeSpan.FromSeconds(30)));
    }

    public static string Native(int id, string ci = "svc:checkout") =>
        $$"""{"ts":{{1795608000000 + id}},"kind":"event","source":"test","ci":"{{ci}}","check":"Check{{id % 7}}","severity":"major","dedup_key":"id-{{id}}"}""";

    /// <summary>Reads a topic from the beginning until <paramref name="expected"/> records arrived or the timeout passed.</summary>
    public static List<ConsumeResult<byte[]?, byte[]>> ReadAll(string bootstrap, string topic, int expected, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var results = new List<ConsumeResult<byte[]?, byte[]>>();
        var deadline = DateTime.UtcNow + timeout;
        while (results.Count < expected && DateTime.UtcNow < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is not null)
            {
                results.Add(r);
            }
        }

        consumer.Close();
        return results;
    }

    public static string Text(byte[]? bytes) => bytes is null ? string.Empty : Encoding.UTF8.GetString(bytes);

    /// <summary>The group's committed offsets, summed over the topic's partitions.</summary>
    public static long CommittedTotal(string bootstrap, string group, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group }).Build();
        var committed = consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10));
        return committed.Sum(c => Math.Max(0, c.Offset.Value));
    }

    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }
}
