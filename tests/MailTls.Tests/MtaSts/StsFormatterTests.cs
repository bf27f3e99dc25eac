using MailTls.MtaSts;

namespace MailTls.Tests.MtaSts;

/// <summary>Formatter output and round trips for TXT records and policies.</summary>
public sealed class StsFormatterTests
{
    [Fact]
    public void Record_format_is_canonical_and_parses_back()
    {
        var text = StsRecordFormatter.Format("20260101T120000");
        Assert.Equal("v=STSv1; id=20260101T120000;", text);
        Assert.Equal("20260101T120000", StsRecordParser.Parse(text).Record!.Id);

        var withExt = StsRecordFormatter.Format("a1", [new StsExtension("x-ext", "v.1")]);
        Assert.Equal("v=STSv1; id=a1; x-ext=v.1;", withExt);
        var parsed = StsRecordParser.Parse(withExt);
        Assert.Empty(parsed.Findings);
        Assert.Equal(withExt, StsRecordFormatter.Format(parsed.Record!));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a-b")]
    [InlineData("012345678901234567890123456789012")]
    public void Record_format_rejects_invalid_ids(string id) =>
        Assert.Throws<ArgumentException>(() => StsRecordFormatter.Format(id));

    [Theory]
    [InlineData("id", "x")]
    [InlineData("x", "a=b")]
    [InlineData("x", "a b")]
    [InlineData("_x", "1")]
    public void Record_format_rejects_invalid_extensions(string name, string value) =>
        Assert.Throws<ArgumentException>(() => StsRecordFormatter.Format("a", [new StsExtension(name, value)]));

    [Fact]
    public void Id_from_time_is_utc_alphanumeric()
    {
        var id = StsId.NewFromTime(new DateTimeOffset(2026, 1, 1, 14, 0, 0, TimeSpan.FromHours(2)));
        Assert.Equal("20260101T120000", id);
        Assert.True(StsId.IsValid(id));
        Assert.True(StsRecordParser.Parse(StsRecordFormatter.Format(id)).IsValid);
    }

    [Fact]
    public void Policy_format_is_canonical()
    {
        var text = StsPolicyFormatter.Format(StsMode.Enforce, 604800,
            [MxPattern.Parse("mail.example.com"), MxPattern.Parse("*.example.net")],
            [new StsExtension("note", "a=b; c")]);
        Assert.Equal("version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\nnote: a=b; c\n", text);
    }

    [Fact]
    public void Policy_format_crlf()
    {
        var text = StsPolicyFormatter.Format(StsMode.None, 86400, [], lineEnding: StsLineEnding.CrLf);
        Assert.Equal("version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n", text);
        Assert.DoesNotContain(StsPolicyParser.Parse(text).Findings, f => f.Code == "sts.policy.mixed-line-endings");
    }

    [Fact]
    public void Rfc_example_policy_round_trips()
    {
        const string rfc = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmx: backupmx.example.com\nmax_age: 604800";
        var p = StsPolicyParser.Parse(rfc).Policy!;
        var text = StsPolicyFormatter.Format(p);
        Assert.Equal(rfc + "\n", text);
        var again = StsPolicyParser.Parse(text).Policy;
        Assert.Equal(p, again);
        Assert.Equal(text, StsPolicyFormatter.Format(again!, StsLineEnding.Lf));
    }

    [Fact]
    public void Policy_format_rejects_values_that_would_not_parse()
    {
        var mx = new[] { MxPattern.Parse("a.example") };
        Assert.Throws<ArgumentOutOfRangeException>(() => StsPolicyFormatter.Format(StsMode.Enforce, -1, mx));
        Assert.Throws<ArgumentOutOfRangeException>(() => StsPolicyFormatter.Format(StsMode.Enforce, Limits.StsMaxAgeMax + 1, mx));
        Assert.Throws<ArgumentException>(() => StsPolicyFormatter.Format(StsMode.Testing, 1, []));
        Assert.Throws<ArgumentException>(() => StsPolicyFormatter.Format(StsMode.Enforce, 1, mx, [new StsExtension("mx", "b.example")]));
        Assert.Throws<ArgumentException>(() => StsPolicyFormatter.Format(StsMode.Enforce, 1, mx, [new StsExtension("x", " lead")]));
        Assert.Throws<ArgumentException>(() => StsPolicyFormatter.Format(StsMode.Enforce, 1, mx, [new StsExtension("x", "tab\there")]));
        Assert.Throws<ArgumentException>(() => StsPolicyFormatter.Format(StsMode.Enforce, 1, mx, [new StsExtension("x", "1"), new StsExtension("x", "2")]));
        Assert.Throws<ArgumentException>(() => StsPolicyFormatter.Format(new StsPolicy("STSv2", StsMode.None, 1, [], [])));
    }

    [Fact]
    public void Mx_pattern_parse_reports_reasons()
    {
        Assert.True(MxPattern.TryParse("*.Example.NET", out var p, out _));
        Assert.True(p.IsWildcard);
        Assert.Equal("example.net", p.Domain);
        Assert.Equal("*.Example.NET", p.Text);
        Assert.False(MxPattern.TryParse("service-*.mimecast.com", out _, out var error));
        Assert.Contains("left-most", error, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => MxPattern.Parse("a..b"));
    }
}
