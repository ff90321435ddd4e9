namespace ItOpsStream.Models.Logs;

/// <summary>What the classifier decided for one token.</summary>
internal enum TokenKind : byte
{
    /// <summary>A constant candidate: kept as text.</summary>
    Word,

    /// <summary>A variable: the whole token becomes <c>&lt;*&gt;</c>.</summary>
    Variable,

    /// <summary>A <c>key=value</c> token whose value is variable: becomes <c>key=&lt;*&gt;</c>.</summary>
    KeyVariable,
}

/// <summary>One token of a message: a span of the message and its class.</summary>
/// <param name="Start">Offset of the first char in the message.</param>
/// <param name="Length">Length in chars.</param>
/// <param name="Kind">The class.</param>
/// <param name="KeyLength">For <see cref="TokenKind.KeyVariable"/>: chars of <c>key=</c> kept as text.</param>
internal readonly record struct LogToken(int Start, int Length, TokenKind Kind, int KeyLength = 0)
{
    public bool IsVariable => Kind != TokenKind.Word;
}

/// <summary>
/// Single pass tokenizer and classifier. Splits on white space and '|' (a quoted value after '=' stays whole), then decides per token, from one scan of
/// its chars, whether it is a variable: anything holding a digit (numbers, IPv4/IPv6 with ports, hex, UUIDs,
/// dates, times, durations, block ids, host names like dn228) except short
/// version-like words (en0, SOCKS5, ssh2), multi-segment paths, URLs and e-mail addresses. A unit right after a variable (12 ms, 3 KB)) joins it, so
/// "0 bytes" and "(1.2 KB)" vary as one value. No regex runs on this path.
/// </summary>
internal static class LogTokenizer
{
    public static int Tokenize(ReadOnlySpan<char> message, Span<LogToken> tokens, bool maskAllKeyValues)
    {
        int count = 0;
        int i = 0;
        int n = message.Length;
        while (i < n)
        {
            while (i < n && IsDelimiter(message[i]))
            {
                i++;
            }

            if (i >= n)
            {
                break;
            }

            int start = i;
            int end = -1;
            while (i < n && !IsDelimiter(message[i]))
            {
                // A dot leader inside a token separates a label from its value (instruction......0, depth.....12).
                if (message[i] == '.' && i > start && IsDotLeader(message, i, out int after))
                {
                    end = i;
                    i = after;
                    break;
                }

                // key="a quoted value" is one token, spaces and all: tag="View Lock" varies like tag="wakelock".
                if (message[i] == '"' && i > start && message[i - 1] == '=')
                {
                    int close = message[(i + 1)..].IndexOf('"');
                    if (close >= 0)
                    {
                        i += close + 1;
                    }
                }

                i++;
            }

            int tokenEnd = end >= 0 ? end : i;
            if (count == tokens.Length)
            {
                // Over the cap: the rest of the message joins the last token as one variable.
                var last = tokens[count - 1];
                tokens[count - 1] = new LogToken(last.Start, n - last.Start, TokenKind.Variable);
                TrimTrailingDelimiters(message, ref tokens[count - 1]);
                return count;
            }

            var token = Classify(message, start, tokenEnd - start, maskAllKeyValues);
            if (token.Kind == TokenKind.Word && count > 0 && tokens[count - 1].Kind == TokenKind.Variable && IsUnit(message.Slice(start, tokenEnd - start)))
            {
                var previous = tokens[count - 1];
                tokens[count - 1] = previous with { Length = tokenEnd - previous.Start };
                continue;
            }

            tokens[count++] = token;
        }

        MaskDateWords(message, tokens[..count]);
        return count;
    }

