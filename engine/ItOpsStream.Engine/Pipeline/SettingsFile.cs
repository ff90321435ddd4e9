using System.Globalization;
using ItOpsStream.Engine.Alerts;
using ItOpsStream.Engine.Correlation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ItOpsStream.Engine.Pipeline;

/// <summary>
/// Reads the engine settings of a rules file (YAML): the <c>alerts</c> section (fingerprint labels,
/// flapping, staleness) and the <c>correlation</c> section (window, hops, links, grace, change
/// lookback). Every key is optional; what is absent keeps its default. Durations are written
/// <c>500ms</c>, <c>90s</c>, <c>10m</c>, <c>2h</c>, <c>1d</c>, or a plain number of seconds.
/// </summary>
/// <remarks>
/// Strict: an unknown section or key, a wrong type or an invalid value is an error with the file,
/// line and column (<see cref="SettingsFormatException"/>), never silently ignored. Rule sections
/// (matchers, suppression, inhibition, grouping, remediation) are read by the rules engine.
/// </remarks>
public static class SettingsFile
{
    /// <summary>Loads <paramref name="path"/> and applies it on top of <paramref name="options"/>.</summary>
    public static PipelineOptions Load(string path, PipelineOptions options)
    {
        using var reader = new StreamReader(path);
        return Parse(reader, path, options);
    }

    /// <summary>Parses YAML text, naming <paramref name="sourceName"/> in errors.</summary>
    public static PipelineOptions Parse(TextReader yaml, string sourceName, PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stream = new YamlStream();
        try
        {
            stream.Load(yaml);
        }
        catch (YamlException ex)
        {
            throw new SettingsFormatException($"{sourceName}:{ex.Start.Line}:{ex.Start.Column}: {FirstLine(ex.Message)}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return options;
        }

        var root = Map(stream.Documents[0].RootNode, sourceName, "the file");
        foreach (var (keyNode, value) in root.Children)
        {
            string key = Key(keyNode, sourceName);
            options = key switch
            {
                "alerts" => options with { Alerts = ReadAlerts(Map(value, sourceName, key), sourceName, options.Alerts) },
                "correlation" => options with { Correlation = ReadCorrelation(Map(value, sourceName, key), sourceName, options.Correlation) },
                _ => throw Error(sourceName, keyNode, $"unknown section '{key}' (supported: alerts, correlation)"),
            };
        }

        try
        {
            return options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new SettingsFormatException($"{sourceName}: {FirstLine(ex.Message)}");
        }
    }

    /// <summary>
    /// Applies one top-level section (<c>alerts</c> or <c>correlation</c>) read by another loader of the
    /// same file (the rules loader); null when <paramref name="key"/> is not a settings section.
    /// </summary>
    internal static PipelineOptions? ApplySection(string key, YamlNode value, string source, PipelineOptions options) => key switch
    {
        "alerts" => options with { Alerts = ReadAlerts(Map(value, source, key), source, options.Alerts) },
        "correlation" => options with { Correlation = ReadCorrelation(Map(value, source, key), source, options.Correlation) },
        _ => null,
    };

    private static AlertOptions ReadAlerts(YamlMappingNode map, string source, AlertOptions alerts)
    {
        foreach (var (keyNode, value) in map.Children)
        {
            string key = Key(keyNode, source);
            alerts = key switch
            {
                "fingerprint_labels" => alerts with { FingerprintLabels = StringList(value, source, key) },
                "flap_threshold" => alerts with { FlapThreshold = Int(value, source, key, min: 2) },
                "flap_window" => alerts with { FlapWindow = Duration(value, source, key) },
                "stale_after" => alerts with { StaleAfter = Duration(value, source, key) },
                "resolved_retention" => alerts with { ResolvedRetention = Duration(value, source, key) },
                _ => throw Error(source, keyNode, $"unknown setting 'alerts.{key}' (supported: fingerprint_labels, flap_threshold, flap_window, stale_after, resolved_retention)"),
            };
        }

        return alerts;
    }

    private static CorrelationOptions ReadCorrelation(YamlMappingNode map, string source, CorrelationOptions correlation)
    {
        foreach (var (keyNode, value) in map.Children)
        {
            string key = Key(keyNode, source);
            correlation = key switch
            {
                "window" => correlation with { Window = Duration(value, source, key) },
                "max_hops" => correlation with { MaxHops = Int(value, source, key, min: 1, max: 16) },
                "shared_dependency_max_dependents" => correlation with { SharedDependencyMaxDependents = Int(value, source, key, min: 0) },
                "business_service_max_hops" => correlation with { BusinessServiceMaxHops = Int(value, source, key, min: 0, max: 16) },
                "upstream_lag" => correlation with { UpstreamLag = Duration(value, source, key) },
                "reopen_grace" => correlation with { ReopenGrace = Duration(value, source, key) },
                "change_lookback" => correlation with { ChangeLookback = Duration(value, source, key) },
                "max_changes_per_ci" => correlation with { MaxChangesPerCi = Int(value, source, key, min: 1) },
                "root_cause_max_hops" => correlation with { RootCauseMaxHops = Int(value, source, key, min: 1, max: 64) },
                "max_root_causes" => correlation with { MaxRootCauses = Int(value, source, key, min: 1) },
                "noise_probability" => correlation with { RootCause = correlation.RootCause with { NoiseProbability = Probability(value, source, key) } },
                "hop_propagation" => correlation with { RootCause = correlation.RootCause with { HopPropagation = Probability(value, source, key) } },
                "max_silent_evidence" => correlation with { RootCause = correlation.RootCause with { MaxSilentEvidence = Int(value, source, key, min: 0) } },
                _ => throw Error(source, keyNode, $"unknown setting 'correlation.{key}' (supported: window, max_hops, shared_dependency_max_dependents, business_service_max_hops, upstream_lag, reopen_grace, change_lookback, max_changes_per_ci, root_cause_max_hops, max_root_causes, noise_probability, hop_propagation, max_silent_evidence)"),
            };
        }

        return correlation;
    }

    /// <summary>Parses <c>500ms</c>, <c>90s</c>, <c>10m</c>, <c>2h</c>, <c>1d</c> or a number of seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        text = text.Trim();
        (string number, double unitMs) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 1.0),
            _ when text.EndsWith('s') => (text[..^1], 1000.0),
            _ when text.EndsWith('m') => (text[..^1], 60_000.0),
            _ when text.EndsWith('h') => (text[..^1], 3_600_000.0),
            _ when text.EndsWith('d') => (text[..^1], 86_400_000.0),
            _ => (text, 1000.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value < 0 || double.IsInfinity(value) || value * unitMs > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(Math.Round(value * unitMs));
        return true;
    }

