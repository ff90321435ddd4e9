using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.Engine.Alerts;

/// <summary>
/// Stable 64-bit keys for telemetry records: the alert fingerprint of events and the series key of
/// metrics and logs. XxHash3 over the UTF-16 code units with a length prefix per field, so values
/// cannot run into each other; stable across processes and machines (unlike <see cref="string.GetHashCode()"/>),
/// which keeps derived fingerprints and shard routing the same everywhere.
/// </summary>
/// <remarks>Not thread-safe: one instance per worker.</remarks>
internal sealed class Fingerprints
{
    private const int DomainDedupKey = 1;
    private const int DomainDerived = 2;
    private const int DomainMetric = 3;
    private const int DomainLog = 4;

    private readonly XxHash3 _hash = new();
    private readonly string[]? _labelNames;

    /// <param name="fingerprintLabels">Labels included in derived fingerprints; null for all.</param>
    public Fingerprints(IReadOnlyList<string>? fingerprintLabels)
    {
        _labelNames = fingerprintLabels?.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// The routing key of a record: events by fingerprint, metrics and logs by ci (every metric of a CI
    /// in one shard, so a multivariate model sees the CI's whole vector). Changes are not routed (0).
    /// </summary>
    public ulong RouteKey(in TelemetryRecord record) => record.Kind switch
    {
        TelemetryKind.Event => record.DedupKey is { Length: > 0 } key ? Hash(DomainDedupKey, key) : Derived(record),
        TelemetryKind.Metric => Hash(DomainMetric, record.Ci, null),
        TelemetryKind.Log => Hash(DomainLog, record.Ci, null),
        _ => 0,
    };

    /// <summary>The hash of the identity of an event without <c>dedup_key</c>: source, ci, check and the configured labels.</summary>
    public ulong Derived(in TelemetryRecord record)
    {
        _hash.Reset();
        Append(DomainDerived);
        Append(record.Source);
        Append(record.Ci);
        Append(record.Check);
        foreach (var label in record.Labels.AsSpan())
        {
            if (_labelNames is null || Array.BinarySearch(_labelNames, label.Key, StringComparer.Ordinal) >= 0)
            {
                Append(label.Key);
                Append(label.Value);
            }
        }

        return _hash.GetCurrentHashAsUInt64();
    }

    /// <summary>The text form of a derived fingerprint, as written in incident records.</summary>
    public static string DerivedText(ulong hash) => "fp-" + hash.ToString("x16", CultureInfo.InvariantCulture);

    private ulong Hash(int domain, string? a, string? b = null)
    {
        _hash.Reset();
        Append(domain);
        Append(a);
        Append(b);
        return _hash.GetCurrentHashAsUInt64();
    }

    private void Append(int value) => _hash.Append(MemoryMarshal.AsBytes(new ReadOnlySpan<int>(in value)));

    private void Append(string? value)
    {
        // -1 for null keeps null and "" apart.
        Append(value?.Length ?? -1);
        if (value is { Length: > 0 })
        {
            _hash.Append(MemoryMarshal.AsBytes(value.AsSpan()));
        }
    }
}
