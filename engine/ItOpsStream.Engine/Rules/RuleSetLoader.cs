using System.Globalization;
using ItOpsStream.Engine.Pipeline;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ItOpsStream.Engine.Rules;

/// <summary>
/// Reads a rules file (YAML, docs/RULES.md): the engine settings sections <c>alerts</c> and
/// <c>correlation</c> (see <see cref="SettingsFile"/>), <c>priority</c>, and the rule sections
/// <c>suppress</c>, <c>inhibit</c>, <c>grouping</c> and <c>remediation</c>.
/// </summary>
/// <remarks>
/// Strict and safe: nothing in the file is executed; an unknown key, a wrong type, a bad matcher,
/// regex, template, schedule or time zone is a <see cref="SettingsFormatException"/> whose one-line
/// message starts with <c>file:line:column:</c>, and unknown keys get a "did you mean" hint. Limits
/// bound the evaluation cost: <see cref="RuleSet.MaxRules"/> rules, <see cref="MatcherSet.MaxMatchers"/>
/// matchers per set, <see cref="Matcher.MaxRegexLength"/> characters per regex (compiled with the
/// non-backtracking engine).
/// </remarks>
public static class RuleSetLoader
{
    private static readonly string[] Sections = ["alerts", "correlation", "priority", "suppress", "inhibit", "grouping", "remediation"];

    /// <summary>Loads a rules file; throws <see cref="SettingsFormatException"/> (one line, with position) when it is invalid.</summary>
    public static RuleSet Load(string path, PipelineOptions? options = null)
    {
        using var reader = new StreamReader(path);
        return Parse(reader, path, options);
    }

    /// <summary>
    /// Loads a rules file without throwing: the hot-reload entry point. On failure
    /// <paramref name="error"/> says why (<c>file:line:column: what</c>) and the caller keeps its rules.
    /// </summary>
    public static bool TryLoad(string path, out RuleSet rules, out string error, PipelineOptions? options = null)
    {
        try
        {
            rules = Load(path, options);
            error = string.Empty;
            return true;
        }
        catch (SettingsFormatException ex)
        {
            error = ex.Message;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"{path}: cannot read: {ex.Message}";
        }

        rules = RuleSet.Empty;
        return false;
    }