    private static TimeSpan Duration(YamlNode node, string source, string key)
    {
        string text = Scalar(node, source, key);
        return TryParseDuration(text, out var duration)
            ? duration
            : throw Error(source, node, $"'{key}' must be a duration like 90s, 10m or 2h, not '{text}'");
    }

    private static int Int(YamlNode node, string source, string key, int min, int max = int.MaxValue)
    {
        string text = Scalar(node, source, key);
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw Error(source, node, $"'{key}' must be an integer from {min}{(max == int.MaxValue ? " up" : $" to {max}")}, not '{text}'");
    }

    private static double Probability(YamlNode node, string source, string key)
    {
        string text = Scalar(node, source, key);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0 && value < 1
            ? value
            : throw Error(source, node, $"'{key}' must be a probability strictly between 0 and 1, not '{text}'");
    }

    private static string[] StringList(YamlNode node, string source, string key) =>
        node is YamlSequenceNode sequence
            ? sequence.Children.Select(item => Scalar(item, source, key)).ToArray()
            : throw Error(source, node, $"'{key}' must be a list of label names");

    private static string Scalar(YamlNode node, string source, string key) =>
        node is YamlScalarNode { Value: { } value }
            ? value
            : throw Error(source, node, $"'{key}' must be a single value");

    private static YamlMappingNode Map(YamlNode node, string source, string what) =>
        node as YamlMappingNode ?? throw Error(source, node, $"{what} must be a mapping of keys to values");

    private static string Key(YamlNode node, string source) =>
        node is YamlScalarNode { Value: { } key } ? key : throw Error(source, node, "keys must be plain names");

    private static SettingsFormatException Error(string source, YamlNode node, string what) =>
        new($"{source}:{node.Start.Line}:{node.Start.Column}: {what}");

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}

/// <summary>A settings (rules) file that cannot be used; the message is one line, <c>file:line:column: what</c>.</summary>
public sealed class SettingsFormatException : FormatException
{
    public SettingsFormatException()
    {
    }

    public SettingsFormatException(string message)
        : base(message)
    {
    }

    public SettingsFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
