using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ItOpsStream.Models.Logs;

public sealed partial class LogTemplateMiner
{
    private const int SnapshotVersion = 1;

    // Templates are full of '<', '>' and quotes: keep them readable in the file (it is never embedded in HTML).
    private static readonly SnapshotJsonContext Json = new(new JsonSerializerOptions(SnapshotJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>
    /// Writes the whole miner state as UTF-8 JSON (clusters, template ids, aliases of merged ids, counters), so a
    /// restarted miner keeps the same ids. The exact-shape cache is not saved: it refills on use.
    /// </summary>
    public void Save(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var clusters = _byLength.Values.SelectMany(b => b).OrderBy(c => c.Id).Select(c => new ClusterDto(
            c.Id,
            c.Template.Id,
            [.. c.Tokens.Select(t => t == Wildcard ? null : _wordTexts[t])],
            c.Count,
            c.LastSeen,
            c.Candidates?.Where(p => p.Value.Count > 0).ToDictionary(
                p => p.Key,
                p => (IReadOnlyList<string>)[.. p.Value.Order().Select(v => _wordTexts[v])])));
        var dto = new SnapshotDto(
            SnapshotVersion,
            _nextTemplateId,
            _nextClusterId,
            _sequence,
            [.. clusters],
            new SortedDictionary<int, int>(_aliases));
        JsonSerializer.Serialize(destination, dto, Json.SnapshotDto);
    }

    /// <summary>Rebuilds a miner from <see cref="Save"/> output.</summary>
    /// <exception cref="InvalidDataException">The snapshot is malformed or of another version.</exception>
    public static LogTemplateMiner Load(Stream source, LogMinerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        SnapshotDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(source, Json.SnapshotDto);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"log miner snapshot is not valid JSON: {ex.Message}", ex);
        }

        if (dto is null || dto.Version != SnapshotVersion)
        {
            throw new InvalidDataException($"log miner snapshot version {dto?.Version} is not supported (expected {SnapshotVersion})");
        }

        var miner = new LogTemplateMiner(options);
        miner.Restore(dto);
        return miner;
    }

    private void Restore(SnapshotDto dto)
    {
        foreach (var c in dto.Clusters ?? [])
        {
            if (c.Tokens is null)
            {
                throw new InvalidDataException($"log miner snapshot: cluster {c.Id} has no tokens");
            }

            var ids = c.Tokens.Select(t => t is null ? Wildcard : Intern(t)).ToArray();
            var cluster = new Cluster(c.Id, ids) { Count = c.Count, LastSeen = c.LastSeen };
            if (c.Candidates is not null)
            {
                cluster.Candidates = c.Candidates.ToDictionary(p => p.Key, p => p.Value.Select(v => Intern(v)).ToHashSet());
            }

            if (!_templates.TryGetValue(c.TemplateId, out var template))
            {
                template = new Template(c.TemplateId);
                _templates[template.Id] = template;
            }

            cluster.Template = template;
            template.Clusters.Add(cluster);
            template.Count += c.Count;
            if (!_byLength.TryGetValue(ids.Length, out var bucket))
            {
                bucket = [];
                _byLength[ids.Length] = bucket;
            }

            bucket.Add(cluster);
            _liveClusters++;
            string? skeleton = Skeleton(ids);
            if (skeleton is not null)
            {
                _bySkeleton.TryAdd(skeleton, template);
            }
        }

        foreach (var (alias, target) in dto.Aliases ?? new Dictionary<int, int>())
        {
            _aliases[alias] = target;
        }

        _nextTemplateId = Math.Max(dto.NextTemplateId, _templates.Count == 0 ? 1 : _templates.Keys.Max() + 1);
        _nextClusterId = Math.Max(dto.NextClusterId, _liveClusters == 0 ? 1 : _byLength.Values.SelectMany(b => b).Max(c => c.Id) + 1);
        _sequence = dto.Sequence;
    }

    internal sealed record SnapshotDto(
        int Version,
        int NextTemplateId,
        int NextClusterId,
        long Sequence,
        IReadOnlyList<ClusterDto>? Clusters,
        IDictionary<int, int>? Aliases);

    internal sealed record ClusterDto(
        int Id,
        int TemplateId,
        IReadOnlyList<string?>? Tokens,
        long Count,
        long LastSeen,
        IDictionary<int, IReadOnlyList<string>>? Candidates);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LogTemplateMiner.SnapshotDto))]
internal sealed partial class SnapshotJsonContext : JsonSerializerContext;
