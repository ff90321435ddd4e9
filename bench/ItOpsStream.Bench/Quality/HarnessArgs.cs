using System.Globalization;

namespace ItOpsStream.Bench.Quality;

/// <summary>A minimal <c>--name value</c> parser for the harness modes; unknown options are errors.</summary>
internal sealed class HarnessArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private HarnessArgs()
    {
    }

    public static HarnessArgs Parse(string[] args, params string[] known)
    {
        var parsed = new HarnessArgs();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                throw new ArgumentException($"unknown option '{name}' (known: {string.Join(", ", known)})");
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"option '{name}' needs a value");
            }

            parsed._values[name] = args[++i];
        }

        return parsed;
    }

    public string Get(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public int GetInt(string name, int fallback) =>
        !_values.TryGetValue(name, out var text) ? fallback
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0 ? value
        : throw new ArgumentException($"option '{name}' needs a positive integer, got '{text}'");
}
