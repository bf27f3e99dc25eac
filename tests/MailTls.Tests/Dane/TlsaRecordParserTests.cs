using MailTls.Dane;

namespace MailTls.Tests.Dane;

public sealed class TlsaRecordParserTests
{
    private const string Digest = "3111668338043DE264D0256A702248696C9484B6221A42740F920187B4C61838";

    public static TheoryData<string, string?, uint?> ValidForms() => new()
    {
        { $"3 1 1 {Digest}", null, null },
        { $"3 1 1 {Digest.ToLowerInvariant()}", null, null },
        { $"3 1 1 {Digest[..20]} {Digest[20..40]}\t{Digest[40..]}", null, null },
        { $"3 1 1 ( {Digest[..32]}\n {Digest[32..]} )", null, null },
        { $"DANE-EE SPKI SHA2-256 {Digest}", null, null },
        { $"dane-ee spki sha2-256 {Digest}", null, null },
        { $"_25._tcp.mx.example.com. 3600 IN TLSA 3 1 1 {Digest}", "_25._tcp.mx.example.com.", 3600u },
        { $"_25._tcp.mx.example.com. IN 300 TLSA 3 1 1 {Digest} ; current key", "_25._tcp.mx.example.com.", 300u },
        { $"_25._tcp.mx.example.com TLSA 3 1 1 {Digest}", "_25._tcp.mx.example.com", null },
        { $"\\# 35 030101{Digest}", null, null },
        { $"_25._tcp.mx.example.com. IN TYPE52 \\# 35 030101{Digest}", "_25._tcp.mx.example.com.", null },
        { $"_25._tcp.mx.example.com. 3600 IN TLSA ( 3 1 1 ; comment inside\n {Digest} )", "_25._tcp.mx.example.com.", 3600u },
    };

    [Theory]
    [MemberData(nameof(ValidForms))]
    public void Parses_presentation_forms(string text, string? owner, uint? ttl)
    {
        var r = TlsaRecordParser.Parse(text);
        Assert.True(r.IsValid, string.Join("; ", r.Findings.Select(f => f.Message)));
        Assert.Equal(new TlsaRecord(TlsaUsage.DaneEe, TlsaSelector.Spki, TlsaMatchingType.Sha256, Convert.FromHexString(Digest)), r.Record);
        Assert.Equal(owner, r.Owner);
        Assert.Equal(ttl, r.Ttl);
        Assert.Equal(TlsaUsage.DaneEe, r.Record!.CertificateUsage);
        Assert.Equal(TlsaSelector.Spki, r.Record.SelectorType);
        Assert.Equal(TlsaMatchingType.Sha256, r.Record.Matching);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("3 1 1")]
    [InlineData("3 1 1 ABC")]
    [InlineData("3 1 1 XYZ0")]
    [InlineData("256 1 1 00")]
    [InlineData("DANE-XX 1 1 00")]
    [InlineData("3 1 1 ( 00")]
    [InlineData("3 1 1 00 )")]
    [InlineData("\\# 4 030101")]
    [InlineData("\\# 2 0301")]
    [InlineData("\\# x 030101")]
    [InlineData("3 1 1 00\n3 1 1 00")]
    [InlineData("owner 60 junk TLSA 3 1 1 00")]
    [InlineData("_25._tcp.mx.example.com. IN TLSA")]
    public void Rejects_invalid_text(string text)
    {
        var r = TlsaRecordParser.Parse(text);
        Assert.False(r.IsValid);
        Assert.Contains(r.Findings, f => f.Code is "dane.tlsa.syntax" or "dane.tlsa.too-large");
    }

    [Fact]
    public void Unknown_values_are_kept_raw()
    {
        var r = TlsaRecordParser.Parse("4 2 3 00ff");
        Assert.True(r.IsValid);
        Assert.Equal(4, r.Record!.Usage);
        Assert.False(Enum.IsDefined(r.Record.CertificateUsage));
        Assert.Equal("4 2 3 00ff", r.Record.ToString());
    }

    [Fact]
    public void Owner_outside_tlsa_namespace_is_warned()
    {
        var r = TlsaRecordParser.Parse($"mx.example.com. IN TLSA 3 1 1 {Digest}");
        Assert.True(r.IsValid);
        Assert.Contains(r.Findings, f => f.Code == "dane.tlsa.owner");
    }

    [Fact]
    public void Size_limit_is_enforced()
    {
        var big = "3 0 0 " + new string('a', (Limits.TlsaMaxDataBytes + 1) * 2);
        Assert.Contains(TlsaRecordParser.Parse(big).Findings, f => f.Code == "dane.tlsa.too-large");
        var huge = new string(' ', Limits.TlsaMaxTextChars + 1);
        Assert.Contains(TlsaRecordParser.Parse(huge).Findings, f => f.Code == "dane.tlsa.too-large");
        Assert.True(TlsaRecordParser.Parse("3 0 0 " + new string('a', Limits.TlsaMaxDataBytes * 2)).IsValid);
    }

    [Fact]
    public void Formatter_writes_zone_lines_and_generic_form()
    {
        var rec = TlsaRecordParser.Parse($"3 1 1 {Digest}").Record!;
        Assert.Equal($"3 1 1 {Digest.ToLowerInvariant()}", rec.ToString());
        Assert.Equal($"_25._tcp.mx.example.com. 3600 IN TLSA 3 1 1 {Digest.ToLowerInvariant()}",
            TlsaRecordFormatter.Format(rec, "_25._tcp.mx.example.com", 3600));
        Assert.Equal($"\\# 35 030101{Digest.ToLowerInvariant()}", TlsaRecordFormatter.FormatGeneric(rec));
        Assert.Equal(rec, TlsaRecordParser.Parse(TlsaRecordFormatter.FormatGeneric(rec)).Record);
    }

    [Theory]
    [InlineData("mx.example.com", 25, "tcp", "_25._tcp.mx.example.com.")]
    [InlineData("MX.Example.COM.", 25, "tcp", "_25._tcp.mx.example.com.")]
    [InlineData("mx.bücher.example", 465, "tcp", "_465._tcp.mx.xn--bcher-kva.example.")]
    [InlineData("", 25, "tcp", null)]
    [InlineData("a..b", 25, "tcp", null)]
    [InlineData("mx.example.com", 70000, "tcp", null)]
    public void Owner_names(string host, int port, string protocol, string? expected) =>
        Assert.Equal(expected, TlsaOwner.For(host, port, protocol));
}
