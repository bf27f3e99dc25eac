using MailTls.Audit;
using MailTls.Dns;

namespace MailTls.Tests.Audit;

/// <summary>CAA evaluation per RFC 8659 §4 and tree climbing per §3.</summary>
public sealed class CaaEvaluatorTests
{
    private static readonly string[] LetsEncrypt = ["letsencrypt.org"];

    [Fact]
    public void No_records_allow_any_ca() =>
        Assert.Equal(CaaVerdict.NoRecords, CaaEvaluator.Evaluate([], LetsEncrypt));

    [Fact]
    public void Listed_issuer_is_permitted_with_parameters_and_case_ignored() =>
        Assert.Equal(CaaVerdict.Permitted, CaaEvaluator.Evaluate([new CaaData(0, "issue", "LetsEncrypt.org; validationmethods=dns-01")], LetsEncrypt));

    [Fact]
    public void Other_issuer_is_forbidden() =>
        Assert.Equal(CaaVerdict.Forbidden, CaaEvaluator.Evaluate([new CaaData(0, "issue", "other-ca.lab")], LetsEncrypt));

    [Fact]
    public void Empty_issue_value_forbids_every_ca() =>
        Assert.Equal(CaaVerdict.Forbidden, CaaEvaluator.Evaluate([new CaaData(0, "issue", ";")], LetsEncrypt));

    [Fact]
    public void Only_iodef_restricts_nothing() =>
        Assert.Equal(CaaVerdict.Permitted, CaaEvaluator.Evaluate([new CaaData(0, "iodef", "mailto:caa@example.com")], LetsEncrypt));

    [Fact]
    public void Critical_unknown_property_forbids_every_ca()
    {
        var records = new[] { new CaaData(0, "issue", "letsencrypt.org"), new CaaData(128, "tbs", "x") };
        Assert.Equal(CaaVerdict.Forbidden, CaaEvaluator.Evaluate(records, LetsEncrypt));
        Assert.True(CaaEvaluator.IsCriticalUnknown(records[1]));
        Assert.False(CaaEvaluator.IsCriticalUnknown(new CaaData(128, "issue", "x")));
    }

    [Fact]
    public void Issuewild_governs_wildcards_and_falls_back_to_issue()
    {
        var records = new[] { new CaaData(0, "issue", "letsencrypt.org"), new CaaData(0, "issuewild", ";") };
        Assert.Equal(CaaVerdict.Permitted, CaaEvaluator.Evaluate(records, LetsEncrypt));
        Assert.Equal(CaaVerdict.Forbidden, CaaEvaluator.Evaluate(records, LetsEncrypt, wildcard: true));
        Assert.Equal(CaaVerdict.Permitted, CaaEvaluator.Evaluate([records[0]], LetsEncrypt, wildcard: true));
    }

    [Fact]
    public void Unknown_issuer_against_a_restricting_set_is_undecided() =>
        Assert.Equal(CaaVerdict.UnknownIssuer, CaaEvaluator.Evaluate([new CaaData(0, "issue", "letsencrypt.org")], []));

    [Fact]
    public void Climb_goes_from_the_name_to_the_tld() =>
        Assert.Equal(["mx1.mail.example.com", "mail.example.com", "example.com", "com"], CaaEvaluator.Climb("mx1.mail.example.com."));

    [Fact]
    public void Issuer_table_parses_entries_and_rejects_garbage()
    {
        var parsed = CaaIssuerTable.Parse("mailtls lab=ca.mailtls.lab; Acme CA=acme.test,acme2.test", out var errors);
        Assert.Empty(errors);
        Assert.Equal(2, parsed.Count);
        Assert.Equal(["acme.test", "acme2.test"], parsed[1].Domains);
        CaaIssuerTable.Parse("no-equals-sign", out var bad);
        Assert.Single(bad);
    }
}
