namespace ItOpsStream.Engine.Telemetry;

public sealed partial class TelemetryDecoder
{
    // Enum words are matched ASCII case-insensitively ("CRITICAL", "Warn"). The aliases are the words
    // common monitoring tools use (syslog, PagerDuty, Zabbix, Nagios, log4j/serilog); docs/FORMATS.md lists them.

    private static bool TryParseKind(ReadOnlySpan<byte> text, out TelemetryKind kind)
    {
        Span<char> lower = stackalloc char[16];
        switch (Lower(text, lower))
        {
            case "event": kind = TelemetryKind.Event; return true;
            case "metric": kind = TelemetryKind.Metric; return true;
            case "log": kind = TelemetryKind.Log; return true;
            case "change": kind = TelemetryKind.Change; return true;
            default: kind = default; return false;
        }
    }

    private static bool TryParseSeverity(ReadOnlySpan<byte> text, out Severity severity)
    {
        Span<char> lower = stackalloc char[16];
        switch (Lower(text, lower))
        {
            case "critical" or "crit" or "fatal" or "emergency" or "emerg" or "alert" or "disaster":
                severity = Severity.Critical;
                return true;
            case "major" or "error" or "err" or "high":
                severity = Severity.Major;
                return true;
            case "minor" or "average" or "medium" or "moderate":
                severity = Severity.Minor;
                return true;
            case "warning" or "warn" or "low":
                severity = Severity.Warning;
                return true;
            case "info" or "informational" or "information" or "notice":
                severity = Severity.Info;
                return true;
            default:
                severity = default;
                return false;
        }
    }

    private static bool TryParseStatus(ReadOnlySpan<byte> text, out AlertStatus status)
    {
        Span<char> lower = stackalloc char[16];
        switch (Lower(text, lower))
        {
            case "firing" or "fire" or "triggered" or "trigger" or "problem" or "open" or "active":
                status = AlertStatus.Firing;
                return true;
            case "resolved" or "resolve" or "ok" or "recovered" or "recovery" or "cleared" or "clear" or "closed":
                status = AlertStatus.Resolved;
                return true;
            default:
                status = default;
                return false;
        }
    }

    private static LogLevel ParseLevel(ReadOnlySpan<byte> text)
    {
        Span<char> lower = stackalloc char[16];
        return Lower(text, lower) switch
        {
            "trace" or "verbose" or "finest" or "finer" or "t" or "v" => LogLevel.Trace,
            "debug" or "dbg" or "fine" or "d" => LogLevel.Debug,
            "info" or "information" or "informational" or "notice" or "i" => LogLevel.Info,
            "warn" or "warning" or "w" => LogLevel.Warn,
            "error" or "err" or "severe" or "e" => LogLevel.Error,
            "fatal" or "critical" or "crit" or "alert" or "emerg" or "emergency" or "panic" or "f" or "c" => LogLevel.Fatal,
            _ => LogLevel.Unknown,
        };
    }

    /// <summary>ASCII-lowercases <paramref name="text"/> into <paramref name="buffer"/>; empty when it is too long or not ASCII (no alias is).</summary>
    private static ReadOnlySpan<char> Lower(ReadOnlySpan<byte> text, Span<char> buffer)
    {
        if (text.Length > buffer.Length)
        {
            return default;
        }

        for (int i = 0; i < text.Length; i++)
        {
            byte b = text[i];
            if (b >= 0x80)
            {
                return default;
            }

            buffer[i] = (char)(b is >= (byte)'A' and <= (byte)'Z' ? b + 32 : b);
        }

        return buffer[..text.Length];
    }
}
