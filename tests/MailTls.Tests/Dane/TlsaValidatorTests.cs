using MailTls.Dane;
using MailTls.Findings;

namespace MailTls.Tests.Dane;

public sealed class TlsaValidatorTests
{
    private static readonly byte[] D32 = new byte[32];
    private static readonly byte[] D64 = new byte[64];

    private static List<string> Codes(TlsaRecord r, int port = 25) => TlsaValidator.Validate(r, port).Select(f => f.Code).ToList();

    [Fact]
    public void Recommended_record_has_no_findings() =>
        Assert.Empty(Codes(new TlsaRecord(TlsaUsage.DaneEe, TlsaSelector.Spki, TlsaMatchingType.Sha256, D32)));

    [Theory]
    [InlineData(1, 31)]
    [InlineData(1, 64)]
    [InlineData(2, 32)]
    [InlineData(2, 65)]
    public void Digest_length_is_checked(byte mtype, int length)
    {
        var r = new TlsaRecord(3, 1, mtype, new byte[length]);
        Assert.Contains("dane.tlsa.digest-length", Codes(r));
        Assert.False(TlsaValidator.IsUsable(r));
    }

    [Fact]
    public void Sha512_is_usable() => Assert.True(TlsaValidator.IsUsable(new TlsaRecord(3, 1, 2, D64)));

    [Fact]
    public void Pkix_usages_are_flagged_on_port_25_only()
    {
        var r = new TlsaRecord(TlsaUsage.PkixEe, TlsaSelector.Spki, TlsaMatchingType.Sha256, D32);
        Assert.Contains("dane.tlsa.pkix-usage", Codes(r));
        Assert.DoesNotContain("dane.tlsa.pkix-usage", Codes(r, 443));
        Assert.False(TlsaValidator.IsUsable(r));
        Assert.True(TlsaValidator.IsUsable(r, allowPkix: true));
    }

    [Fact]
    public void Full_data_must_parse()
    {
        var bad = new TlsaRecord(TlsaUsage.DaneEe, TlsaSelector.Spki, TlsaMatchingType.Full, new byte[] { 0x30, 0x00 });
        var codes = Codes(bad);
        Assert.Contains("dane.tlsa.full-data-malformed", codes);
        Assert.Contains("dane.tlsa.full-discouraged", codes);
        Assert.False(TlsaValidator.IsUsable(bad));

        using var key = System.Security.Cryptography.ECDsa.Create();
        var good = new TlsaRecord(TlsaUsage.DaneEe, TlsaSelector.Spki, TlsaMatchingType.Full, key.ExportSubjectPublicKeyInfo());
        Assert.DoesNotContain("dane.tlsa.full-data-malformed", Codes(good));
        Assert.True(TlsaValidator.IsUsable(good));
    }

    [Fact]
    public void Private_and_unknown_values()
    {
        Assert.Contains("dane.tlsa.private-use", Codes(new TlsaRecord(255, 1, 1, D32)));
        Assert.Contains("dane.tlsa.private-use", Codes(new TlsaRecord(3, 255, 1, D32)));
        Assert.Contains("dane.tlsa.private-use", Codes(new TlsaRecord(3, 1, 255, D32)));
        Assert.Contains("dane.tlsa.unknown-value", Codes(new TlsaRecord(4, 1, 1, D32)));
        Assert.Contains("dane.tlsa.unknown-value", Codes(new TlsaRecord(3, 2, 1, D32)));
        Assert.Contains("dane.tlsa.unknown-value", Codes(new TlsaRecord(3, 1, 3, D32)));
        Assert.False(TlsaValidator.IsUsable(new TlsaRecord(255, 1, 1, D32)));
    }

