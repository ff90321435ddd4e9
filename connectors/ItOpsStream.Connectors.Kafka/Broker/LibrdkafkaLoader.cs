using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace ItOpsStream.Connectors.Kafka.Broker;

/// <summary>
/// Makes sure Confluent.Kafka has loaded a librdkafka that works on this machine, and hands out the
/// native handle of that very library so the mock-cluster API is called in the same copy the
/// clients use.
/// </summary>
/// <remarks>
/// librdkafka.redist ships three Linux builds under <c>runtimes/linux-x64/native</c>: the plain
/// <c>librdkafka.so</c> (needs <c>libsasl2.so.3</c>, absent on Debian and Ubuntu), the self-contained
/// <c>centos8-librdkafka.so</c> (glibc only) and <c>alpine-librdkafka.so</c> (musl). Confluent.Kafka
/// tries them in that order of preference on its own (centos8 first on glibc). When that fails we
/// probe every variant ourselves, keep the first one the dynamic loader accepts, and point
/// Confluent.Kafka's imports at it through a <see cref="NativeLibrary"/> resolver — its own
/// <c>Library.Load(path)</c> cannot be used on these distributions because it imports <c>"libdl"</c>,
/// which only exists as <c>libdl.so.2</c>.
/// Set <c>ITOPSSTREAM_LIBRDKAFKA</c> to a file path to force a specific librdkafka build.
/// </remarks>
internal static class LibrdkafkaLoader
{
    /// <summary>Environment variable naming a librdkafka shared library to use instead of the bundled ones.</summary>
    public const string PathVariable = "ITOPSSTREAM_LIBRDKAFKA";

    private static readonly Lock Gate = new();
    private static IntPtr _handle;
    private static string? _path;

    /// <summary>The file librdkafka was loaded from, once <see cref="EnsureLoaded"/> has run (null when the platform does not say).</summary>
    public static string? LoadedPath
    {
        get
        {
            lock (Gate)
            {
                return _path;
            }
        }
    }

    /// <summary>Loads librdkafka if needed and returns its native handle. Thread-safe and idempotent.</summary>
    /// <exception cref="DllNotFoundException">No librdkafka build loads on this machine; the message lists what was tried and why.</exception>
    public static IntPtr EnsureLoaded()
    {
        lock (Gate)
        {
            if (_handle != IntPtr.Zero)
            {
                return _handle;
            }

            var forced = Environment.GetEnvironmentVariable(PathVariable);
            if (!string.IsNullOrWhiteSpace(forced))
            {
                if (!NativeLibrary.TryLoad(forced, out var forcedHandle))
                {
                    throw new DllNotFoundException($"{PathVariable}={forced}: the file does not exist or the dynamic loader refused it (missing dependency?).");
                }

                Install(forcedHandle, forced);
                return _handle;
            }

            Exception? defaultFailure = null;
            try
            {
                // Confluent.Kafka's own probing (it prefers the self-contained centos8 build on glibc).
                Library.Load();
            }
            catch (Exception ex) when (ex is DllNotFoundException or InvalidOperationException or BadImageFormatException or EntryPointNotFoundException)
            {
                defaultFailure = ex;
            }

            if (defaultFailure is null)
            {
                (_handle, _path) = FindLoadedLibrary();
                return _handle;
            }

            var tried = new List<string>();
            foreach (var candidate in Candidates())
            {
                if (!File.Exists(candidate))
                {
                    continue;
                }

                try
                {
                    Install(NativeLibrary.Load(candidate), candidate);
                    return _handle;
                }
                catch (DllNotFoundException ex)
                {
                    tried.Add($"{candidate}: {FirstLine(ex.Message)}");
                }
            }

            throw new DllNotFoundException(
                $"librdkafka could not be loaded ({FirstLine(defaultFailure.Message)}); tried: {(tried.Count == 0 ? "no bundled build found" : string.Join("; ", tried))}. Set {PathVariable} to a working librdkafka.so.",
                defaultFailure);
        }
    }

    /// <summary>Every bundled build that could fit this process, most self-contained first.</summary>
    internal static IEnumerable<string> Candidates()
    {
        var names = OperatingSystem.IsWindows() ? ["librdkafka.dll"]
            : OperatingSystem.IsMacOS() ? ["librdkafka.dylib"]
            : new[] { "centos8-librdkafka.so", "librdkafka.so", "alpine-librdkafka.so" };
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var rid = $"{os}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        var roots = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(Library).Assembly.Location) }
            .Where(r => !string.IsNullOrEmpty(r))
            .Distinct(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            foreach (var name in names)
            {
                yield return Path.Combine(root!, "runtimes", rid, "native", name);
                yield return Path.Combine(root!, name);
            }
        }
    }

    // Confluent.Kafka binds its imports lazily by name: "librdkafka" (and variant names) must resolve to
    // the handle we chose, and "libdl" to the versioned glibc name so that Library.Load works at all.
    private static void Install(IntPtr handle, string path)
    {
        var assembly = typeof(Library).Assembly;
        try
        {
            NativeLibrary.SetDllImportResolver(assembly, (name, asm, searchPath) => Resolve(name, asm, searchPath, handle));
        }
        catch (InvalidOperationException)
        {
            // The host already installed a resolver for Confluent.Kafka: trust it.
        }

        Library.Load(path);
        _handle = handle;
        _path = path;
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath, IntPtr librdkafka)
    {
        if (name.Contains("rdkafka", StringComparison.Ordinal))
        {
            return librdkafka;
        }

        if (string.Equals(name, "libdl", StringComparison.Ordinal) && OperatingSystem.IsLinux())
        {
            return NativeLibrary.TryLoad("libdl.so.2", out var dl) ? dl : NativeLibrary.TryLoad("libc.so.6", out var libc) ? libc : IntPtr.Zero;
        }

        return NativeLibrary.TryLoad(name, assembly, searchPath, out var other) ? other : IntPtr.Zero;
    }

    // After Confluent.Kafka loaded the library by itself we still need its handle. On Linux the file is
    // read from the process's mappings, and loading the same file again returns the same handle (the
    // loader matches it by device and inode), so no second copy is ever created.
    private static (IntPtr Handle, string? Path) FindLoadedLibrary()
    {
        if (OperatingSystem.IsLinux() && File.Exists("/proc/self/maps"))
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/', StringComparison.Ordinal);
                if (slash < 0)
                {
                    continue;
                }

                var file = line[slash..];
                if (Path.GetFileName(file).Contains("rdkafka", StringComparison.Ordinal) && !file.EndsWith(" (deleted)", StringComparison.Ordinal))
                {
                    return (NativeLibrary.Load(file), file);
                }
            }
        }

        foreach (var candidate in Candidates())
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
            {
                return (handle, candidate);
            }
        }

        return (NativeLibrary.Load("librdkafka", typeof(Library).Assembly, null), null);
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? message : message[..newline]).Trim();
    }
}
