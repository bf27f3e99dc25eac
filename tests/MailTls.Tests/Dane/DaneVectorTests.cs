using MailTls.Dane;
using MailTls.Pki;
using Xunit.Abstractions;

namespace MailTls.Tests.Dane;

/// <summary>
/// OpenSSL's DANE vectors (test/danetest.in, test/dane-cross.in), run as the upstream harness runs them:
/// base domain example.com / server.example, CAfile danetest.pem / cross-root.pem for PKIX usages (so
/// AllowPkixUsages = true here), nonamechecks=1 ↔ our RFC 7672 default, nonamechecks=0 ↔ CheckDaneEeNames.
/// Every leaf that reaches a name check carries a SAN dNSName (example.com, example.org, server.example), so our
/// SAN-only rule (RFC 7672 §3.2.3 / RFC 6125 via CertificateIdentity, no CN fallback) decides exactly as
/// OpenSSL's host check does; no case depends on a CN-only certificate (the CN-less leaf of cases 1–10 is only
/// ever matched with DANE-EE and no name checks).
/// Expected results: 0 → Matched at the expected depth; 65 → Mismatch; 62 → NameMismatch at the depth of the
/// matching certificate; 20 → ChainIncomplete at the depth of the matching certificate.
/// Validity is checked at 2026-01-01 (every certificate of cases 11–54 is valid then; cases 1–10 are "never valid").
/// </summary>
public sealed class DaneVectorTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var c in DaneTestFile.Load("danetest.in").Concat(DaneTestFile.Load("dane-cross.in")))
        {
            data.Add(c.File, c.Number, c.Comment);
        }

        return data;
    }

    [Fact]
    public void All_cases_are_loaded()
    {
        Assert.Equal(54, DaneTestFile.Load("danetest.in").Count);
        Assert.Single(DaneTestFile.Load("dane-cross.in"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_agrees_with_openssl(string file, int number, string comment)
    {
        output.WriteLine(comment);
        var c = DaneTestFile.Load(file).Single(x => x.Number == number);
        output.WriteLine(c.ToString());
        var (baseDomain, caFile) = file == "danetest.in" ? ("example.com", "danetest.pem") : ("server.example", "cross-root.pem");
        var roots = PemReader.ReadCertificates(File.ReadAllText(TestPaths.TestData("Dane", caFile)));
        Assert.True(roots.IsSuccess);

        var result = TlsaMatcher.Match(c.Chain, c.Records, new TlsaMatchOptions
        {
            ReferenceNames = [baseDomain],
            Now = Now,
            CheckDaneEeNames = !c.NoNameChecks,
            AllowPkixUsages = true,
            TrustedRoots = roots.Certificates,
        });
        foreach (var d in result.Records)
        {
            output.WriteLine($"{TlsaMatcherShort(d.Record)}: {d.Outcome} depth {d.Depth}: {d.Detail}");
        }

        var expected = c.ExpectedResult switch
        {
            0 => TlsaMatchStatus.Matched,
            20 => TlsaMatchStatus.ChainIncomplete,
            62 => TlsaMatchStatus.NameMismatch,
            65 => TlsaMatchStatus.Mismatch,
            _ => throw new InvalidOperationException($"case {number}: unexpected OpenSSL result {c.ExpectedResult}"),
        };
        Assert.Equal(expected, result.Status);
        Assert.Equal(c.ExpectedDepth, result.Depth);
        Assert.Equal(c.ExpectedResult == 0, result.Matched);
        Assert.Contains(result.Findings, f => f.Code == (expected switch
        {
            TlsaMatchStatus.Matched => "dane.tlsa.matched",
            TlsaMatchStatus.ChainIncomplete => "dane.tlsa.chain-incomplete",
            TlsaMatchStatus.NameMismatch => "dane.tlsa.name-mismatch",
            _ => "dane.tlsa.mismatch",
        }));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Smtp_mode_treats_pkix_records_as_unusable(string file, int number, string comment)
    {
        Assert.False(string.IsNullOrEmpty(comment));
        // RFC 7672 §3.1.3: in SMTP mode usages 0/1 are unusable; only the DANE-usage records can decide.
        var c = DaneTestFile.Load(file).Single(x => x.Number == number);
        var result = TlsaMatcher.Match(c.Chain, c.Records, new TlsaMatchOptions
        {
            ReferenceNames = [file == "danetest.in" ? "example.com" : "server.example"],
            Now = Now,
            CheckDaneEeNames = !c.NoNameChecks,
        });
        if (c.Records.All(r => r.Usage < 2))
        {
            Assert.Equal(TlsaMatchStatus.NoUsableRecords, result.Status);
            Assert.Contains(result.Findings, f => f.Code == "dane.tlsa.all-unusable");
        }
        else if (result.Matched)
        {
            Assert.True(result.MatchedRecord!.Usage >= 2);
        }

        Assert.Equal(c.Records.Count(r => r.Usage < 2), result.Records.Count(d => d.Outcome == TlsaRecordOutcome.Unusable));
    }

    private static string TlsaMatcherShort(TlsaRecord r)
    {
        var s = r.ToString();
        return s.Length > 40 ? s[..40] + "…" : s;
    }
}
