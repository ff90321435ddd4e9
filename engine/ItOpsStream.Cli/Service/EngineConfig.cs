using System.Collections;
using System.Globalization;
using ItOpsStream.Connectors.Kafka.Formats;
using ItOpsStream.Connectors.Kafka.Sinks;
using ItOpsStream.Connectors.Kafka.Source;
using ItOpsStream.Engine.Pipeline;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ItOpsStream.Cli.Service;

/// <summary>
/// The settings of <c>itopsstream run</c>: a YAML file, then environment variables
/// <c>ITOPS__SECTION__KEY</c> (e.g. <c>ITOPS__KAFKA__BOOTSTRAP</c>) over it. Everything is validated
/// before anything starts; the first problem is reported as one line naming the key.
/// </summary>
internal sealed record EngineConfig
{
    public const string EnvironmentPrefix = "ITOPS__";

    public required KafkaSourceOptions Source { get; init; }

    /// <summary>Connection of the sinks (topic left null: each sink sets its own).</summary>
    public required KafkaSinkOptions Sink { get; init; }

    public required string IncidentsTopic { get; init; }

    public required string DeadLetterTopic { get; init; }

    /// <summary>Where remediation triggers go (<c>itops.remediations</c> unless <c>kafka.remediations_topic</c> says otherwise).</summary>
    public string RemediationsTopic { get; init; } = KafkaSinks.RemediationsTopic;

    /// <summary>The rules file (docs/RULES.md, hot-reloaded); null: no rules, no remediation.</summary>
    public string? RulesFile { get; init; }

    /// <summary>The CMDB file (CONTRACTS §1); null when the topology is in Redis.</summary>
    public string? TopologyFile { get; init; }

    /// <summary>The CMDB in Redis (<c>redis://</c> or <c>rediss://</c> URL, docs/CMDB.md); null when it is a file.</summary>
    public string? TopologyRedisUrl { get; init; }

    /// <summary>The CMDB change topic (CONTRACTS §1 records with <c>op</c>); null: the feed is off.</summary>
    public string? CmdbTopic { get; init; }

    /// <summary>Consumer group of the CMDB feed when the topology is in Redis (one engine applies each change for all).</summary>
    public string CmdbGroupId { get; init; } = "itopsstream-cmdb";

    public required PipelineOptions Pipeline { get; init; }

    /// <summary>The models directory (<c>models promote --models-dir</c>), loaded at start and watched; null: no promoted models.</summary>
    public string? ModelsDirectory { get; init; }

    /// <summary>How often the models directory's manifest is polled for a higher version.</summary>
    public TimeSpan ModelsPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Reads and validates the configuration.</summary>
    /// <exception cref="CliInputException">One line: which key (or file position) is wrong and why.</exception>
    /// <param name="path">The YAML file.</param>
    /// <param name="environment">Environment variables (the process's when null).</param>
    /// <param name="topology">The <c>--topology</c> override: a file path (relative to the working directory) or a <c>redis://</c> URL.</param>
    public static EngineConfig Load(string path, IDictionary? environment = null, string? topology = null)
    {
        var values = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        ReadYaml(path, values);
        foreach (DictionaryEntry entry in environment ?? Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && entry.Value is string value)
            {
                values[name[EnvironmentPrefix.Length..].Replace("__", ".", StringComparison.Ordinal)] = value;
            }
        }

        if (!string.IsNullOrEmpty(topology))
        {
            values.Remove(TopologyFileKey);
            values.Remove(TopologyRedisKey);
            values[IsRedisUrl(topology) ? TopologyRedisKey : TopologyFileKey] = IsRedisUrl(topology) ? topology : Path.GetFullPath(topology);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return FromValues(values, directory);
    }

