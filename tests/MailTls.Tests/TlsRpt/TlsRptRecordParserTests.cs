using MailTls.TlsRpt;

namespace MailTls.Tests.TlsRpt;

public sealed class TlsRptRecordParserTests
{
    /// <summary>Valid records (RFC 8460 §3 ABNF; cases in the style of stalwart mail-auth tlsrpt_parse) and their rua lists.</summary>
    public static TheoryData<string, string[], string[]> Valid => new()
    {
        { "v=TLSRPTv1; rua=mailto:reports@example.com", ["mailto:reports@example.com"], [] },
        { "v=TLSRPTv1;rua=https://reporting.example.com/v1/tlsrpt", ["https://reporting.example.com/v1/tlsrpt"], [] },
        { "v=TLSRPTv1; rua=mailto:tlsrpt@mydomain.com,https://tlsrpt.mydomain.com/v1", ["mailto:tlsrpt@mydomain.com", "https://tlsrpt.mydomain.com/v1"], [] },
        { "v=TLSRPTv1; rua=mailto:a@b.example ; ", ["mailto:a@b.example"], [] },
        { "v=TLSRPTv1 ; rua=mailto:a@b.example", ["mailto:a@b.example"], [] },
        { "v=TLSRPTv1;\trua=mailto:a@b.example", ["mailto:a@b.example"], [] },
        { "v=TLSRPTv1; rua=mailto:a@b.example , https://x.example/r", ["mailto:a@b.example", "https://x.example/r"], [] },
        { "v=TLSRPTv1; rua=mailto:a%21b@b.example", ["mailto:a%21b@b.example"], [] },
        { "v=TLSRPTv1; rua=https://x.example/r?a=1%2C2", ["https://x.example/r?a=1%2C2"], [] },
        { "v=TLSRPTv1; rua=mailto:a@b.example,http://x.example/r", ["mailto:a@b.example", "http://x.example/r"], ["tlsrpt.record.rua-http"] },
        { "v=TLSRPTv1; rua=mailto:a@b.example,ftp://x.example/r", ["mailto:a@b.example", "ftp://x.example/r"], ["tlsrpt.record.rua-unsupported-scheme"] },
        { "v=TLSRPTv1; rua=mailto:a@b.example; rua=mailto:c@d.example", ["mailto:a@b.example"], ["tlsrpt.record.duplicate-field"] },
        { "v=TLSRPTv1; rua=mailto:a@b.example,mailto:c@d.example,mailto:e@f.example",
            ["mailto:a@b.example", "mailto:c@d.example", "mailto:e@f.example"], ["tlsrpt.record.rua-many"] },
        { "v=TLSRPTv1; rua=mailto:a@b.example,mailto:a@b.example", ["mailto:a@b.example"], ["tlsrpt.record.rua-duplicate"] },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_record(string text, string[] rua, string[] codes)
    {
        var r = TlsRptRecordParser.Parse(text);
        Assert.True(r.IsValid, string.Join("; ", r.Findings.Select(f => f.Message)));
        Assert.Equal(rua, r.Record!.Rua.Select(u => u.OriginalString));
        Assert.Equal(codes, r.Findings.Select(f => f.Code));
        Assert.Equal(text, r.Record.Text);
    }

    [Fact]
    public void Extensions_are_kept()
    {
        var r = TlsRptRecordParser.Parse("v=TLSRPTv1; ext_1=value!; rua=mailto:a@b.example");
        Assert.True(r.IsValid);
        Assert.Equal([new KeyValuePair<string, string>("ext_1", "value!")], r.Record!.Extensions);
    }

    /// <summary>Invalid records and the exact findings each produces.</summary>
    public static TheoryData<string, string[]> Invalid => new()
    {
        { "", ["tlsrpt.record.version"] },
        { "v=tlsrptv1; rua=mailto:a@b.example", ["tlsrpt.record.version"] },
        { "V=TLSRPTv1; rua=mailto:a@b.example", ["tlsrpt.record.version"] },
        { "rua=mailto:a@b.example; v=TLSRPTv1", ["tlsrpt.record.version"] },
        { "v=TLSRPTv10; rua=mailto:a@b.example", ["tlsrpt.record.version"] },
        { "v=STSv1; id=1", ["tlsrpt.record.version"] },
        { "v=TLSRPTv1", ["tlsrpt.record.syntax", "tlsrpt.record.missing-rua"] },
        { "v=TLSRPTv1;", ["tlsrpt.record.syntax", "tlsrpt.record.missing-rua"] },
        { "v=TLSRPTv1 rua=mailto:a@b.example", ["tlsrpt.record.syntax", "tlsrpt.record.missing-rua"] },
        { "v=TLSRPTv1; rua=mailto:a@b.example;;", ["tlsrpt.record.syntax"] },
        { "v=TLSRPTv1;; rua=mailto:a@b.example", ["tlsrpt.record.syntax"] },
        { "v=TLSRPTv1; rua=mailto:a@b.example ", ["tlsrpt.record.syntax"] },
        { "v=TLSRPTv1; ext=va lue; rua=mailto:a@b.example", ["tlsrpt.record.syntax"] },
        { "v=TLSRPTv1; ext=; rua=mailto:a@b.example", ["tlsrpt.record.syntax"] },
        { "v=TLSRPTv1; _ext=1; rua=mailto:a@b.example", ["tlsrpt.record.syntax"] },
        { "v=TLSRPTv1; norua; rua=mailto:a@b.example", ["tlsrpt.record.syntax"] },
        { "v=TLSRPTv1; RUA=mailto:a@b.example", ["tlsrpt.record.missing-rua"] },
        { "v=TLSRPTv1; rua=", ["tlsrpt.record.rua-invalid-uri", "tlsrpt.record.no-usable-rua"] },
        { "v=TLSRPTv1; rua=mailto:a!b@b.example", ["tlsrpt.record.rua-invalid-uri", "tlsrpt.record.no-usable-rua"] },
        { "v=TLSRPTv1; rua=reports@example.com", ["tlsrpt.record.rua-invalid-uri", "tlsrpt.record.no-usable-rua"] },
        // An unencoded comma splits "mailto:a@b.example,c@d.example" into a URI and a non-URI.
        { "v=TLSRPTv1; rua=mailto:a@b.example,c@d.example", ["tlsrpt.record.rua-invalid-uri"] },
        { "v=TLSRPTv1; rua=mailto:a@b.example,", ["tlsrpt.record.rua-invalid-uri"] },
        { "v=TLSRPTv1; rua=mailto:a@b.example%2", ["tlsrpt.record.rua-invalid-uri", "tlsrpt.record.no-usable-rua"] },
        { "v=TLSRPTv1; rua=mailto:not-an-address", ["tlsrpt.record.rua-mailto-invalid", "tlsrpt.record.no-usable-rua"] },
        { "v=TLSRPTv1; rua=mailto:a@@b.example", ["tlsrpt.record.rua-mailto-invalid", "tlsrpt.record.no-usable-rua"] },
        { "v=TLSRPTv1; rua=mailto:.a@b.example", ["tlsrpt.record.rua-mailto-invalid", "tlsrpt.record.no-usable-rua"] },
        { "v=TLSRPTv1; rua=https:/path", ["tlsrpt.record.rua-https-invalid", "tlsrpt.record.no-usable-rua"] },
        { "v=TLSRPTv1; rua=ftp://x.example/r", ["tlsrpt.record.rua-unsupported-scheme", "tlsrpt.record.no-usable-rua"] },
        { "v=TLSRPTv1; rua=http://x.example/r", ["tlsrpt.record.rua-http", "tlsrpt.record.no-usable-rua"] },
        { "v=TLSRPTv1; rua=mailto:é@b.example", ["tlsrpt.record.non-ascii"] },
        { "v=TLSRPTv1; rua=mailto:a@b.example; v=TLSRPTv1", ["tlsrpt.record.syntax"] },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_record(string text, string[] codes)
    {
        var r = TlsRptRecordParser.Parse(text);
        Assert.False(r.IsValid);
        Assert.Equal(codes, r.Findings.Select(f => f.Code));
    }

    [Fact]
    public void Too_long_record_is_refused()
    {
        var r = TlsRptRecordParser.Parse("v=TLSRPTv1; rua=mailto:a@b.example; x=" + new string('a', Limits.TxtRecordMaxChars));
        Assert.Equal(["tlsrpt.record.too-long"], r.Findings.Select(f => f.Code));
    }

    [Fact]
    public void Selector_concatenates_strings_and_discards_other_records()
    {
        var s = TlsRptRecordSelector.Select([
            ["v=spf1 -all"],
            ["v=TLSRPTv1; rua=mailto:tls", "rpt@example.com"],
            ["v=TLSRPTv1x; rua=mailto:other@example.com"],
            ["v=STSv1; id=1"],
        ]);
        Assert.True(s.IsValid);
        Assert.Equal(1, s.CandidateCount);
        Assert.Equal("v=TLSRPTv1; rua=mailto:tlsrpt@example.com", s.RecordText);
        Assert.Equal("mailto:tlsrpt@example.com", Assert.Single(s.Record!.Rua).OriginalString);
    }

    [Fact]
    public void Selector_treats_version_then_space_then_semicolon_as_a_candidate()
    {
        var s = TlsRptRecordSelector.Select([["v=TLSRPTv1 ; rua=mailto:a@b.example"]]);
        Assert.True(s.IsValid);
    }

    [Fact]
    public void Selector_none_and_multiple()
    {
        var none = TlsRptRecordSelector.Select([["v=spf1 -all"], ["v=TLSRPTv1"]]);
        Assert.False(none.IsValid);
        Assert.Equal(["tlsrpt.record.none"], none.Findings.Select(f => f.Code));

        var many = TlsRptRecordSelector.Select([["v=TLSRPTv1; rua=mailto:a@b.example"], ["v=TLSRPTv1; rua=mailto:c@d.example"]]);
        Assert.False(many.IsValid);
        Assert.Null(many.Record);
        Assert.Equal(2, many.CandidateCount);
        Assert.Equal(["tlsrpt.record.multiple"], many.Findings.Select(f => f.Code));

        var invalid = TlsRptRecordSelector.Select([["v=TLSRPTv1; rua=ftp://x"]]);
        Assert.False(invalid.IsValid);
        Assert.Null(invalid.Record);
    }

    [Fact]
    public void Formatter_output_parses_back()
    {
        var text = TlsRptRecordFormatter.Format([new Uri("mailto:tlsrpt@example.com"), new Uri("https://r.example/a,b!c")]);
        Assert.Equal("v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://r.example/a%2Cb%21c", text);
        var r = TlsRptRecordParser.Parse(text);
        Assert.True(r.IsValid);
        Assert.Equal(2, r.Record!.Rua.Count);
        Assert.Throws<ArgumentException>(() => TlsRptRecordFormatter.Format([]));
    }
}
