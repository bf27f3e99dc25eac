using System.Net;
using MailTls.Audit;
using MailTls.Smtp;

namespace MailTls.Tests.Audit;

/// <summary>The audit's pure rules: port 25 blocked detection and the summary line.</summary>
public sealed class DomainAuditorRulesTests
{
    private static StartTlsProbeResult Probe(SmtpProbeOutcome outcome, string ip = "192.0.2.1") =>
        new("mx.example.test", IPAddress.Parse(ip), outcome, "detail", null, [], [], TimeSpan.FromSeconds(1));

    [Fact]
    public void Every_address_timing_out_on_connect_looks_like_a_blocked_port() =>
        Assert.True(DomainAuditor.LooksLikePort25Blocked([Probe(SmtpProbeOutcome.ConnectTimeout), Probe(SmtpProbeOutcome.ConnectTimeout, "192.0.2.2")]));

    [Theory]
    [InlineData(SmtpProbeOutcome.BannerTimeout)]
    [InlineData(SmtpProbeOutcome.Refused)]
    [InlineData(SmtpProbeOutcome.TlsEstablished)]
    public void One_address_that_answers_the_syn_means_the_port_is_not_blocked(SmtpProbeOutcome other) =>
        Assert.False(DomainAuditor.LooksLikePort25Blocked([Probe(SmtpProbeOutcome.ConnectTimeout), Probe(other, "192.0.2.2")]));

    [Fact]
    public void No_probes_is_not_a_blocked_port() =>
        Assert.False(DomainAuditor.LooksLikePort25Blocked([]));
}