    /// <summary>Builds the configuration from flat <c>section.key</c> values.</summary>
    internal static EngineConfig FromValues(IReadOnlyDictionary<string, string> values, string baseDirectory)
    {
        var reader = new ConfigReader(values);
        var bootstrap = reader.Required("kafka.bootstrap");
        var client = reader.Map("kafka.client");
        var topics = reader.Map("kafka.topics");
        if (topics.Count == 0)
        {
            topics = new Dictionary<string, string>(KafkaSourceOptions.Default.Topics, StringComparer.Ordinal);
        }

        var formats = FormatOptions.Default;
        var amLabels = reader.List("formats.alertmanager_ci_labels");
        if (amLabels.Count > 0)
        {
            formats = formats with { AlertmanagerCiLabels = amLabels };
        }

        var otlp = reader.List("formats.otlp_ci_attributes");
        if (otlp.Count > 0)
        {
            // "service.name" or "service.name=svc:" (attribute = prefix).
            formats = formats with
            {
                OtlpCiAttributes = otlp.Select(a => a.Split('=', 2) is [var attr, var prefix] ? new CiAttributeRule(attr.Trim(), prefix.Trim()) : new CiAttributeRule(a.Trim())).ToList(),
            };
        }

        var source = KafkaSourceOptions.Default with
        {
            BootstrapServers = bootstrap,
            GroupId = reader.Optional("kafka.group_id") ?? KafkaSourceOptions.Default.GroupId,
            Topics = topics,
            ClientProperties = client,
            Formats = formats,
            MaxBatchSize = reader.Int("kafka.batch_size", KafkaSourceOptions.Default.MaxBatchSize),
            CommitInterval = reader.Millis("kafka.commit_interval_ms", KafkaSourceOptions.Default.CommitInterval),
            AutoOffsetReset = reader.Optional("kafka.auto_offset_reset") ?? KafkaSourceOptions.Default.AutoOffsetReset,
        };
        var sink = KafkaSinkOptions.Default with { BootstrapServers = bootstrap, ClientProperties = client };
        var pipeline = PipelineOptions.Default with
        {
            DecodeWorkers = reader.Int("pipeline.decode_workers", PipelineOptions.Default.DecodeWorkers),
            AlertShards = reader.Int("pipeline.alert_shards", PipelineOptions.Default.AlertShards),
            ChannelCapacity = reader.Int("pipeline.channel_capacity", PipelineOptions.Default.ChannelCapacity),
            AllowedLateness = reader.Millis("pipeline.allowed_lateness_ms", PipelineOptions.Default.AllowedLateness),
            // Live: a quiet stream must still time alerts and incidents out.
            IdleAdvanceAfter = reader.Millis("pipeline.idle_advance_ms", TimeSpan.FromSeconds(5)),
        };
        var topologyFile = reader.Optional(TopologyFileKey);
        var topologyRedis = reader.Optional(TopologyRedisKey);
        if (string.IsNullOrEmpty(topologyFile) == string.IsNullOrEmpty(topologyRedis))
        {
            throw new CliInputException($"config: topology: set exactly one of {TopologyFileKey} and {TopologyRedisKey} (or pass --topology FILE|redis://…)");
        }

        if (!string.IsNullOrEmpty(topologyRedis) && !IsRedisUrl(topologyRedis))
        {
            throw new CliInputException($"config: {TopologyRedisKey}: expected a redis:// or rediss:// URL");
        }

        var cmdbTopic = reader.Optional("kafka.cmdb_topic") ?? "itops.cmdb";
        var rulesFile = reader.Optional("rules");
        var modelsDir = reader.Optional("models.dir");
        var modelsPoll = reader.Millis("models.poll_interval_ms", TimeSpan.FromSeconds(2));
        if (modelsPoll < TimeSpan.FromMilliseconds(10))
        {
            throw new CliInputException("config: models.poll_interval_ms: must be at least 10");
        }
        var config = new EngineConfig
        {
            Source = source,
            Sink = sink,
            IncidentsTopic = reader.Optional("kafka.incidents_topic") ?? KafkaSinks.IncidentsTopic,
            DeadLetterTopic = reader.Optional("kafka.deadletter_topic") ?? KafkaSinks.DeadLetterTopic,
            RemediationsTopic = reader.Optional("kafka.remediations_topic") ?? KafkaSinks.RemediationsTopic,
            RulesFile = string.IsNullOrEmpty(rulesFile) ? null : Path.IsPathRooted(rulesFile) ? rulesFile : Path.Combine(baseDirectory, rulesFile),
            TopologyFile = string.IsNullOrEmpty(topologyFile) ? null : Path.IsPathRooted(topologyFile) ? topologyFile : Path.Combine(baseDirectory, topologyFile),
            TopologyRedisUrl = string.IsNullOrEmpty(topologyRedis) ? null : topologyRedis,
            CmdbTopic = cmdbTopic.Length == 0 ? null : cmdbTopic,
            CmdbGroupId = reader.Optional("kafka.cmdb_group_id") ?? source.GroupId + "-cmdb",
            Pipeline = pipeline,
            ModelsDirectory = string.IsNullOrEmpty(modelsDir) ? null : Path.IsPathRooted(modelsDir) ? modelsDir : Path.Combine(baseDirectory, modelsDir),
            ModelsPollInterval = modelsPoll,
        };
        reader.RejectUnknown();
        Validate("kafka", source.Validate);
        Validate("kafka", sink.Validate);
        Validate("pipeline", () => pipeline.Validate());
        if (config.TopologyFile is not null && !File.Exists(config.TopologyFile))
        {
            throw new CliInputException($"config: {TopologyFileKey}: {config.TopologyFile} does not exist");
        }

        if (config.RulesFile is not null && !File.Exists(config.RulesFile))
        {
            throw new CliInputException($"config: rules: {config.RulesFile} does not exist");
        }

        return config;
    }

