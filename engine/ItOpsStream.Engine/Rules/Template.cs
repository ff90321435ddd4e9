using System.Text;

namespace ItOpsStream.Engine.Rules;

/// <summary>
/// A remediation parameter template: literal text with <c>{{reference}}</c> holes, nothing else (no
/// expressions, no code). References: <c>ci.id</c>, <c>ci.name</c>, <c>ci.class</c>, <c>ci.owner</c>,
/// <c>ci.attributes.KEY</c>, <c>labels.KEY</c> (of the triggering alert), <c>alert.check</c>,
/// <c>alert.fingerprint</c>, <c>alert.severity</c>, <c>incident.id</c>, <c>incident.priority</c>,
/// <c>incident.title</c>. A value that is absent renders as the empty string.
/// </summary>
public sealed class Template
{
    private static readonly string[] Fixed = ["ci.id", "ci.name", "ci.class", "ci.owner", "alert.check", "alert.fingerprint", "alert.severity", "incident.id", "incident.priority", "incident.title"];

    // Alternating literal, reference, literal, …; always odd length.
    private readonly string[] _parts;

    private Template(string text, string[] parts)
    {
        Text = text;
        _parts = parts;
    }

    public string Text { get; }

    /// <summary>Parses a template; a <see cref="MatcherFormatException"/> carries the offset of a bad reference.</summary>
    public static Template Parse(string text)
    {
        var parts = new List<string>();
        int i = 0;
        while (true)
        {
            int open = text.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(text[i..]);
                break;
            }

            int close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new MatcherFormatException(open, "'{{' without '}}'");
            }

            string reference = text[(open + 2)..close].Trim();
            if (!IsKnown(reference))
            {
                throw new MatcherFormatException(open, $"unknown template reference '{reference}' (use ci.id, ci.name, ci.class, ci.owner, ci.attributes.KEY, labels.KEY, alert.check, alert.fingerprint, alert.severity, incident.id, incident.priority, incident.title)");
            }

            parts.Add(text[i..open]);
            parts.Add(reference);
            i = close + 2;
        }

        return new Template(text, [.. parts]);
    }

    /// <summary>Renders with <paramref name="lookup"/> giving each reference's value (null renders as empty).</summary>
    public string Render(Func<string, string?> lookup)
    {
        if (_parts.Length == 1)
        {
            return _parts[0];
        }

        var text = new StringBuilder();
        for (int i = 0; i < _parts.Length; i++)
        {
            text.Append(i % 2 == 0 ? _parts[i] : lookup(_parts[i]));
        }

        return text.ToString();
    }

    private static bool IsKnown(string reference) =>
        Array.IndexOf(Fixed, reference) >= 0
        || (reference.StartsWith("labels.", StringComparison.Ordinal) && reference.Length > "labels.".Length)
        || (reference.StartsWith("ci.attributes.", StringComparison.Ordinal) && reference.Length > "ci.attributes.".Length);

    public override string ToString() => Text;
}
