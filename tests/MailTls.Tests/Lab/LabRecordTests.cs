using MailTls.Dns;
using MailTls.Findings;
using MailTls.MtaSts;
using MailTls.TlsRpt;

namespace MailTls.Tests.Lab;

/// <summary>
/// The MTA-STS and TLS-RPT record rules on the TXT RRsets the lab's Knot serves through unbound: for every checked
/// scenario domain, the selector's findings contain exactly the <c>sts.txt.*</c> / <c>tlsrpt.record.*</c> codes that
/// the scenario expects and that the library defines.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabRecordTests
{
    public static TheoryData<string> Domains() => LabPlan.DomainNames(_ => true);

    [Theory]
    [MemberData(nameof(Domains))]
    public async Task Mta_sts_discovery_matches_the_scenario(string domain)
    {
        var (status, rrset) = await LabProcess.TxtAsync("_mta-sts." + domain);
        var discovery = StsDiscovery.Evaluate(new StsTxtAnswer(status, rrset));
        if (Bogus(domain))
        {
            // A validating resolver answers SERVFAIL for bogus data: a temporary failure, never "no policy".
            Assert.IsType<StsDiscoveryResult.TempFailure>(discovery);
            return;
        }

        AssertCodes(domain, "sts.txt.", discovery.Findings);
        var publishes = LabPlan.Root.GetProperty("policy").EnumerateArray().Any(p => p.GetProperty("domain").GetString() == domain);
        var broken = LabPlan.Expect(LabPlan.Domain(domain)).Any(c => c.StartsWith("sts.txt.", StringComparison.Ordinal));
        Assert.Equal(publishes && !broken, discovery is StsDiscoveryResult.Found);
    }

    [Theory]
    [MemberData(nameof(Domains))]
    public async Task Tls_rpt_txt_selection_matches_the_scenario(string domain)
    {
        var (status, rrset) = await LabProcess.TxtAsync("_smtp._tls." + domain);
        if (Bogus(domain))
        {
            Assert.Equal(DnsAnswerStatus.ServFail, status);
            return;
        }

        var selection = TlsRptRecordSelector.Select(rrset);
        var findings = selection.Findings.Concat(selection.ParseResult?.Findings ?? []).ToList();
        AssertCodes(domain, "tlsrpt.record.", findings);
    }

    /// <summary>Deliberately broken DNSSEC: unbound must refuse the data.</summary>
    private static bool Bogus(string domain) => LabPlan.Domain(domain).GetProperty("signing").GetString() is "expired-rrsig" or "ds-mismatch";

    /// <summary>Every expected code with the prefix that the library defines is reported, and no other error.</summary>
    private static void AssertCodes(string domain, string prefix, IEnumerable<Finding> findings)
    {
        var expected = LabPlan.Expect(LabPlan.Domain(domain))
            .Where(c => c.StartsWith(prefix, StringComparison.Ordinal) && FindingCatalog.Find(c) is not null)
            .ToHashSet();
        var reported = findings.Where(f => f.Code.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        foreach (var code in expected)
        {
            Assert.True(reported.Any(f => f.Code == code), $"{domain}: expected {code}, got [{string.Join(", ", reported.Select(f => f.Code))}]");
        }

        var unexpectedErrors = reported.Where(f => f.Severity == Severity.Error && !expected.Contains(f.Code)).Select(f => f.Code).ToList();
        Assert.True(unexpectedErrors.Count == 0, $"{domain}: unexpected errors [{string.Join(", ", unexpectedErrors)}]");
    }
}
