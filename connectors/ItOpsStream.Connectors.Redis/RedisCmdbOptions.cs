namespace ItOpsStream.Connectors.Redis;

/// <summary>
/// How the CMDB is kept in Redis. Immutable; <see cref="Default"/> suits one tenant on a local Redis.
/// Query parameters of the Redis URL (<c>prefix</c>, <c>ca</c>, <c>cert</c>, <c>key</c>) override the
/// matching properties, so one URL string can carry a whole store configuration.
/// </summary>
public sealed record RedisCmdbOptions
{
    public static RedisCmdbOptions Default { get; } = new();

    /// <summary>
    /// Prefix of every key (default <c>itops:cmdb:</c>): one prefix per tenant or environment. On Redis
    /// Cluster give it a hash tag (<c>{tenant-a}:cmdb:</c>) so the keys of one CMDB share a slot, which
    /// the atomic change script needs.
    /// </summary>
    public string KeyPrefix { get; init; } = "itops:cmdb:";

    /// <summary>
    /// Approximate length the change stream is trimmed to (XADD MAXLEN ~; default 100 000). A process
    /// that fell further behind than this reloads the whole topology instead of replaying.
    /// </summary>
    public int ChangeStreamMaxLength { get; init; } = 100_000;

    /// <summary>Hash fields written per HSET during an import (default 1 000).</summary>
    public int WriteBatchSize { get; init; } = 1_000;

    /// <summary>Import batches in flight at once on the pipelined connection (default 16).</summary>
    public int MaxBatchesInFlight { get; init; } = 16;

    /// <summary>Bucket hashes requested at once (HGETALL) during a full load, while earlier ones are decoded (default 8).</summary>
    public int LoadBucketsInFlight { get; init; } = 8;

    /// <summary>Most change-feed entries read per XREAD (default 1 000).</summary>
    public int ChangeReadCount { get; init; } = 1_000;

    /// <summary>Timeout of connecting and of each command (default 10 s).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>PEM file of the CA that signed the server's certificate, for <c>rediss://</c> with a private CA; null trusts the system store.</summary>
    public string? TlsCaCertificatePath { get; init; }

    /// <summary>PEM client certificate for servers that require mutual TLS (<c>tls-auth-clients yes</c>).</summary>
    public string? TlsClientCertificatePath { get; init; }

    /// <summary>PEM private key of <see cref="TlsClientCertificatePath"/>; null when the certificate file holds it.</summary>
    public string? TlsClientKeyPath { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid property.</summary>
    public RedisCmdbOptions Validate()
    {
        if (string.IsNullOrEmpty(KeyPrefix) || KeyPrefix.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"KeyPrefix must be non-empty without whitespace, got '{KeyPrefix}'", nameof(KeyPrefix));
        }

        Positive(ChangeStreamMaxLength, nameof(ChangeStreamMaxLength));
        Positive(WriteBatchSize, nameof(WriteBatchSize));
        Positive(MaxBatchesInFlight, nameof(MaxBatchesInFlight));
        Positive(LoadBucketsInFlight, nameof(LoadBucketsInFlight));
        Positive(ChangeReadCount, nameof(ChangeReadCount));
        if (CommandTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"CommandTimeout must be positive, got {CommandTimeout}", nameof(CommandTimeout));
        }

        if (TlsClientKeyPath is not null && TlsClientCertificatePath is null)
        {
            throw new ArgumentException("TlsClientKeyPath needs TlsClientCertificatePath", nameof(TlsClientKeyPath));
        }

        return this;
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{name} must be positive, got {value}", name);
        }
    }
}
