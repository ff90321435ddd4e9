using System.Text;
using System.Text.RegularExpressions;

namespace ItOpsStream.Engine.Rules;

/// <summary>The four Alertmanager matcher operators.</summary>
public enum MatchOp : byte
{
    /// <summary><c>=</c>: equal.</summary>
    Equal = 0,

    /// <summary><c>!=</c>: not equal.</summary>
    NotEqual = 1,

    /// <summary><c>=~</c>: the whole value matches the regex.</summary>
    Regex = 2,

    /// <summary><c>!~</c>: the whole value does not match the regex.</summary>
    NotRegex = 3,
}

/// <summary>
/// One matcher, <c>name="value"</c>, <c>name!="value"</c>, <c>name=~"regex"</c> or <c>name!~"regex"</c>.
/// As in Alertmanager, a name the subject does not have reads as the empty string, and regexes are
/// anchored at both ends. Regexes are compiled once, with the non-backtracking engine, so the cost of
/// a match is linear in the value's length whatever the pattern.
/// </summary>
public sealed class Matcher
{
    /// <summary>Longest regex accepted, in characters.</summary>
    public const int MaxRegexLength = 1024;

    private readonly Regex? _regex;

    internal Matcher(string name, MatchOp op, string value)
    {
        Name = name;
        Op = op;
        Value = value;
        if (op is MatchOp.Regex or MatchOp.NotRegex)
        {
            if (value.Length > MaxRegexLength)
            {
                throw new FormatException($"regex of '{name}' is longer than {MaxRegexLength} characters");
            }

            try
            {
                _regex = new Regex("^(?:" + value + ")$", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                throw new FormatException($"invalid regex for '{name}': {ex.Message.Split('\n')[0].Trim()}");
            }
        }
    }

    public string Name { get; }

    public MatchOp Op { get; }

    public string Value { get; }

    /// <summary>Whether the value (empty string when absent) satisfies the matcher.</summary>
    public bool Matches(string? value)
    {
        value ??= string.Empty;
        return Op switch
        {
            MatchOp.Equal => string.Equals(value, Value, StringComparison.Ordinal),
            MatchOp.NotEqual => !string.Equals(value, Value, StringComparison.Ordinal),
            MatchOp.Regex => _regex!.IsMatch(value),
            _ => !_regex!.IsMatch(value),
        };
    }

    /// <summary>True when the matcher holds for an absent name (the empty string).</summary>
    public bool MatchesEmpty => Matches(string.Empty);

    public override string ToString()
    {
        string op = Op switch
        {
            MatchOp.Equal => "=",
            MatchOp.NotEqual => "!=",
            MatchOp.Regex => "=~",
            _ => "!~",
        };
        return $"{Name}{op}\"{Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"";
    }
}

/// <summary>
/// A conjunction of matchers, written as in Alertmanager: <c>{check="CrashLoop", severity=~"critical|major"}</c>
/// (braces optional, values double-quoted with <c>\"</c>, <c>\\</c> and <c>\n</c> escapes, or bare when they
/// hold no separator). The empty set <c>{}</c> matches everything.
/// </summary>
public sealed class MatcherSet
{
    /// <summary>Most matchers in one set.</summary>
    public const int MaxMatchers = 32;

    public static MatcherSet Any { get; } = new([], "{}");

    // An array, not the interface: foreach over IReadOnlyList boxes an enumerator per call, and
    // this runs for every rule on every new alert.
    private readonly Matcher[] _matchers;

    private MatcherSet(Matcher[] matchers, string text)
    {
        _matchers = matchers;
        Text = text;
    }

    public IReadOnlyList<Matcher> Matchers => _matchers;

    /// <summary>The set as written in the rules file.</summary>
    public string Text { get; }

