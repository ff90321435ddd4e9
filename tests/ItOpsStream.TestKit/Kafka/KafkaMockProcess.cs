using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace ItOpsStream.TestKit.Kafka;

/// <summary>
/// The embedded Kafka broker in its own process (<c>itopsstream kafka-mock</c>), for tests that kill
/// the engine: the broker and its committed offsets survive. The child exits when this object is
/// disposed or when the test process dies (its stdin closes).
/// </summary>
public sealed class KafkaMockProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _stderr;

    private KafkaMockProcess(Process process, StringBuilder stderr, string bootstrapServers)
    {
        _process = process;
        _stderr = stderr;
        BootstrapServers = bootstrapServers;
    }

    public string BootstrapServers { get; }

    /// <summary>What the broker process wrote on stderr so far (librdkafka logs), for failure messages.</summary>
    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <c>itopsstream kafka-mock</c> and waits for its bootstrap line.</summary>
    /// <param name="brokers">Number of brokers.</param>
    /// <param name="topics">Topics to create as (name, partitions).</param>
    public static async Task<KafkaMockProcess> StartAsync(int brokers = 1, params (string Name, int Partitions)[] topics)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(LocateCliDll());
        start.ArgumentList.Add("kafka-mock");
        start.ArgumentList.Add("--brokers");
        start.ArgumentList.Add(brokers.ToString(CultureInfo.InvariantCulture));
        if (topics.Length > 0)
        {
            start.ArgumentList.Add("--topics");
            start.ArgumentList.Add(string.Join(',', topics.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name}:{t.Partitions}"))));
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start itopsstream kafka-mock");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();

        string? firstLine;
        try
        {
            firstLine = await process.StandardOutput.ReadLineAsync().WaitAsync(StartTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            firstLine = null;
        }

        if (string.IsNullOrWhiteSpace(firstLine))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            throw new InvalidOperationException($"itopsstream kafka-mock printed no bootstrap servers within {StartTimeout.TotalSeconds} s; stderr: {stderr}");
        }

        return new KafkaMockProcess(process, stderr, firstLine.Trim());
    }

    /// <summary>
    /// Path of the built <c>itopsstream.dll</c>: <c>ITOPSSTREAM_CLI_DLL</c> when set, else the Cli
    /// project's output in the configuration this test kit was built with.
    /// </summary>
    public static string LocateCliDll()
    {
        var overridden = Environment.GetEnvironmentVariable("ITOPSSTREAM_CLI_DLL");
        if (!string.IsNullOrEmpty(overridden))
        {
            return File.Exists(overridden) ? overridden : throw new FileNotFoundException($"ITOPSSTREAM_CLI_DLL={overridden} does not exist");
        }

        var configuration = typeof(KafkaMockProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var framework = string.Create(CultureInfo.InvariantCulture, $"net{Environment.Version.Major}.{Environment.Version.Minor}");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ItOpsStream.sln")))
            {
                var dll = Path.Combine(dir.FullName, "engine", "ItOpsStream.Cli", "bin", configuration, framework, "itopsstream.dll");
                return File.Exists(dll)
                    ? dll
                    : throw new FileNotFoundException($"{dll} is missing: build it with 'dotnet build engine/ItOpsStream.Cli -c {configuration}'");
            }
        }

        throw new FileNotFoundException($"no ItOpsStream.sln above {AppContext.BaseDirectory}; set ITOPSSTREAM_CLI_DLL to the built itopsstream.dll");
    }

    /// <summary>Closes the child's stdin (it exits on its own), then kills it if it lingers.</summary>
    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            _process.Dispose();
        }
    }

    // The dotnet host running the tests (set by the SDK), so the child uses the same runtime.
    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