    private const string TopologyFileKey = "topology.file";
    private const string TopologyRedisKey = "topology.redis";

    /// <summary>Whether a <c>--topology</c> value names Redis rather than a file.</summary>
    internal static bool IsRedisUrl(string value) =>
        value.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase);

    private static void Validate(string section, Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentException ex)
        {
            throw new CliInputException($"config: {section}: {ex.Message.Split(" (Parameter", 2)[0]}");
        }
    }

    private static void ReadYaml(string path, IDictionary<string, string> into)
    {
        if (!File.Exists(path))
        {
            throw new CliInputException($"config: {path} does not exist");
        }

        var stream = new YamlStream();
        try
        {
            using var text = File.OpenText(path);
            stream.Load(text);
        }
        catch (YamlException ex)
        {
            throw new CliInputException($"{path}:{ex.Start.Line}:{ex.Start.Column}: {ex.Message.Split('\n')[0].Trim()}");
        }

        if (stream.Documents.Count == 0)
        {
            return;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new CliInputException($"{path}: the top level must be a mapping (kafka:, topology:, …)");
        }

        Flatten(path, root, string.Empty, into);
    }

    private static void Flatten(string path, YamlNode node, string prefix, IDictionary<string, string> into)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? string.Empty;
                    Flatten(path, value, prefix.Length == 0 ? name : $"{prefix}.{name}", into);
                }

                break;
            case YamlSequenceNode list:
                for (int i = 0; i < list.Children.Count; i++)
                {
                    Flatten(path, list.Children[i], string.Create(CultureInfo.InvariantCulture, $"{prefix}.{i}"), into);
                }

                break;
            case YamlScalarNode scalar:
                into[prefix] = scalar.Value ?? string.Empty;
                break;
            default:
                throw new CliInputException($"{path}:{node.Start.Line}:{node.Start.Column}: {prefix}: unsupported YAML node");
        }
    }

    /// <summary>Typed reads over the flat values, remembering which keys were used so that typos are reported.</summary>
    private sealed class ConfigReader(IReadOnlyDictionary<string, string> values)
    {
        private static readonly string[] MapSections = ["kafka.topics", "kafka.client"];
        private static readonly string[] ListSections = ["formats.alertmanager_ci_labels", "formats.otlp_ci_attributes"];
        private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

        public string Required(string key) =>
            Optional(key) is { Length: > 0 } value ? value : throw new CliInputException($"config: {key}: required (set it in the file or as ITOPS__{key.Replace(".", "__", StringComparison.Ordinal).ToUpperInvariant()})");

        public string? Optional(string key)
        {
            _used.Add(key);
            return values.TryGetValue(key, out var value) ? value : null;
        }

        public int Int(string key, int fallback)
        {
            var text = Optional(key);
            return text is null ? fallback
                : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
                : throw new CliInputException($"config: {key}: '{text}' is not an integer");
        }

        public TimeSpan Millis(string key, TimeSpan fallback)
        {
            var text = Optional(key);
            return text is null ? fallback
                : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms >= 0 ? TimeSpan.FromMilliseconds(ms)
                : throw new CliInputException($"config: {key}: '{text}' is not a number of milliseconds");
        }

        public Dictionary<string, string> Map(string section)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in values)
            {
                if (key.StartsWith(section + ".", StringComparison.OrdinalIgnoreCase))
                {
                    result[key[(section.Length + 1)..]] = value;
                }
            }

            return result;
        }

        public List<string> List(string section) =>
            values.Where(kv => kv.Key.StartsWith(section + ".", StringComparison.OrdinalIgnoreCase))
                .OrderBy(kv => int.TryParse(kv.Key[(section.Length + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue)
                .Select(kv => kv.Value)
                .ToList();

        public void RejectUnknown()
        {
            foreach (var key in values.Keys)
            {
                if (_used.Contains(key) || MapSections.Concat(ListSections).Any(s => key.StartsWith(s + ".", StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                throw new CliInputException($"config: {key}: unknown setting (see docs/KAFKA.md for the keys)");
            }
        }
    }
}