    [Fact]
    public void Non_recommended_forms_get_info()
    {
        var f = TlsaValidator.Validate(new TlsaRecord(3, 0, 1, D32)).Single();
        Assert.Equal("dane.tlsa.not-recommended", f.Code);
        Assert.Equal(Severity.Info, f.Severity);
        Assert.Contains("renewal", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Set_analysis()
    {
        var a = new TlsaRecord(3, 1, 1, D32);
        var b = new TlsaRecord(3, 1, 1, Enumerable.Repeat((byte)1, 32).ToArray());

        Assert.Empty(TlsaRecordSetAnalyzer.Analyze([a, b]));
        Assert.Contains(TlsaRecordSetAnalyzer.Analyze([a, a]), f => f.Code == "dane.tlsa.duplicate");
        Assert.Contains(TlsaRecordSetAnalyzer.Analyze([a]), f => f.Code == "dane.tlsa.no-rollover");
        var unusable = TlsaRecordSetAnalyzer.Analyze([new TlsaRecord(1, 1, 1, D32), new TlsaRecord(3, 1, 1, new byte[5])]);
        Assert.Contains(unusable, f => f.Code == "dane.tlsa.all-unusable" && f.Severity == Severity.Error);
        var many = Enumerable.Range(0, 13).Select(i => new TlsaRecord(3, 1, 1, Enumerable.Repeat((byte)i, 32).ToArray())).ToList();
        Assert.Contains(TlsaRecordSetAnalyzer.Analyze(many), f => f.Code == "dane.tlsa.too-many");
        Assert.DoesNotContain(TlsaRecordSetAnalyzer.Analyze(many.Take(12).ToList()), f => f.Code == "dane.tlsa.too-many");
    }

    [Fact]
    public void Every_dane_code_has_rule_why_and_fix()
    {
        var dane = FindingCatalog.All.Where(d => d.Code.StartsWith("dane.", StringComparison.Ordinal)).ToList();
        Assert.True(dane.Count >= 20);
        Assert.All(dane, d =>
        {
            Assert.False(string.IsNullOrWhiteSpace(d.Rule));
            Assert.False(string.IsNullOrWhiteSpace(d.Why));
            Assert.False(string.IsNullOrWhiteSpace(d.Fix));
        });
    }
}

public sealed class TlsaDigestAgilityTests
{
    /// <summary>
    /// RFC 7671 §9: per usage and selector only the strongest digest counts. No OpenSSL vector mixes SHA2-256 and
    /// SHA2-512 for the same usage+selector, so this is checked directly: a wrong 3 1 2 hides a correct 3 1 1.
    /// </summary>
    [Fact]
    public void Sha512_supersedes_sha256_for_the_same_usage_and_selector()
    {
        var c = DaneTestFile.Load("danetest.in").Single(x => x.Number == 11);
        var good256 = TlsaBuilder.FromCertificate(c.Chain[0], TlsaUsage.DaneEe, TlsaSelector.Spki, TlsaMatchingType.Sha256);
        var wrong512 = new TlsaRecord(TlsaUsage.DaneEe, TlsaSelector.Spki, TlsaMatchingType.Sha512, new byte[64]);
        var options = new TlsaMatchOptions { ReferenceNames = ["example.com"] };

        var result = TlsaMatcher.Match(c.Chain, [good256, wrong512], options);
        Assert.Equal(TlsaMatchStatus.Mismatch, result.Status);
        Assert.Equal(TlsaRecordOutcome.DigestSuperseded, result.Records.Single(d => d.Record == good256).Outcome);
        Assert.Contains(result.Findings, f => f.Code == "dane.tlsa.digest-superseded");

        // A SHA2-512 record of another selector does not hide it; neither does an unusable (short) SHA2-512 record.
        var otherSelector = new TlsaRecord(TlsaUsage.DaneEe, TlsaSelector.Cert, TlsaMatchingType.Sha512, new byte[64]);
        Assert.True(TlsaMatcher.Match(c.Chain, [good256, otherSelector], options).Matched);
        var shortDigest = new TlsaRecord(TlsaUsage.DaneEe, TlsaSelector.Spki, TlsaMatchingType.Sha512, new byte[10]);
        Assert.True(TlsaMatcher.Match(c.Chain, [good256, shortDigest], options).Matched);
    }
}
