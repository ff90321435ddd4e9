using System.Globalization;
using StackExchange.Redis;

namespace ItOpsStream.Connectors.Redis;

/// <summary>
/// Parses <c>redis://[user:password@]host[:port][/db][?prefix=P&amp;ca=F&amp;cert=F&amp;key=F]</c>;
/// <c>rediss://</c> turns TLS on. User and password are percent-decoded and sent with AUTH (ACL user
/// when a user is given, the default user otherwise).
/// </summary>
internal static class RedisUrl
{
    public const int DefaultPort = 6379;

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line reason for a malformed URL.</summary>
    public static (ConfigurationOptions Redis, RedisCmdbOptions Cmdb) Parse(string url, RedisCmdbOptions options)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(options);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "redis" && uri.Scheme != "rediss") || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"invalid Redis URL '{Redact(url)}': expected redis://[user:password@]host[:port][/db] or rediss://…");
        }

        var config = new ConfigurationOptions
        {
            Ssl = uri.Scheme == "rediss",
            AbortOnConnectFail = false,
            ConnectTimeout = (int)options.CommandTimeout.TotalMilliseconds,
            SyncTimeout = (int)options.CommandTimeout.TotalMilliseconds,
            AsyncTimeout = (int)options.CommandTimeout.TotalMilliseconds,
            ClientName = "itopsstream-cmdb",
        };
        config.EndPoints.Add(uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host, uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port);
        if (config.Ssl)
        {
            config.SslHost = uri.Host;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            int colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            string user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            string? password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            if (password is null)
            {
                // redis://secret@host is the common shorthand for a password of the default user.
                password = user;
                user = string.Empty;
            }

            config.User = user.Length == 0 ? null : user;
            config.Password = password;
        }

        string path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out int db))
            {
                throw new ArgumentException($"invalid Redis URL '{Redact(url)}': database '{path}' is not a number");
            }

            config.DefaultDatabase = db;
        }

        var cmdb = options;
        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            string value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
            cmdb = name switch
            {
                "prefix" => cmdb with { KeyPrefix = value },
                "ca" => cmdb with { TlsCaCertificatePath = value },
                "cert" => cmdb with { TlsClientCertificatePath = value },
                "key" => cmdb with { TlsClientKeyPath = value },
                _ => throw new ArgumentException($"invalid Redis URL '{Redact(url)}': unknown parameter '{name}' (known: prefix, ca, cert, key)"),
            };
        }

        try
        {
            cmdb.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"invalid Redis options for '{Redact(url)}': {ex.Message}", ex);
        }

        if (!config.Ssl && (cmdb.TlsCaCertificatePath ?? cmdb.TlsClientCertificatePath) is not null)
        {
            throw new ArgumentException($"TLS certificate options given for '{Redact(url)}': use rediss:// to turn TLS on");
        }

        if (cmdb.TlsCaCertificatePath is { } ca)
        {
            RequireFile(ca, "CA certificate");
            config.TrustIssuer(ca);
        }

        if (cmdb.TlsClientCertificatePath is { } cert)
        {
            RequireFile(cert, "client certificate");
            if (cmdb.TlsClientKeyPath is { } key)
            {
                RequireFile(key, "client key");
            }

            config.SetUserPemCertificate(cert, cmdb.TlsClientKeyPath);
        }

        return (config, cmdb);
    }

    /// <summary>The URL without its password, for messages and logs.</summary>
    public static string Redact(string url)
    {
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        int at = url.LastIndexOf('@');
        if (scheme < 0 || at < scheme)
        {
            return url;
        }

        int colon = url.IndexOf(':', scheme + 3);
        return colon >= 0 && colon < at ? string.Concat(url.AsSpan(0, colon + 1), "***", url.AsSpan(at)) : string.Concat(url.AsSpan(0, scheme + 3), "***", url.AsSpan(at));
    }

    private static void RequireFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"{what} file not found: {path}");
        }
    }
}