    /// <summary>
    /// Month and weekday names that are part of a date are variables like the day and time next to them ("at Sun Jul 10
    /// 03:55:15 2005", "Fri Jul 1"): a month next to a token starting with a digit, a weekday before such a month or
    /// digit. Elsewhere they stay words ("May I", "the Mon team").
    /// </summary>
    private static void MaskDateWords(ReadOnlySpan<char> message, Span<LogToken> tokens)
    {
        for (int k = 0; k < tokens.Length; k++)
        {
            if (tokens[k].Kind == TokenKind.Word && IsMonthName(DateWord(message, tokens[k]))
                && ((k > 0 && StartsWithDigit(message, tokens[k - 1])) || (k + 1 < tokens.Length && StartsWithDigit(message, tokens[k + 1]))))
            {
                tokens[k] = tokens[k] with { Kind = TokenKind.Variable };
            }
        }

        for (int k = 0; k + 1 < tokens.Length; k++)
        {
            if (tokens[k].Kind == TokenKind.Word && IsWeekdayName(DateWord(message, tokens[k]))
                && (StartsWithDigit(message, tokens[k + 1]) || (tokens[k + 1].Kind == TokenKind.Variable && IsMonthName(DateWord(message, tokens[k + 1])))))
            {
                tokens[k] = tokens[k] with { Kind = TokenKind.Variable };
            }
        }
    }

    private static ReadOnlySpan<char> DateWord(ReadOnlySpan<char> message, LogToken token) => message.Slice(token.Start, token.Length).TrimEnd(",.");

    private static bool StartsWithDigit(ReadOnlySpan<char> message, LogToken token) => token.Length > 0 && char.IsAsciiDigit(message[token.Start]);

    // The abbreviation (as a syslog header has it, IsMonth) or the full name; Sept and the like are rare enough to leave out.
    private static bool IsMonthName(ReadOnlySpan<char> word) => IsMonth(word) || IsFullName(word, Months);

    private static bool IsWeekdayName(ReadOnlySpan<char> word) =>
        word is "Mon" or "Tue" or "Wed" or "Thu" or "Fri" or "Sat" or "Sun" || IsFullName(word, Weekdays);

