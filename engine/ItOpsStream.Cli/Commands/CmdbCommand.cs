using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ItOpsStream.Connectors.Redis;
using ItOpsStream.Engine.Topology;
using ItOpsStream.Engine.Topology.ServiceNow;
using StackExchange.Redis;

namespace ItOpsStream.Cli.Commands;

/// <summary>
/// <c>itopsstream cmdb import|export|stats</c>: the CMDB topology in Redis (docs/CMDB.md).
/// </summary>
internal static class CmdbCommand
{
    private static readonly Option<string> RedisUrl = new("--redis")
    {
        Description = "Redis URL: redis://[user:password@]host[:port][/db][?prefix=P], rediss://… for TLS",
        Required = true,
    };

    private static readonly Option<string?> Prefix = new("--prefix") { Description = "Key prefix of the CMDB (one per tenant); default itops:cmdb:" };
    private static readonly Option<FileInfo?> TlsCa = new("--tls-ca") { Description = "PEM CA certificate that signed the server's certificate (rediss://)" };
    private static readonly Option<FileInfo?> TlsCert = new("--tls-cert") { Description = "PEM client certificate for mutual TLS (rediss://)" };
    private static readonly Option<FileInfo?> TlsKey = new("--tls-key") { Description = "PEM private key of --tls-cert when not in the same file" };

    public static Command Create()
    {
        var command = new Command("cmdb", "The CMDB topology in Redis: import, apply change records, export, stats.");
        command.Subcommands.Add(Import());
        command.Subcommands.Add(Apply());
        command.Subcommands.Add(Export());
        command.Subcommands.Add(Stats());
        return command;
    }

    private static Command Import()
    {
        var from = new Option<FileInfo>("--from") { Description = "Topology JSON (CONTRACTS §1) or a ServiceNow cmdb_ci CSV export", Required = true };
        var format = new Option<string?>("--format") { Description = "json or servicenow; default from the file extension (.csv is servicenow)" };
        format.AcceptOnlyFromAmong("json", "servicenow");
        var rel = new Option<FileInfo?>("--rel") { Description = "ServiceNow cmdb_rel_ci CSV export (parent, child, type)" };
        var ciId = new Option<string>("--ci-id") { Description = "ServiceNow column that becomes the CI id: sys_id or name", DefaultValueFactory = _ => "sys_id" };
        ciId.AcceptOnlyFromAmong("sys_id", "name");
        var replace = new Option<bool>("--replace") { Description = "Make the CMDB exactly the input (CIs and relations not in it are removed); default merges" };
        var command = new Command("import", "Import a topology into Redis: batched, pipelined, idempotent; running engines reload it.")
        {
            from, format, rel, ciId, replace, RedisUrl, Prefix, TlsCa, TlsCert, TlsKey,
        };
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(from)!;
            var relFile = parse.GetValue(rel);
            string kind = parse.GetValue(format) ?? (file.Extension.Equals(".csv", StringComparison.OrdinalIgnoreCase) ? "servicenow" : "json");
            if (relFile is not null && kind != "servicenow")
            {
                throw new CliInputException("--rel is for the ServiceNow format (a cmdb_rel_ci CSV); topology JSON holds its relations");
            }

            var document = ReadTopology(file, relFile, kind, parse.GetValue(ciId) == "name" ? ServiceNowCiId.Name : ServiceNowCiId.SysId);
            return await WithStoreAsync(parse, async store =>
            {
                var watch = Stopwatch.StartNew();
                var mode = parse.GetValue(replace) ? CmdbImportMode.Replace : CmdbImportMode.Merge;
                CmdbImportResult result;
                try
                {
                    result = await store.ImportAsync(document, mode, ct).ConfigureAwait(false);
                }
                catch (ArgumentException ex)
                {
                    throw new CliInputException($"{file.Name}: {ex.Message}");
                }

                if (document.Warnings.Count > 0)
                {
                    // Tolerated problems (a relation to an undeclared CI): imported, but worth a look.
                    parse.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{document.Warnings.Count} warnings, first: {document.Warnings[0]}"));
                }

                parse.InvocationConfiguration.Output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"imported {result.Cis} CIs and {result.Relations} relations into {store.Url} (prefix {store.Options.KeyPrefix}, {mode.ToString().ToLowerInvariant()}): version {result.Version}, {watch.Elapsed.TotalSeconds:0.0} s"));
                return CliApp.ExitOk;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Apply()
    {
        var changes = new Option<FileInfo>("--changes") { Description = "JSON Lines of CMDB change records (CONTRACTS §1 with \"op\": \"upsert\" | \"delete\"), as on the itops.cmdb topic", Required = true };
        var command = new Command("apply", "Apply CMDB change records to Redis, each atomically with its version and change-feed entry; running engines pick them up incrementally.")
        {
            changes, RedisUrl, Prefix, TlsCa, TlsCert, TlsKey,
        };
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(changes)!;
            var decoded = ReadChanges(file);
            return await WithStoreAsync(parse, async store =>
            {
                long version = await store.ApplyAsync(decoded, ct).ConfigureAwait(false);
                parse.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"applied {decoded.Count} changes to {store.Url} (prefix {store.Options.KeyPrefix}): version {version}"));
                return CliApp.ExitOk;
            }).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Decodes every line before anything is applied, so a bad line changes nothing.</summary>
    private static List<TopologyChange> ReadChanges(FileInfo file)
    {
        var decoder = new TopologyChangeDecoder();
        var result = new List<TopologyChange>();
        try
        {
            int line = 0;
            foreach (string text in File.ReadLines(file.FullName))
            {
                line++;
                if (string.IsNullOrWhiteSpace(text))
                {
                    continue;
                }

                if (!decoder.TryDecode(System.Text.Encoding.UTF8.GetBytes(text), out var change, out var error))
                {
                    throw new CliInputException($"{file.Name}:{line}: {error.Reason} ({error.ErrorClass})");
                }

                result.Add(change);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"cannot read {file.FullName}: {ex.Message}");
        }

        return result;
    }

