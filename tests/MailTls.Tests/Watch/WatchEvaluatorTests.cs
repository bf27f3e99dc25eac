using MailTls.Audit;
using MailTls.Findings;
using MailTls.MtaSts;
using MailTls.Serve;
using MailTls.Watch;
using static MailTls.Tests.Watch.WatchTestData;

namespace MailTls.Tests.Watch;

public sealed class WatchEvaluatorTests
{
    private static PolicyBaseline BaselineOf(AuditFacts f) => new(f.PolicyId!, PolicyIdState.Hash(f.Policy!), f.Policy!.RawText!, f.AuditedAt);

    [Fact]
    public void Findings_map_to_their_alert_kind_per_subject_with_the_worst_severity()
    {
        var facts = Clean(null, CertExpiring(), CertExpired("mx1.example.com [192.0.2.1]"), TlsaMismatch(), NotCovered(),
            AuditFindings.MxIpv6Only.Create("mx1.example.com", "IPv6 only"));
        var o = WatchEvaluator.Evaluate(facts, BaselineOf(facts));
        Assert.Equal(
            [("mx-cert-expiring", "mx1.example.com [192.0.2.1]", Severity.Error, "smtp.cert.expired,smtp.cert.expiring"),
             ("mx-not-covered", "mx3.example.com", Severity.Error, "sts.mx.not-covered"),
             ("tlsa-mismatch", "mx2.example.com [192.0.2.2]", Severity.Error, "dane.tlsa.mismatch")],
            o.Problems.Select(p => (p.Kind.Id, p.Subject, p.Severity, string.Join(',', p.Codes))).ToArray());
        Assert.Contains("expires 2026-03-10", o.Problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("expired.", o.Problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void First_policy_becomes_the_baseline_without_an_alert()
    {
        var facts = Clean();
        var o = WatchEvaluator.Evaluate(facts, baseline: null);
        Assert.Empty(o.Problems);
        Assert.Equal(("1", PolicyIdState.Hash(facts.Policy!)), (o.NewBaseline!.Id, o.NewBaseline.Sha256));
    }

    [Fact]
    public void Policy_changed_under_the_same_id_is_a_problem_and_keeps_the_old_baseline()
    {
        var before = Clean();
        var after = Clean(T0.AddHours(1)) with { Policy = Policy("mx1.example.com") };
        var o = WatchEvaluator.Evaluate(after, BaselineOf(before));
        var p = Assert.Single(o.Problems);
        Assert.Equal(("policy-changed-without-id-bump", "_mta-sts.example.com", Severity.Error), (p.Kind.Id, p.Subject, p.Severity));
        Assert.Contains("mx mx1.example.com mx2.example.com → mode enforce, max_age 86400, mx mx1.example.com", p.Message, StringComparison.Ordinal);
        Assert.Contains("id=1", p.Message, StringComparison.Ordinal);
        Assert.Null(o.NewBaseline);
    }

    [Fact]
    public void Line_endings_alone_are_not_a_policy_change()
    {
        var before = Clean();
        var lf = StsPolicyParser.Parse("version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: mx2.example.com\nmax_age: 86400\n").Policy!;
        var o = WatchEvaluator.Evaluate(Clean(T0.AddHours(1)) with { Policy = lf }, BaselineOf(before));
        Assert.Empty(o.Problems);
        Assert.Null(o.NewBaseline);
    }

    [Fact]
    public void A_new_id_takes_the_new_policy_as_baseline()
    {
        var before = Clean();
        var after = Clean(T0.AddHours(1)) with { PolicyId = "2", Policy = Policy("mx1.example.com") };
        var o = WatchEvaluator.Evaluate(after, BaselineOf(before));
        Assert.Empty(o.Problems);
        Assert.Equal("2", o.NewBaseline!.Id);
        Assert.True(o.CanSee(AlertKinds.PolicyChangedWithoutIdBump, "_mta-sts.example.com"));
    }

    [Fact]
    public void An_incomplete_audit_sees_nothing_and_sets_no_baseline()
    {
        var facts = Clean() with { Completed = false, Policy = Policy("other.example.com") };
        var o = WatchEvaluator.Evaluate(facts, BaselineOf(Clean()));
        Assert.Empty(o.Problems);
        Assert.Null(o.NewBaseline);
        Assert.All(AlertKinds.All, k => Assert.False(o.CanSee(k, "mx1.example.com [192.0.2.1]")));
    }

    [Fact]
    public void Address_alerts_need_a_tls_session_to_clear()
    {
        var facts = Clean() with { Addresses = [new AddressFacts("mx1.example.com", "192.0.2.1", TlsSeen: false), new AddressFacts("mx2.example.com", "192.0.2.2", true)] };
        var o = WatchEvaluator.Evaluate(facts, BaselineOf(facts));
        Assert.False(o.CanSee(AlertKinds.MxCertExpiring, "mx1.example.com [192.0.2.1]"));
        Assert.False(o.CanSee(AlertKinds.MxCertExpiring, "mx1.example.com [192.0.2.1] RSA"));
        Assert.True(o.CanSee(AlertKinds.MxCertExpiring, "mx2.example.com [192.0.2.2]"));
        Assert.True(o.CanSee(AlertKinds.MxCertExpiring, "gone.example.com [192.0.2.9]"));
        Assert.False(WatchEvaluator.Evaluate(facts with { SmtpProbed = false }, null).CanSee(AlertKinds.MxCertExpiring, "mx2.example.com [192.0.2.2]"));
        Assert.False(WatchEvaluator.Evaluate(facts with { DnsTemporaryFailure = true }, null).CanSee(AlertKinds.MxCertExpiring, "gone.example.com [192.0.2.9]"));
    }

    [Fact]
    public void Tlsa_alerts_stay_open_while_the_tlsa_lookup_fails()
    {
        var facts = Clean() with { Hosts = [new HostFacts("mx1.example.com", null, DaneState.LookupFailed), new HostFacts("mx2.example.com", "_25._tcp.mx2.example.com", DaneState.Usable)] };
        var o = WatchEvaluator.Evaluate(facts, null);
        Assert.False(o.CanSee(AlertKinds.TlsaMismatch, "mx1.example.com [192.0.2.1]"));
        Assert.False(o.CanSee(AlertKinds.TlsaMismatch, "_25._tcp.mx1.example.com TLSA"));
        Assert.True(o.CanSee(AlertKinds.TlsaMismatch, "mx2.example.com [192.0.2.2]"));
        Assert.True(o.CanSee(AlertKinds.TlsaMismatch, "_25._tcp.mx2.example.com TLSA"));
        Assert.True(o.CanSee(AlertKinds.MxCertExpiring, "mx1.example.com [192.0.2.1]"));
    }

    [Theory]
    [InlineData(StsEvidence.NotChecked, false, false, false)]
    [InlineData(StsEvidence.TempFailure, false, false, false)]
    [InlineData(StsEvidence.NoPolicy, true, true, true)]
    [InlineData(StsEvidence.Found, true, false, false)]
    public void Policy_alerts_clear_only_when_the_policy_could_be_seen(StsEvidence sts, bool unreachable, bool certExpiring, bool notCovered)
    {
        // Found with a failed fetch: no policy, no TLS session.
        var facts = Clean() with { Sts = sts, Policy = null, PolicyTlsSeen = false };
        var o = WatchEvaluator.Evaluate(facts, null);
        Assert.Equal(unreachable, o.CanSee(AlertKinds.PolicyUnreachable, "mta-sts.example.com"));
        Assert.Equal(certExpiring, o.CanSee(AlertKinds.PolicyCertExpiring, "mta-sts.example.com"));
        Assert.Equal(notCovered, o.CanSee(AlertKinds.MxNotCovered, "mx3.example.com"));
        Assert.Equal(notCovered, o.CanSee(AlertKinds.PolicyChangedWithoutIdBump, "_mta-sts.example.com"));
    }

    [Fact]
    public void A_bogus_zone_hides_everything_but_its_own_rrset()
    {
        var facts = Clean(null, Bogus()) with { DomainBogus = true, Sts = StsEvidence.NotChecked, Addresses = [], Hosts = [] };
        var o = WatchEvaluator.Evaluate(facts, null);
        Assert.Equal("dnssec-bogus", Assert.Single(o.Problems).Kind.Id);
        Assert.True(o.CanSee(AlertKinds.DnssecBogus, "example.com MX"));
        Assert.False(o.CanSee(AlertKinds.DnssecBogus, "mx1.example.com A"));
        Assert.False(o.CanSee(AlertKinds.MxCertExpiring, "mx1.example.com [192.0.2.1]"));
        Assert.False(o.CanSee(AlertKinds.PolicyUnreachable, "mta-sts.example.com"));
    }

    [Fact]
    public void An_indeterminate_rrset_keeps_its_dnssec_alerts()
    {
        var facts = Clean(null, MailTls.Dns.Dnssec.DnssecFindings.Indeterminate.Create("mx1.example.com A", "SERVFAIL"));
        var o = WatchEvaluator.Evaluate(facts, null);
        Assert.False(o.CanSee(AlertKinds.DnssecSignatureExpiring, "mx1.example.com A"));
        Assert.True(o.CanSee(AlertKinds.DnssecSignatureExpiring, "example.com MX"));
    }

    [Fact]
    public void The_reports_rule_is_seen_only_when_evaluated()
    {
        var facts = Clean();
        var notEvaluated = new TlsRptJumpResult(false, 3, 3, 0, 0, null);
        Assert.False(WatchEvaluator.Evaluate(facts, null, notEvaluated).CanSee(AlertKinds.TlsRptFailureJump, Domain));
        var jump = WatchFindings.TlsRptFailureJump.Create(Domain, "jump");
        var o = WatchEvaluator.Evaluate(facts, null, new TlsRptJumpResult(true, 100, 50, 1000, 10, jump));
        Assert.Equal(("tlsrpt-failure-jump", Domain, Severity.Warning), (o.Problems[0].Kind.Id, o.Problems[0].Subject, o.Problems[0].Severity));
        Assert.True(o.CanSee(AlertKinds.TlsRptFailureJump, Domain));
    }
}
