using System.CommandLine;
using System.Globalization;
using ItOpsStream.Connectors.Kafka.Broker;

namespace ItOpsStream.Cli.Commands;

/// <summary>
/// <c>itopsstream kafka-mock --brokers N [--topics a:3,b:3]</c>: hosts the embedded Kafka broker in
/// its own process. The first stdout line is the bootstrap servers; it runs until stdin closes
/// (so a parent that dies takes it along) or SIGTERM / Ctrl-C.
/// </summary>
internal static class KafkaMockCommand
{
    public static Command Create()
    {
        var brokers = new Option<int>("--brokers")
        {
            Description = "Number of brokers (1-32).",
            DefaultValueFactory = _ => 1,
        };
        var topics = new Option<string?>("--topics")
        {
            Description = "Topics to create, as name:partitions[:replicas] separated by commas (e.g. itops.metrics:6,itops.logs:6).",
        };
        var ignoreStdin = new Option<bool>("--ignore-stdin")
        {
            Description = "Keep running when stdin closes; stop only on SIGTERM or Ctrl-C (for service managers).",
        };
        var command = new Command("kafka-mock", "Run the embedded Kafka broker (librdkafka's mock cluster) on loopback and print its bootstrap servers.")
        {
            brokers, topics, ignoreStdin,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int brokerCount = parse.GetValue(brokers);
            if (brokerCount is < 1 or > 32)
            {
                throw new CliInputException($"--brokers: {brokerCount} is out of range (1-32)");
            }

            var topicSpecs = ParseTopics(parse.GetValue(topics), brokerCount);
            using var cluster = EmbeddedKafkaCluster.Start(brokerCount);
            foreach (var (name, partitions, replicas) in topicSpecs)
            {
                cluster.CreateTopic(name, partitions, replicas);
            }

            var output = parse.InvocationConfiguration.Output;
            await output.WriteLineAsync(cluster.BootstrapServers.AsMemory(), cancellationToken).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);

            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var registration = cancellationToken.Register(() => stopped.TrySetResult()).ConfigureAwait(false);
            if (!parse.GetValue(ignoreStdin))
            {
                _ = WaitForStdinEofAsync(stopped);
            }

            await stopped.Task.ConfigureAwait(false);
            return CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>Parses <c>name:partitions[:replicas]</c> entries separated by commas.</summary>
    internal static IReadOnlyList<(string Name, int Partitions, int Replicas)> ParseTopics(string? spec, int brokers)
    {
        var result = new List<(string, int, int)>();
        if (string.IsNullOrWhiteSpace(spec))
        {
            return result;
        }

        foreach (var entry in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split(':');
            if (parts.Length is < 1 or > 3 || parts[0].Length == 0)
            {
                throw new CliInputException($"--topics: '{entry}' is not name:partitions[:replicas]");
            }

            int partitions = parts.Length > 1 ? ParsePositive(parts[1], entry, "partitions") : 1;
            int replicas = parts.Length > 2 ? ParsePositive(parts[2], entry, "replicas") : 1;
            if (replicas > brokers)
            {
                throw new CliInputException($"--topics: '{entry}' asks for {replicas} replicas but there are {brokers} broker(s)");
            }

            result.Add((parts[0], partitions, replicas));
        }

        return result;
    }

    private static int ParsePositive(string text, string entry, string what) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= 1
            ? value
            : throw new CliInputException($"--topics: '{entry}': {what} '{text}' is not a positive integer");

    private static async Task WaitForStdinEofAsync(TaskCompletionSource stopped)
    {
        // A parent that dies closes our stdin: this is how test fixtures avoid orphan brokers.
        var buffer = new byte[256];
        await using var stdin = Console.OpenStandardInput();
        try
        {
            while (await stdin.ReadAsync(buffer).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (IOException)
        {
        }

        stopped.TrySetResult();
    }
}
