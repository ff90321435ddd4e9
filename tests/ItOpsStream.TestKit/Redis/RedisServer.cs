using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ItOpsStream.TestKit.Redis;

/// <summary>
/// A real <c>redis-server</c> (Debian's package) on a free loopback port, for integration tests and
/// benchmarks. No persistence unless asked; can be killed and started again on the same port to test
/// outages. Dispose stops it.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string[] _extraArgs;
    private readonly string? _dataDirectory;
    private readonly RedisServerTls? _tls;
    private Process? _process;

    private RedisServer(int port, string[] extraArgs, string? dataDirectory, RedisServerTls? tls)
    {
        Port = port;
        _extraArgs = extraArgs;
        _dataDirectory = dataDirectory;
        _tls = tls;
    }

    public int Port { get; }

    /// <summary><c>redis://127.0.0.1:{port}</c>.</summary>
    public string Url => $"redis://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// Starts a server. With <paramref name="durable"/> it writes an fsync-always append-only file in
    /// a temporary directory, so its data survives <see cref="Kill"/> and a restart.
    /// </summary>
    public static async Task<RedisServer> StartAsync(bool durable = false, params string[] extraArgs)
    {
        string? dir = durable ? Directory.CreateTempSubdirectory("itops-redis-").FullName : null;
        var server = new RedisServer(FreePort(), extraArgs, dir, null);
        await server.StartAgainAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>Starts a server that speaks TLS only, on <see cref="Port"/>.</summary>
    public static async Task<RedisServer> StartTlsAsync(RedisServerTls tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var server = new RedisServer(FreePort(), [], null, tls);
        await server.StartAgainAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>Starts the server again on the same port (after <see cref="Kill"/>).</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("redis-server is already running");
        }

        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string port = Port.ToString(CultureInfo.InvariantCulture);
        string[] listen = _tls is null
            ? ["--port", port]
            : ["--port", "0", "--tls-port", port, "--tls-cert-file", _tls.CertificateFile, "--tls-key-file", _tls.KeyFile, "--tls-ca-cert-file", _tls.CaFile, "--tls-auth-clients", _tls.RequireClientCertificate ? "yes" : "no"];
        foreach (string arg in listen.Concat(["--bind", "127.0.0.1", "--save", "", "--daemonize", "no"]))
        {
            info.ArgumentList.Add(arg);
        }

        if (_dataDirectory is null)
        {
            info.ArgumentList.Add("--appendonly");
            info.ArgumentList.Add("no");
        }
        else
        {
            foreach (string arg in new[] { "--appendonly", "yes", "--appendfsync", "always", "--dir", _dataDirectory })
            {
                info.ArgumentList.Add(arg);
            }
        }

        foreach (string arg in _extraArgs)
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed: run scripts/test.sh (installs it) or apt-get install redis-server", ex);
        }

        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilAcceptingAsync().ConfigureAwait(false);
    }

    /// <summary>Kills the process (SIGKILL): the outage a crashed or unplugged Redis causes.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        if (_dataDirectory is not null)
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A temp directory left behind is harmless.
            }
        }

        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitUntilAcceptingAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} on port {Port}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port).ConfigureAwait(false);
                if (_tls is not null)
                {
                    // Accepting TCP is as far as a plain probe can tell on a TLS port.
                    return;
                }

                using var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray()).ConfigureAwait(false);
                var buffer = new byte[64];
                int n = await stream.ReadAsync(buffer).ConfigureAwait(false);
                // "-LOADING" while the append-only file is replayed: not ready yet.
                if (n > 0 && buffer[0] == (byte)'+')
                {
                    return;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"redis-server did not accept connections on port {Port} within 20 s");
            }

            await Task.Delay(25).ConfigureAwait(false);
        }
    }
}

/// <summary>PEM files of a TLS-only test server.</summary>
/// <param name="CertificateFile">The server certificate.</param>
/// <param name="KeyFile">Its private key.</param>
/// <param name="CaFile">The CA that signed the server certificate and the client certificates it accepts.</param>
/// <param name="RequireClientCertificate">Mutual TLS (<c>tls-auth-clients yes</c>).</param>
public sealed record RedisServerTls(string CertificateFile, string KeyFile, string CaFile, bool RequireClientCertificate);
