using MailTls.MtaSts;

namespace MailTls.Tests.MtaSts;

/// <summary>RFC 8461 §4.1 matching beyond the vectors: IDN case folding and hosts that are not host names.</summary>
public sealed class MxPatternMatcherTests
{
    [Theory]
    [InlineData("x.xn--aca-6ma.com", "X.\u00d1ACA.COM.", true)]
    [InlineData("*.xn--aca-6ma.com", "mx.\u00f1aca.com", true)]
    [InlineData("*.example.com", "*.example.com", false)]
    [InlineData("*.example.com", "a_b.example.com", false)]
    [InlineData("*.example.com", ".example.com", false)]
    [InlineData("*.example.com", "a..example.com", false)]
    [InlineData("mail.example.com", "mail.example.com..", false)]
    [InlineData("mail.example.com", " mail.example.com", false)]
    [InlineData("mail.example.com", null, false)]
    public void Host_forms(string pattern, string? host, bool expected)
    {
        var p = MxPattern.Parse(pattern);
        Assert.Equal(expected, p.Matches(host));
        Assert.Equal(expected, MxPatternMatcher.Matches([p], host));
    }

    [Fact]
    public void First_match_returns_the_pattern_in_policy_order()
    {
        var patterns = new[] { MxPattern.Parse("*.example.org"), MxPattern.Parse("mx0.example.org") };
        Assert.Same(patterns[0], MxPatternMatcher.FirstMatch(patterns, "mx0.example.org"));
        Assert.Null(MxPatternMatcher.FirstMatch(patterns, "example.org"));
    }

    [Theory]
    [InlineData("127.0.0.1", true, false)]
    [InlineData("*.1.2.3.4", true, false)]
    [InlineData("*.com", false, true)]
    [InlineData("*.example.com", false, false)]
    [InlineData("1mail.example.com", false, false)]
    public void Pattern_classification(string text, bool ip, bool broad)
    {
        var p = MxPattern.Parse(text);
        Assert.Equal(ip, p.LooksLikeIpAddress);
        Assert.Equal(broad, p.IsBroadWildcard);
    }
}