    private static Command Export()
    {
        var output = new Option<FileInfo>("--out") { Description = "Topology JSON file to write (CONTRACTS §1)", Required = true };
        var command = new Command("export", "Write the CMDB in Redis as a topology JSON file (sorted, deterministic).")
        {
            output, RedisUrl, Prefix, TlsCa, TlsCert, TlsKey,
        };
        command.SetAction(async (parse, ct) => await WithStoreAsync(parse, async store =>
        {
            var file = parse.GetValue(output)!;
            var snapshot = await store.LoadAsync(ct).ConfigureAwait(false);
            try
            {
                await using var stream = new FileStream(file.FullName, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                TopologyJsonWriter.Write(snapshot.Document, stream);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliInputException($"cannot write {file.FullName}: {ex.Message}");
            }

            parse.InvocationConfiguration.Output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"exported {snapshot.Document.Cis.Count} CIs and {snapshot.Document.Relations.Count} relations (version {snapshot.Version}) to {file.Name}"));
            return CliApp.ExitOk;
        }).ConfigureAwait(false));
        return command;
    }

    private static Command Stats()
    {
        var command = new Command("stats", "Counts, version and memory of the CMDB in Redis.")
        {
            RedisUrl, Prefix, TlsCa, TlsCert, TlsKey,
        };
        command.SetAction(async (parse, _) => await WithStoreAsync(parse, async store =>
        {
            var stats = await store.GetStatsAsync().ConfigureAwait(false);
            var o = parse.InvocationConfiguration.Output;
            o.WriteLine($"redis: {store.Url}");
            o.WriteLine($"prefix: {store.Options.KeyPrefix}");
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cis: {stats.Cis}"));
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"relations: {stats.Relations}"));
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"version: {stats.Version}"));
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"change stream: {stats.ChangeStreamLength} entries, replayable from version {stats.OldestReplayableVersion?.ToString(CultureInfo.InvariantCulture) ?? "-"}"));
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"memory: {stats.MemoryBytes / (1024.0 * 1024.0):0.0} MiB"));
            return CliApp.ExitOk;
        }).ConfigureAwait(false));
        return command;
    }

    private static TopologyDocument ReadTopology(FileInfo file, FileInfo? relFile, string kind, ServiceNowCiId ciId)
    {
        try
        {
            return kind == "servicenow"
                ? ServiceNowCmdbReader.Load(file.FullName, relFile?.FullName, ciId)
                : TopologyFile.Load(file.FullName);
        }
        catch (FormatException ex)
        {
            throw new CliInputException(ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"cannot read {ex switch { FileNotFoundException f => f.FileName, _ => file.FullName }}: {ex.Message}");
        }
    }

    /// <summary>Connects, runs <paramref name="action"/>, and turns an unreachable or refusing Redis into one line and exit 1.</summary>
    private static async Task<int> WithStoreAsync(ParseResult parse, Func<RedisTopologyStore, Task<int>> action)
    {
        var options = RedisCmdbOptions.Default with
        {
            TlsCaCertificatePath = parse.GetValue(TlsCa)?.FullName,
            TlsClientCertificatePath = parse.GetValue(TlsCert)?.FullName,
            TlsClientKeyPath = parse.GetValue(TlsKey)?.FullName,
        };
        if (parse.GetValue(Prefix) is { } prefix)
        {
            options = options with { KeyPrefix = prefix };
        }

        string url = parse.GetValue(RedisUrl)!;
        RedisTopologyStore store;
        try
        {
            store = await RedisTopologyStore.ConnectAsync(url, options).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw new CliInputException(ex.Message);
        }

        await using (store.ConfigureAwait(false))
        {
            try
            {
                await store.PingAsync().ConfigureAwait(false);
                return await action(store).ConfigureAwait(false);
            }
            catch (RedisException ex)
            {
                // The client's messages carry a page of diagnostics; one line says what a user can act on.
                string reason = store.IsConnected ? FirstLine(ex.Message) : $"not reachable within {store.Options.CommandTimeout.TotalSeconds:0} s ({ex.GetType().Name})";
                parse.InvocationConfiguration.Error.WriteLine($"itopsstream: Redis {store.Url}: {reason}");
                return CliApp.ExitFailure;
            }
        }
    }

    private static string FirstLine(string text)
    {
        int nl = text.IndexOfAny(['\r', '\n']);
        return nl < 0 ? text : text[..nl];
    }
}
