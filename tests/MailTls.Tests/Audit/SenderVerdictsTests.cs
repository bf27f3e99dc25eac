using MailTls.Audit;
using MailTls.MtaSts;
using MailTls.Smtp;

namespace MailTls.Tests.Audit;

/// <summary>The sender rules: MTA-STS (RFC 8461 §4, §5), DANE (RFC 7672 §2.2, §3) and opportunistic TLS, and which governs.</summary>
public sealed class SenderVerdictsTests
{
    private static readonly VerdictInput GoodTls = new() { Probe = SmtpProbeOutcome.TlsEstablished, PkixValid = true, CoveredByPolicy = true };

    [Fact]
    public void Enforce_with_valid_tls_delivers_under_mta_sts()
    {
        var v = SenderVerdicts.Decide(GoodTls with { StsMode = StsMode.Enforce });
        Assert.Equal((SenderAction.Deliver, GovernningOf(v)), (v.Verdict, GoverningMechanism.MtaSts));
    }

    [Fact]
    public void Enforce_refuses_an_uncovered_mx_and_testing_reports_it()
    {
        Assert.Equal(SenderAction.Refuse, SenderVerdicts.Decide(GoodTls with { StsMode = StsMode.Enforce, CoveredByPolicy = false }).Verdict);
        Assert.Equal(SenderAction.DeliverWithReport, SenderVerdicts.Decide(GoodTls with { StsMode = StsMode.Testing, CoveredByPolicy = false }).Verdict);
    }

    [Theory]
    [InlineData(SmtpProbeOutcome.StartTlsNotOffered)]
    [InlineData(SmtpProbeOutcome.HandshakeFailed)]
    public void No_tls_refused_under_enforce_but_opportunistic_delivers(SmtpProbeOutcome outcome)
    {
        var v = SenderVerdicts.Decide(GoodTls with { Probe = outcome, PkixValid = false, StsMode = StsMode.Enforce });
        Assert.Equal(SenderAction.Refuse, v.MtaSts);
        Assert.Equal(SenderAction.Deliver, v.Opportunistic);
        Assert.Equal(SenderAction.Refuse, v.Verdict);
    }

    [Fact]
    public void Bad_certificate_matters_only_to_mta_sts()
    {
        var v = SenderVerdicts.Decide(GoodTls with { PkixValid = false, StsMode = StsMode.Enforce });
        Assert.Equal(SenderAction.Refuse, v.MtaSts);
        Assert.Equal(SenderAction.Deliver, v.Opportunistic);
        var none = SenderVerdicts.Decide(GoodTls with { PkixValid = false });
        Assert.Equal((SenderAction.NotApplicable, GoverningMechanism.Opportunistic, SenderAction.Deliver), (none.MtaSts, none.Governs, none.Verdict));
    }

    [Fact]
    public void Dane_takes_precedence_over_mta_sts_where_usable_tlsa_exist()
    {
        var matched = SenderVerdicts.Decide(GoodTls with { StsMode = StsMode.Enforce, PkixValid = false, Dane = DaneState.Usable, DaneMatched = true });
        Assert.Equal((GoverningMechanism.Dane, SenderAction.Deliver, SenderAction.Refuse), (matched.Governs, matched.Verdict, matched.MtaSts));
        var stale = SenderVerdicts.Decide(GoodTls with { StsMode = StsMode.Enforce, Dane = DaneState.Usable, DaneMatched = false });
        Assert.Equal((GoverningMechanism.Dane, SenderAction.Refuse, SenderAction.Deliver), (stale.Governs, stale.Verdict, stale.MtaSts));
    }

    [Fact]
    public void All_unusable_tlsa_make_tls_mandatory_but_do_not_govern()
    {
        var v = SenderVerdicts.Decide(GoodTls with { StsMode = StsMode.Enforce, Dane = DaneState.AllUnusable });
        Assert.Equal((GoverningMechanism.MtaSts, SenderAction.Deliver), (v.Governs, v.Dane));
        var plain = SenderVerdicts.Decide(GoodTls with { Probe = SmtpProbeOutcome.StartTlsNotOffered, Dane = DaneState.AllUnusable });
        Assert.Equal(SenderAction.Refuse, plain.Dane);
    }

    [Fact]
    public void Failed_tlsa_lookup_defers_dane_senders() =>
        Assert.Equal(SenderAction.Refuse, SenderVerdicts.Decide(GoodTls with { Dane = DaneState.LookupFailed }).Verdict);

    [Fact]
    public void Insecure_tlsa_are_ignored() =>
        Assert.Equal(GoverningMechanism.Opportunistic, SenderVerdicts.Decide(GoodTls with { Dane = DaneState.Insecure }).Governs);

    [Fact]
    public void Unreachable_address_is_refused_by_everyone()
    {
        var v = SenderVerdicts.Decide(GoodTls with { Probe = SmtpProbeOutcome.BannerTimeout, StsMode = StsMode.Testing });
        Assert.Equal((SenderAction.Refuse, SenderAction.Refuse), (v.MtaSts, v.Opportunistic));
    }

    [Fact]
    public void Bogus_dnssec_refuses_everything() =>
        Assert.Equal(SenderAction.Refuse, SenderVerdicts.Decide(GoodTls with { Bogus = true }).Verdict);

    [Fact]
    public void Not_probed_is_unknown_except_where_dns_alone_decides()
    {
        var unknown = SenderVerdicts.Decide(new VerdictInput { StsMode = StsMode.Enforce, CoveredByPolicy = true });
        Assert.Equal(SenderAction.Unknown, unknown.Verdict);
        var uncovered = SenderVerdicts.Decide(new VerdictInput { StsMode = StsMode.Enforce, CoveredByPolicy = false });
        Assert.Equal(SenderAction.Refuse, uncovered.Verdict);
    }

    [Fact]
    public void Worst_orders_refuse_above_everything() =>
        Assert.Equal(SenderAction.Refuse, SenderVerdicts.Worst([SenderAction.Deliver, SenderAction.Refuse, SenderAction.DeliverWithReport]));

    private static GoverningMechanism GovernningOf(AddressVerdict v) => v.Governs;
}