    /// <summary>Parses YAML text, naming <paramref name="source"/> in errors.</summary>
    public static RuleSet Parse(TextReader yaml, string source, PipelineOptions? options = null)
    {
        options ??= PipelineOptions.Default;
        var stream = new YamlStream();
        try
        {
            stream.Load(yaml);
        }
        catch (YamlException ex)
        {
            throw new SettingsFormatException($"{source}:{ex.Start.Line}:{ex.Start.Column}: {ex.Message.Split('\n')[0].Trim()}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return RuleSet.Empty with { Options = options };
        }

        var r = new Reader(source);
        var root = r.Map(stream.Documents[0].RootNode, "the rules file");
        var suppressions = new List<SuppressionRule>();
        var inhibitions = new List<InhibitionRule>();
        var groupings = new List<GroupingRule>();
        var remediations = new List<RemediationRule>();
        IReadOnlyList<string>? matrix = null;
        bool reopenNew = false;
        foreach (var (keyNode, value) in root.Children)
        {
            string key = r.Key(keyNode);
            if (SettingsFile.ApplySection(key, value, source, options) is { } applied)
            {
                options = applied;
                continue;
            }

            switch (key)
            {
                case "priority":
                    matrix = ReadPriority(r, value);
                    break;
                case "suppress":
                    suppressions.AddRange(r.Items(value, key).Select(item => ReadSuppression(r, item)));
                    break;
                case "inhibit":
                    inhibitions.AddRange(r.Items(value, key).Select(item => ReadInhibition(r, item)));
                    break;
                case "grouping":
                    reopenNew = ReadGrouping(r, value, groupings);
                    break;
                case "remediation":
                    remediations.AddRange(r.Items(value, key).Select(item => ReadRemediation(r, item)));
                    break;
                default:
                    throw r.Unknown(keyNode, key, "section", Sections);
            }
        }

        int count = suppressions.Count + inhibitions.Count + groupings.Count + remediations.Count;
        if (count > RuleSet.MaxRules)
        {
            throw new SettingsFormatException($"{source}: {count} rules, more than the limit of {RuleSet.MaxRules}");
        }

        var correlation = options.Correlation;
        if (matrix is not null)
        {
            correlation = correlation with { PriorityMatrix = matrix };
        }

        if (reopenNew)
        {
            correlation = correlation with { ReopenGrace = TimeSpan.Zero };
        }

        options = options with { Correlation = correlation };
        try
        {
            options = options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new SettingsFormatException($"{source}: {ex.Message.Split('\n')[0].Trim()}");
        }

        return new RuleSet
        {
            Options = options,
            Suppressions = suppressions,
            Inhibitions = inhibitions,
            Groupings = groupings,
            Remediations = remediations,
        };
    }

    private static string[] ReadPriority(Reader r, YamlNode node)
    {
        string[] result = [];
        foreach (var (keyNode, value) in r.Map(node, "priority").Children)
        {
            string key = r.Key(keyNode);
            if (key != "matrix")
            {
                throw r.Unknown(keyNode, key, "priority setting", ["matrix"]);
            }

            var rows = r.Items(value, "matrix");
            if (rows.Count != 3)
            {
                throw r.Error(value, "'matrix' must have 3 rows (impact 1, 2, 3), each of 3 priorities (urgency 1, 2, 3)");
            }

            result = rows.SelectMany(row =>
            {
                var cells = r.Items(row, "matrix row");
                return cells.Count == 3
                    ? cells.Select(cell => r.Scalar(cell, "priority") is var p && p is "P1" or "P2" or "P3" or "P4" or "P5" ? p : throw r.Error(cell, $"priority must be P1..P5, not '{p}'"))
                    : throw r.Error(row, "each matrix row must list 3 priorities (urgency 1, 2, 3)");
            }).ToArray();
        }

        return result;
    }

    private static SuppressionRule ReadSuppression(Reader r, YamlNode node)
    {
        var map = r.Map(node, "a suppress rule");
        string name = $"suppress[{r.Position(node)}]";
        MatcherSet match = MatcherSet.Any;
        string? subtree = null;
        TimeZoneInfo zone = TimeZoneInfo.Utc;
        YamlNode? windowsNode = null;
        bool selects = false;
        foreach (var (keyNode, value) in map.Children)
        {
            string key = r.Key(keyNode);
            switch (key)
            {
                case "name": name = r.Scalar(value, key); break;
                case "match": match = r.Matchers(value); selects = true; break;
                case "ci_subtree": subtree = r.Scalar(value, key); selects = true; break;
                case "time_zone": zone = r.Zone(value); break;
                case "windows": windowsNode = value; break;
                default: throw r.Unknown(keyNode, key, "suppress key", ["name", "match", "ci_subtree", "windows", "time_zone"]);
            }
        }

        if (!selects)
        {
            throw r.Error(node, "a suppress rule needs 'match' or 'ci_subtree' (use match: '{}' to select every alert)");
        }

        var windows = windowsNode is null ? [] : r.Items(windowsNode, "windows").Select(w => ReadWindow(r, w, zone)).ToList();
        return new SuppressionRule(name, r.Position(node), match, subtree, windows);
    }

    private static Schedule ReadWindow(Reader r, YamlNode node, TimeZoneInfo zone)
    {
        var map = r.Map(node, "a window");
        var keys = map.Children.ToDictionary(p => r.Key(p.Key), p => p.Value, StringComparer.Ordinal);
        foreach (var (keyNode, _) in map.Children)
        {
            string key = r.Key(keyNode);
            if (key is not ("start" or "end" or "days" or "from" or "to" or "cron" or "duration"))
            {
                throw r.Unknown(keyNode, key, "window key", ["start", "end", "days", "from", "to", "cron", "duration"]);
            }
        }

        try
        {
            if (keys.TryGetValue("start", out var start))
            {
                var from = r.Time(start);
                var to = keys.TryGetValue("end", out var end) ? r.Time(end) : throw r.Error(node, "a one-off window needs 'end'");
                return to > from ? new OneOffSchedule(from, to) : throw r.Error(end, "'end' must be after 'start'");
            }

            if (keys.TryGetValue("cron", out var cron))
            {
                var duration = keys.TryGetValue("duration", out var d) ? r.Duration(d, "duration") : throw r.Error(node, "a cron window needs 'duration'");
                return new CronSchedule(r.Scalar(cron, "cron"), duration, zone);
            }

            if (keys.TryGetValue("days", out var days))
            {
                var set = r.Items(days, "days").Select(day => r.Day(day)).ToHashSet();
                var fromTime = keys.TryGetValue("from", out var f) ? r.TimeOfDay(f) : TimeSpan.Zero;
                var toTime = keys.TryGetValue("to", out var t) ? r.TimeOfDay(t) : TimeSpan.Zero;
                return new WeeklySchedule([new WeeklyRange(set, fromTime, toTime)], zone);
            }
        }
        catch (FormatException ex) when (ex is not SettingsFormatException)
        {
            throw r.Error(node, ex.Message);
        }

        throw r.Error(node, "a window is one of {start, end}, {days, from, to} or {cron, duration}");
    }

    private static InhibitionRule ReadInhibition(Reader r, YamlNode node)
    {
        var map = r.Map(node, "an inhibit rule");
        string name = $"inhibit[{r.Position(node)}]";
        var sources = new List<MatcherSet>();
        MatcherSet? target = null;
        IReadOnlyList<string> equal = [];
        var topology = InhibitTopology.None;
        int maxHops = 1;
        foreach (var (keyNode, value) in map.Children)
        {
            string key = r.Key(keyNode);
            switch (key)
            {
                case "name": name = r.Scalar(value, key); break;
                case "source": sources.Add(r.Matchers(value)); break;
                case "sources": sources.AddRange(r.Items(value, key).Select(r.Matchers)); break;
                case "target": target = r.Matchers(value); break;
                case "equal": equal = r.Items(value, key).Select(v => r.Scalar(v, key)).ToArray(); break;
                case "topology":
                    topology = r.Scalar(value, key) switch
                    {
                        "dependents" => InhibitTopology.Dependents,
                        "same_ci" => InhibitTopology.SameCi,
                        "none" => InhibitTopology.None,
                        var other => throw r.Error(value, $"'topology' must be dependents, same_ci or none, not '{other}'"),
                    };
                    break;
                case "max_hops": maxHops = r.Int(value, key, 1, 16); break;
                default: throw r.Unknown(keyNode, key, "inhibit key", ["name", "source", "sources", "target", "equal", "topology", "max_hops"]);
            }
        }

        if (sources.Count == 0 || target is null)
        {
            throw r.Error(node, "an inhibit rule needs 'source' (or 'sources') and 'target'");
        }

        if (sources.Count > 8)
        {
            throw r.Error(node, "at most 8 sources in one inhibit rule");
        }

        return new InhibitionRule(name, r.Position(node), sources, target, equal, topology, maxHops);
    }

    private static bool ReadGrouping(Reader r, YamlNode node, List<GroupingRule> rules)
    {
        bool reopenNew = false;
        foreach (var (keyNode, value) in r.Map(node, "grouping").Children)
        {
            string key = r.Key(keyNode);
            switch (key)
            {
                case "reopen":
                    reopenNew = r.Scalar(value, key) switch
                    {
                        "reopen" => false,
                        "new" => true,
                        var other => throw r.Error(value, $"'reopen' must be reopen or new, not '{other}'"),
                    };
                    break;
                case "rules":
                    rules.AddRange(r.Items(value, key).Select(item => ReadGroupingRule(r, item)));
                    break;
                default:
                    throw r.Unknown(keyNode, key, "grouping key", ["reopen", "rules"]);
            }
        }

        return reopenNew;
    }

    private static GroupingRule ReadGroupingRule(Reader r, YamlNode node)
    {
        var map = r.Map(node, "a grouping rule");
        string name = $"grouping[{r.Position(node)}]";
        MatcherSet match = MatcherSet.Any;
        IReadOnlyList<string> groupBy = [];
        int? maxAlerts = null;
        TimeSpan? maxDuration = null, lockAfter = null;
        foreach (var (keyNode, value) in map.Children)
        {
            string key = r.Key(keyNode);
            switch (key)
            {
                case "name": name = r.Scalar(value, key); break;
                case "match": match = r.Matchers(value); break;
                case "group_by": groupBy = r.Items(value, key).Select(v => r.Scalar(v, key)).ToArray(); break;
                case "max_alerts": maxAlerts = r.Int(value, key, 1, 1_000_000); break;
                case "max_duration": maxDuration = r.Duration(value, key); break;
                case "lock_after": lockAfter = r.Duration(value, key); break;
                default: throw r.Unknown(keyNode, key, "grouping rule key", ["name", "match", "group_by", "max_alerts", "max_duration", "lock_after"]);
            }
        }

        return new GroupingRule(name, r.Position(node), match, groupBy, maxAlerts, maxDuration, lockAfter);
    }

    private static RemediationRule ReadRemediation(Reader r, YamlNode node)
    {
        var map = r.Map(node, "a remediation rule");
        string name = $"remediation[{r.Position(node)}]";
        MatcherSet? alertMatch = null;
        MatcherSet incident = MatcherSet.Any;
        string? runbook = null;
        var target = RemediationTarget.RootCause;
        var parameters = new List<KeyValuePair<string, Template>>();
        TimeSpan dedup = TimeSpan.FromMinutes(30);
        RateLimit? perCi = null, perRunbook = null;
        bool approval = false;
        bool targetGiven = false;
        foreach (var (keyNode, value) in map.Children)
        {
            string key = r.Key(keyNode);
            switch (key)
            {
                case "name": name = r.Scalar(value, key); break;
                case "match": alertMatch = r.Matchers(value); break;
                case "incident": incident = r.Matchers(value, IncidentSubject.FieldNames); break;
                case "runbook": runbook = r.Scalar(value, key); break;
                case "target":
                    targetGiven = true;
                    target = r.Scalar(value, key) switch
                    {
                        "root_cause" => RemediationTarget.RootCause,
                        "alert" => RemediationTarget.Alert,
                        var other => throw r.Error(value, $"'target' must be root_cause or alert, not '{other}'"),
                    };
                    break;
                case "params":
                    foreach (var (paramKey, paramValue) in r.Map(value, key).Children)
                    {
                        parameters.Add(new(r.Key(paramKey), r.Template(paramValue)));
                    }

                    break;
                case "dedup_window": dedup = r.Duration(value, key); break;
                case "rate_limit":
                    foreach (var (limitKey, limitValue) in r.Map(value, key).Children)
                    {
                        switch (r.Key(limitKey))
                        {
                            case "per_ci": perCi = r.Rate(limitValue); break;
                            case "per_runbook": perRunbook = r.Rate(limitValue); break;
                            case var other: throw r.Unknown(limitKey, other, "rate_limit key", ["per_ci", "per_runbook"]);
                        }
                    }

                    break;
                case "requires_approval": approval = r.Bool(value, key); break;
                default: throw r.Unknown(keyNode, key, "remediation key", ["name", "match", "incident", "runbook", "target", "params", "dedup_window", "rate_limit", "requires_approval"]);
            }
        }

        if (runbook is null)
        {
            throw r.Error(node, "a remediation rule needs 'runbook'");
        }

        if (!targetGiven && alertMatch is not null)
        {
            target = RemediationTarget.Alert;
        }

        if (target == RemediationTarget.Alert && alertMatch is null)
        {
            throw r.Error(node, "target: alert needs 'match' (which alerts to act on)");
        }

        return new RemediationRule(name, r.Position(node), alertMatch, incident, runbook, target, parameters, dedup, perCi, perRunbook, approval);
    }

    /// <summary>Node readers that turn every problem into <c>file:line:column: what</c>.</summary>
    private sealed class Reader(string source)
    {
        public RulePosition Position(YamlNode node) => new(source, (int)node.Start.Line, (int)node.Start.Column);

        public SettingsFormatException Error(YamlNode node, string what) =>
            new($"{source}:{node.Start.Line}:{node.Start.Column}: {what}");

        public SettingsFormatException Unknown(YamlNode node, string key, string what, IReadOnlyList<string> known)
        {
            string? hint = known.Where(k => Distance(k, key) <= Math.Max(2, key.Length / 3)).OrderBy(k => Distance(k, key)).FirstOrDefault();
            return Error(node, hint is null
                ? $"unknown {what} '{key}' (supported: {string.Join(", ", known)})"
                : $"unknown {what} '{key}' (did you mean {hint}?)");
        }

        public YamlMappingNode Map(YamlNode node, string what) =>
            node as YamlMappingNode ?? throw Error(node, $"{what} must be a mapping of keys to values");

        public IReadOnlyList<YamlNode> Items(YamlNode node, string what) =>
            node is YamlSequenceNode sequence ? sequence.Children.ToArray() : throw Error(node, $"'{what}' must be a list");

        public string Key(YamlNode node) =>
            node is YamlScalarNode { Value: { } key } ? key : throw Error(node, "keys must be plain names");

        public string Scalar(YamlNode node, string what) =>
            node is YamlScalarNode { Value: { } value } ? value : throw Error(node, $"'{what}' must be a single value");

        public MatcherSet Matchers(YamlNode node) => Matchers(node, null);

        public MatcherSet Matchers(YamlNode node, string[]? allowedNames)
        {
            string text = Scalar(node, "matcher");
            MatcherSet set;
            try
            {
                set = MatcherSet.Parse(text);
            }
            catch (MatcherFormatException ex)
            {
                throw At(node, ex.Offset, $"bad matcher: {ex.Message}");
            }

            if (allowedNames is not null)
            {
                foreach (var matcher in set.Matchers)
                {
                    if (Array.IndexOf(allowedNames, matcher.Name) < 0)
                    {
                        throw Error(node, $"an incident matcher cannot test '{matcher.Name}' (supported: {string.Join(", ", allowedNames)})");
                    }
                }
            }

            return set;
        }

        public Template Template(YamlNode node)
        {
            string text = Scalar(node, "param");
            try
            {
                return Rules.Template.Parse(text);
            }
            catch (MatcherFormatException ex)
            {
                throw At(node, ex.Offset, ex.Message);
            }
        }

        public TimeSpan Duration(YamlNode node, string what)
        {
            string text = Scalar(node, what);
            return SettingsFile.TryParseDuration(text, out var d) && d > TimeSpan.Zero
                ? d
                : throw Error(node, $"'{what}' must be a positive duration like 90s, 10m or 2h, not '{text}'");
        }

        public int Int(YamlNode node, string what, int min, int max)
        {
            string text = Scalar(node, what);
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max
                ? v
                : throw Error(node, $"'{what}' must be an integer from {min} to {max}, not '{text}'");
        }

        public bool Bool(YamlNode node, string what) => Scalar(node, what) switch
        {
            "true" or "yes" => true,
            "false" or "no" => false,
            var other => throw Error(node, $"'{what}' must be true or false, not '{other}'"),
        };

        public RateLimit Rate(YamlNode node)
        {
            string text = Scalar(node, "rate limit");
            int slash = text.IndexOf('/', StringComparison.Ordinal);
            return slash > 0
                && int.TryParse(text[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count >= 1
                && SettingsFile.TryParseDuration(text[(slash + 1)..], out var period) && period > TimeSpan.Zero
                ? new RateLimit(count, period)
                : throw Error(node, $"a rate limit is COUNT/DURATION like 3/1h, not '{text}'");
        }

        public DateTimeOffset Time(YamlNode node)
        {
            string text = Scalar(node, "time");
            return DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) && (text.EndsWith('Z') || text.Length > 19 && text[^6] is '+' or '-')
                ? t
                : throw Error(node, $"'{text}' is not an RFC 3339 time with an offset (2026-11-25T22:00:00Z)");
        }

        public TimeSpan TimeOfDay(YamlNode node)
        {
            string text = Scalar(node, "time of day");
            return TimeSpan.TryParseExact(text, "hh\\:mm", CultureInfo.InvariantCulture, out var t) || text == "24:00" && (t = TimeSpan.FromDays(1)) > TimeSpan.Zero
                ? t
                : throw Error(node, $"'{text}' is not a time of day HH:MM");
        }

        public DayOfWeek Day(YamlNode node) => Scalar(node, "day").ToLowerInvariant() switch
        {
            "sun" or "sunday" => DayOfWeek.Sunday,
            "mon" or "monday" => DayOfWeek.Monday,
            "tue" or "tuesday" => DayOfWeek.Tuesday,
            "wed" or "wednesday" => DayOfWeek.Wednesday,
            "thu" or "thursday" => DayOfWeek.Thursday,
            "fri" or "friday" => DayOfWeek.Friday,
            "sat" or "saturday" => DayOfWeek.Saturday,
            var other => throw Error(node, $"'{other}' is not a day (mon … sun)"),
        };

        public TimeZoneInfo Zone(YamlNode node)
        {
            string id = Scalar(node, "time_zone");
            try
            {
                return TimeZoneInfo.FindSystemTimeZoneById(id);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                throw Error(node, $"unknown time zone '{id}' (use an IANA name like Europe/Berlin)");
            }
        }

        private SettingsFormatException At(YamlNode node, int offset, string what)
        {
            // Exact for one-line scalars; quoted styles start one character before the text.
            var scalar = (YamlScalarNode)node;
            int shift = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted ? 1 : 0;
            return new SettingsFormatException($"{source}:{node.Start.Line}:{node.Start.Column + shift + offset}: {what}");
        }

        private static int Distance(string a, string b)
        {
            var row = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++)
            {
                row[j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                int diagonal = row[0];
                row[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int above = row[j];
                    row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                    diagonal = above;
                }
            }

            return row[b.Length];
        }
    }
}
