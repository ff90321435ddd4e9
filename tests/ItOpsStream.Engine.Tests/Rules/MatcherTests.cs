using ItOpsStream.Engine.Rules;

namespace ItOpsStream.Engine.Tests.Rules;

public sealed class MatcherTests
{
    private sealed class Values(params (string Key, string Value)[] values) : IMatchSubject
    {
        public string? Get(string name) => values.FirstOrDefault(v => v.Key == name).Value;
    }

    [Theory]
    [InlineData("{check=\"CrashLoop\"}", true)]
    [InlineData("{check!=\"CrashLoop\"}", false)]
    [InlineData("{severity=~\"critical|major\"}", true)]
    [InlineData("{severity!~\"critical|major\"}", false)]
    [InlineData("{severity=~\"crit\"}", false)]
    [InlineData("{ci_class!=\"host\"}", true)]
    [InlineData("check=CrashLoop, severity=~\"major|critical\"", true)]
    [InlineData("{}", true)]
    [InlineData("{absent=\"\"}", true)]
    [InlineData("{absent!=\"x\"}", true)]
    [InlineData("{absent=~\".+\"}", false)]
    public void Matches_FollowsAlertmanagerSemantics(string text, bool expected)
    {
        var set = MatcherSet.Parse(text);
        Assert.Equal(expected, set.Matches(new Values(("check", "CrashLoop"), ("severity", "critical"), ("ci_class", "service"))));
    }

    [Fact]
    public void Parse_QuotedValue_UnescapesQuotesBackslashesAndNewlines()
    {
        var set = MatcherSet.Parse("{message=\"say \\\"hi\\\" \\\\ now\\n\", \"odd name\"=\"x\"}");
        Assert.Equal("say \"hi\" \\ now\n", set.Matchers[0].Value);
        Assert.Equal("odd name", set.Matchers[1].Name);
    }

    [Theory]
    [InlineData("{check=\"a\"", "missing closing '}'")]
    [InlineData("{check>\"a\"}", "expected =, !=, =~ or !~")]
    [InlineData("{check=\"a}", "unterminated quoted string")]
    [InlineData("{check=~\"(\"}", "invalid regex")]
    [InlineData("{check=\"a\" severity=\"b\"}", "expected ','")]
    public void Parse_BadMatcher_SaysWhatAndWhere(string text, string message)
    {
        var ex = Assert.Throws<MatcherFormatException>(() => MatcherSet.Parse(text));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.InRange(ex.Offset, 0, text.Length);
    }

    [Fact]
    public void Parse_TooManyMatchersOrTooLongRegex_IsRefused()
    {
        string many = "{" + string.Join(",", Enumerable.Range(0, MatcherSet.MaxMatchers + 1).Select(i => $"l{i}=\"x\"")) + "}";
        Assert.Throws<MatcherFormatException>(() => MatcherSet.Parse(many));
        Assert.Throws<MatcherFormatException>(() => MatcherSet.Parse("{a=~\"" + new string('a', Matcher.MaxRegexLength + 1) + "\"}"));
    }

    [Fact]
    public void Regex_IsAnchoredAndLinearOnPathologicalInput()
    {
        // (a+)+$ is the classic catastrophic-backtracking pattern; the non-backtracking engine answers at once.
        var set = MatcherSet.Parse("{message=~\"(a+)+b\"}");
        Assert.False(set.Matches(new Values(("message", new string('a', 50_000) + "c"))));
        Assert.True(set.Matches(new Values(("message", "aaab"))));
        Assert.False(set.Matches(new Values(("message", "xaaab"))));
    }
}