    /// <summary>True when every matcher holds for the subject's values.</summary>
    public bool Matches<TSubject>(in TSubject subject)
        where TSubject : IMatchSubject, allows ref struct
    {
        foreach (var matcher in _matchers)
        {
            if (!matcher.Matches(subject.Get(matcher.Name)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Parses a matcher set. Errors are <see cref="MatcherFormatException"/>s carrying the 0-based
    /// offset of the problem in <paramref name="text"/>, so the YAML loader can report line and column.
    /// </summary>
    public static MatcherSet Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var matchers = new List<Matcher>();
        int i = SkipSpace(text, 0);
        bool braces = i < text.Length && text[i] == '{';
        if (braces)
        {
            i++;
        }

        while (true)
        {
            i = SkipSpace(text, i);
            if (i >= text.Length || (braces && text[i] == '}'))
            {
                break;
            }

            int nameStart = i;
            string name;
            if (text[i] == '"')
            {
                name = ReadQuoted(text, ref i);
            }
            else
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.' or ':'))
                {
                    i++;
                }

                name = text[nameStart..i];
            }

            if (name.Length == 0)
            {
                throw new MatcherFormatException(nameStart, i < text.Length ? $"expected a label name, found '{text[i]}'" : "expected a label name");
            }

            i = SkipSpace(text, i);
            int opStart = i;
            MatchOp op = (Peek(text, i), Peek(text, i + 1)) switch
            {
                ('=', '~') => MatchOp.Regex,
                ('!', '=') => MatchOp.NotEqual,
                ('!', '~') => MatchOp.NotRegex,
                ('=', _) => MatchOp.Equal,
                _ => throw new MatcherFormatException(opStart, $"expected =, !=, =~ or !~ after '{name}'"),
            };
            i += op == MatchOp.Equal ? 1 : 2;
            i = SkipSpace(text, i);
            int valueStart = i;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                value = ReadQuoted(text, ref i);
            }
            else
            {
                while (i < text.Length && text[i] is not (',' or '}') && !char.IsWhiteSpace(text[i]))
                {
                    if (text[i] is '"' or '{' or '=' or '!' or '~')
                    {
                        throw new MatcherFormatException(i, $"unexpected '{text[i]}' in the value of '{name}' (quote values that hold it)");
                    }

                    i++;
                }

                value = text[valueStart..i];
            }

            try
            {
                matchers.Add(new Matcher(name, op, value));
            }
            catch (FormatException ex)
            {
                throw new MatcherFormatException(valueStart, ex.Message);
            }

            if (matchers.Count > MaxMatchers)
            {
                throw new MatcherFormatException(nameStart, $"more than {MaxMatchers} matchers in one set");
            }

            i = SkipSpace(text, i);
            if (i < text.Length && text[i] == ',')
            {
                i++;
                continue;
            }

            if (i < text.Length && !(braces && text[i] == '}'))
            {
                throw new MatcherFormatException(i, $"expected ',' or '{(braces ? "}" : "end")}' after the matcher on '{name}', found '{text[i]}'");
            }
        }

        if (braces)
        {
            if (i >= text.Length)
            {
                throw new MatcherFormatException(text.Length, "missing closing '}'");
            }

            i = SkipSpace(text, i + 1);
            if (i < text.Length)
            {
                throw new MatcherFormatException(i, $"unexpected text after '}}': '{text[i..]}'");
            }
        }

        return new MatcherSet([.. matchers], text.Trim());
    }

    private static char Peek(string text, int i) => i < text.Length ? text[i] : '\0';

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    private static string ReadQuoted(string text, ref int i)
    {
        int start = i;
        i++;
        var value = new StringBuilder();
        while (i < text.Length && text[i] != '"')
        {
            if (text[i] == '\\')
            {
                i++;
                value.Append(Peek(text, i) switch
                {
                    '"' => '"',
                    '\\' => '\\',
                    'n' => '\n',
                    _ => throw new MatcherFormatException(i - 1, "unknown escape (use \\\", \\\\ or \\n)"),
                });
            }
            else
            {
                value.Append(text[i]);
            }

            i++;
        }

        if (i >= text.Length)
        {
            throw new MatcherFormatException(start, "unterminated quoted string");
        }

        i++;
        return value.ToString();
    }

    public override string ToString() => Text;
}

/// <summary>A matcher that cannot be parsed; <see cref="Offset"/> is where in the text (0-based).</summary>
public sealed class MatcherFormatException : FormatException
{
    public MatcherFormatException()
    {
    }

    public MatcherFormatException(string message)
        : base(message)
    {
    }

    public MatcherFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MatcherFormatException(int offset, string message)
        : base(message) => Offset = offset;

    public int Offset { get; }
}

/// <summary>Something matchers test: returns the value of a name (alert field, label, CI attribute), null when absent.</summary>
public interface IMatchSubject
{
    string? Get(string name);
}