    private static bool IsFullName(ReadOnlySpan<char> word, string[] names)
    {
        if (word.Length is < 4 or > 9 || !char.IsAsciiLetterUpper(word[0]))
        {
            return false;
        }

        foreach (var name in names)
        {
            if (word.SequenceEqual(name))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly string[] Months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private static readonly string[] Weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    private static void TrimTrailingDelimiters(ReadOnlySpan<char> message, ref LogToken token)
    {
        int end = token.Start + token.Length;
        while (end > token.Start && IsDelimiter(message[end - 1]))
        {
            end--;
        }

        token = token with { Length = end - token.Start };
    }

    /// <summary>A run of at least three dots at <paramref name="i"/> with more of the token after it; <paramref name="after"/> is past the run.</summary>
    private static bool IsDotLeader(ReadOnlySpan<char> message, int i, out int after)
    {
        after = i;
        while (after < message.Length && message[after] == '.')
        {
            after++;
        }

        return after - i >= 3 && after < message.Length && !IsDelimiter(message[after]);
    }

    private static bool IsDelimiter(char c) => c is ' ' or '\t' or '\r' or '\n' or '\f' or '\v' or '|';

    internal static LogToken Classify(ReadOnlySpan<char> message, int start, int length, bool maskAllKeyValues)
    {
        var t = message.Slice(start, length);
        int digits = 0;
        int letters = 0;
        int slashes = 0;
        int backslashes = 0;
        int equals = -1;
        int at = -1;
        bool dotAfterAt = false;
        bool wildcard = false;
        for (int k = 0; k < t.Length; k++)
        {
            char c = t[k];
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (char.IsAsciiLetter(c))
            {
                letters++;
            }
            else
            {
                switch (c)
                {
                    case '/':
                        slashes++;
                        break;
                    case '\\':
                        backslashes++;
                        break;
                    case '=' when equals < 0:
                        equals = k;
                        break;
                    case '@' when at < 0:
                        at = k;
                        break;
                    case '.' when at >= 0:
                        dotAfterAt = true;
                        break;
                    case '*' when k > 0 && k + 1 < t.Length && t[k - 1] == '<' && t[k + 1] == '>':
                        wildcard = true;
                        break;
                    default:
                        break;
                }
            }
        }

        if (wildcard || t is "()" or "[]" or "{}" or "\"\"" or "''")
        {
            // <*>, or an empty value in its brackets or quotes ("from 10.0.0.1 (host.example)" / "from 10.0.0.1 ()").
            return new LogToken(start, length, TokenKind.Variable);
        }

        // key=value: keep the key as text, so "size=<*>" and "count=<*>" stay apart.
        if (equals > 0 && equals < t.Length - 1 && IsKey(t[..equals]))
        {
            var value = t[(equals + 1)..];
            if (maskAllKeyValues || value.ContainsAnyInRange('0', '9') || IsPathOrUrl(value))
            {
                return new LogToken(start, length, TokenKind.KeyVariable, equals + 1);
            }

            return new LogToken(start, length, TokenKind.Word);
        }

        // word:value (onExtend:1514038530000, taskID:42): keep the word, mask the value. Letters only in the key,
        // so host names (db.example.com:5432, localhost:8080) and times (12:30:45) stay whole variables.
        int colon = t.IndexOf(':');
        if (digits > 0 && colon > 1 && colon < t.Length - 1 && IsWordKey(t[..colon]) && t[(colon + 1)..].ContainsAnyInRange('0', '9')
            && !IsHostPort(t[..colon], t[(colon + 1)..]))
        {
            return new LogToken(start, length, TokenKind.KeyVariable, colon + 1);
        }

        if (digits > 0)
        {
            return new LogToken(start, length, IsVersionWord(t) ? TokenKind.Word : TokenKind.Variable);
        }

        if ((t[0] == '/' && slashes >= 2) || backslashes >= 2 || t.Contains("://", StringComparison.Ordinal)
            || (at > 0 && dotAfterAt && letters > 0))
        {
            return new LogToken(start, length, TokenKind.Variable);
        }

        return new LogToken(start, length, TokenKind.Word);
    }

    /// <summary>paymentservice:50051, localhost:8080: a lower-case name and a port is an address, a variable as a whole.</summary>
    private static bool IsHostPort(ReadOnlySpan<char> name, ReadOnlySpan<char> port)
    {
        var digits = port.TrimEnd(",;.)]");
        return digits.Length is > 0 and <= 5 && !digits.ContainsAnyExceptInRange('0', '9') && !name.ContainsAnyInRange('A', 'Z');
    }

    private static bool IsWordKey(ReadOnlySpan<char> key)
    {
        foreach (char c in key)
        {
            if (!(char.IsAsciiLetter(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsKey(ReadOnlySpan<char> key)
    {
        foreach (char c in key)
        {
            if (!(char.IsAsciiLetter(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPathOrUrl(ReadOnlySpan<char> value) =>
        (value.Length > 1 && value[0] == '/' && value[1..].Contains('/')) || value.Contains("://", StringComparison.Ordinal);

    /// <summary>
    /// Letters then one or two digits (en0, awdl0, SOCKS5, ssh2, tty2): usually a constant that tells templates
    /// apart ("Link Up on en0" and "Link Up on awdl0" are different events), so it stays a word; if it does vary,
    /// the distinct-value rule of the miner generalises it.
    /// </summary>
    private static bool IsVersionWord(ReadOnlySpan<char> t)
    {
        int end = t.Length;
        while (end > 0 && t[end - 1] is ':' or ',' or ';' or '.' or ')' or ']')
        {
            end--;
        }

        int digitStart = end;
        while (digitStart > 0 && char.IsAsciiDigit(t[digitStart - 1]))
        {
            digitStart--;
        }

        int digitCount = end - digitStart;
        if (digitCount is < 1 or > 2 || digitStart < 2)
        {
            return false;
        }

        for (int k = 0; k < digitStart; k++)
        {
            if (!char.IsAsciiLetter(t[k]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Units that follow a number and belong to its value.</summary>
    private static bool IsUnit(ReadOnlySpan<char> token)
    {
        int end = token.Length;
        while (end > 0 && token[end - 1] is ')' or ']' or ',' or ';' or '.')
        {
            end--;
        }

        var core = token[..end];
        return core switch
        {
            "ms" or "us" or "µs" or "ns" or "s" or "sec" or "secs" or "second" or "seconds" or "min" or "mins" or "minutes"
                or "h" or "hr" or "hrs" or "hours" or "days" => true,
            "B" or "b" or "bytes" or "KB" or "kB" or "KiB" or "MB" or "MiB" or "GB" or "GiB" or "TB" or "%" => true,
            _ => false,
        };
    }

    /// <summary>
    /// How many leading tokens form a log header (timestamp, host, process, level, thread), or 0. Fires only on a
    /// shape that is clearly a header: a syslog "Mon DD hh:mm:ss host proc:" prefix, or a level keyword preceded by
    /// at least two variable tokens (date, time, pid) and at most two words.
    /// </summary>
    public static int HeaderLength(ReadOnlySpan<char> message, ReadOnlySpan<LogToken> tokens)
    {
        int n = tokens.Length;
        int variables = 0;
        int words = 0;
        for (int i = 0; i < n - 1 && i < 10; i++)
        {
            var text = Text(message, tokens[i]);
            if (variables + words <= 5 && i + 3 < n && IsMonth(text) && IsDay(Text(message, tokens[i + 1])) && IsClock(Text(message, tokens[i + 2]))
                && words == 0)
            {
                // Mon DD hh:mm:ss host process: message
                int k = i + 4;
                if (k < n - 1 && Text(message, tokens[k]).EndsWith(':'))
                {
                    k++;
                }

                return k;
            }

            if (variables >= 2 && IsLevel(text, variables, words))
            {
                int k = i + 1;
                int group = k < n - 1 && Text(message, tokens[k]).StartsWith('[') ? k
                    : k + 1 < n - 1 && IsComponent(Text(message, tokens[k])) && Text(message, tokens[k + 1]).StartsWith('[') ? k + 1
                    : -1;
                if (group >= 0)
                {
                    // A thread or request context: [main], [RMCommunicator Allocator], [req-… user tenant - - -],
                    // before or after the logger name (which then goes with it).
                    for (int j = group; j < n - 1 && j < group + 8; j++)
                    {
                        if (Text(message, tokens[j]).EndsWith(']'))
                        {
                            return j + 1;
                        }
                    }
                }

                return k;
            }

            if (tokens[i].IsVariable || text is "-")
            {
                variables += text is "-" ? 0 : 1;
            }
            else if (++words > 2)
            {
                return 0;
            }
        }

        return 0;
    }

    /// <summary>A logger name: nova.compute.manager, org.apache.Foo$Bar (dotted, no spaces, not bracketed).</summary>
    private static bool IsComponent(ReadOnlySpan<char> t) => t.Length > 2 && t[0] != '[' && t.Contains('.') && char.IsAsciiLetter(t[0]);

    private static ReadOnlySpan<char> Text(ReadOnlySpan<char> message, LogToken token) => message.Slice(token.Start, token.Length);

    private static bool IsMonth(ReadOnlySpan<char> t) => t is "Jan" or "Feb" or "Mar" or "Apr" or "May" or "Jun" or "Jul" or "Aug" or "Sep" or "Oct" or "Nov" or "Dec";

    private static bool IsDay(ReadOnlySpan<char> t) => t.Length is 1 or 2 && char.IsAsciiDigit(t[0]) && char.IsAsciiDigit(t[^1]);

    private static bool IsClock(ReadOnlySpan<char> t) => t.Length >= 5 && char.IsAsciiDigit(t[0]) && t.Contains(':');

    private static bool IsLevel(ReadOnlySpan<char> t, int variables, int words)
    {
        if (t.Length > 2 && t[0] == '[' && t[^1] == ']')
        {
            t = t[1..^1];
        }
        else if (t.Length > 1 && t[^1] is ':' or ',')
        {
            t = t[..^1];
        }

        if (t.Length == 1)
        {
            // Android-style single-letter levels only right after a purely numeric header.
            return words == 0 && variables >= 3 && t[0] is 'V' or 'D' or 'I' or 'W' or 'E' or 'F';
        }

        return t switch
        {
            "TRACE" or "DEBUG" or "INFO" or "NOTICE" or "WARN" or "WARNING" or "ERROR" or "ERR" or "SEVERE" or "FATAL"
                or "CRITICAL" or "CRIT" or "ALERT" or "EMERG" => true,
            "Trace" or "Debug" or "Info" or "Notice" or "Warn" or "Warning" or "Error" or "Fatal" or "Critical" => true,
            "trace" or "debug" or "info" or "notice" or "warn" or "warning" or "error" or "fatal" or "crit" or "emerg" => true,
            _ => false,
        };
    }
}
