using System.Net;
using System.Text;
using MailTls.Audit;
using MailTls.Dns;
using MailTls.Findings;
using MailTls.MtaSts;
using MailTls.Scan;
using MailTls.Smtp;
using MailTls.TlsRpt;

namespace MailTls.Tests.Scan;

public sealed class ScanSummaryTests
{
    private static readonly AddressVerdict Ok = new(SenderAction.Deliver, SenderAction.Deliver, SenderAction.Deliver, GoverningMechanism.Opportunistic, SenderAction.Deliver, "ok");

    private static DomainAuditResult Result(string domain, StsMode? mode = null, bool rpt = false, bool dane = false, IReadOnlyList<Finding>? findings = null, double probeSeconds = 0.1, string mxHost = "mx.hoster.example", bool completed = true)
    {
        var discovery = mode is null ? null : StsDiscovery.Evaluate(new StsTxtAnswer(DnsAnswerStatus.Answer, [["v=STSv1; id=1"]]));
        var policy = mode is null ? null : StsPolicyParser.Parse(Encoding.UTF8.GetBytes($"version: STSv1\nmode: {mode.Value.ToWireName()}\nmx: {mxHost}\nmax_age: 86400\n")).Policy;
        var selection = rpt ? TlsRptRecordSelector.Select([["v=TLSRPTv1; rua=mailto:r@example.net"]]) : null;
        var probe = new StartTlsProbeResult(mxHost, IPAddress.Parse("192.0.2.25"), SmtpProbeOutcome.TlsEstablished, "ok", "220 hi", ["STARTTLS"], [], TimeSpan.FromSeconds(probeSeconds));
        var tlsa = new TlsaAudit(null, DnsAnswerStatus.Answer, null, [], dane ? DaneState.Usable : DaneState.None);
        var mx = new MxAudit(mxHost, 10, null, [new AddressAudit(IPAddress.Parse("192.0.2.25"), probe, [], [], Ok)], null, null, null, tlsa, null, SenderAction.Deliver, GoverningMechanism.Opportunistic);
        return new DomainAuditResult
        {
            Domain = domain,
            CheckedAt = DateTimeOffset.UnixEpoch,
            Findings = findings ?? [],
            Mx = [mx],
            MtaSts = new StsAudit(discovery, null, policy, null),
            TlsRpt = new TlsRptAudit(DnsAnswerStatus.Answer, selection),
            Completed = completed,
            Summary = domain,
            Elapsed = TimeSpan.FromSeconds(1),
        };
    }

    [Fact]
    public void Adoption_modes_and_errors_are_counted_per_domain()
    {
        var s = new ScanSummary();
        var error = AuditFindings.MxNoAddress.Create("mx", "no address");
        Assert.Equal(Severity.Error, error.Severity);
        var warning = AuditFindings.MxIpv6Only.Create("mx", "v6 only");
        s.Add(Result("a.example", StsMode.Enforce, rpt: true, dane: true));
        s.Add(Result("b.example", StsMode.Testing, findings: [error, error, warning]));
        s.Add(Result("c.example", findings: [warning]));
        s.Add(Result("d.example", StsMode.Enforce, rpt: true, findings: [error], completed: false));

        Assert.Equal(4, s.Domains);
        Assert.Equal(3, s.WithMtaSts);
        Assert.Equal(3, s.WithMtaStsRecord);
        Assert.Equal(2, s.WithTlsRpt);
        Assert.Equal(1, s.WithDane);
        Assert.Equal(2, s.WithErrors);
        Assert.Equal(1, s.Incomplete);
        Assert.Equal(new Dictionary<string, int> { ["enforce"] = 2, ["testing"] = 1 }, s.StsModes);
        // A code counts once per domain however often it occurs there.
        Assert.Equal(new Dictionary<string, int> { [error.Code] = 2 }, s.ErrorsByCode);
        // Equal counts: ordered by code.
        var codes = new[] { error.Code, warning.Code }.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(codes.Select(c => new KeyValuePair<string, int>(c, 2)), s.TopFindings());
    }

    [Fact]
    public void Slowest_hosts_keep_the_maximum_per_host_and_address_slowest_first()
    {
        var s = new ScanSummary();
        s.Add(Result("a.example", probeSeconds: 0.5, mxHost: "mx1.example"));
        s.Add(Result("b.example", probeSeconds: 2.0, mxHost: "mx1.example"));
        s.Add(Result("c.example", probeSeconds: 1.0, mxHost: "mx2.example"));
        var slow = s.SlowestHosts();
        Assert.Equal(["mx1.example", "mx2.example"], slow.Select(h => h.Host));
        Assert.Equal([2.0, 1.0], slow.Select(h => h.Seconds));
        Assert.All(slow, h => Assert.Equal("192.0.2.25", h.Address));
    }

    [Fact]
    public void The_tables_stay_bounded_however_many_hosts()
    {
        var s = new ScanSummary();
        for (var i = 0; i < 5000; i++)
        {
            s.Add(Result($"d{i}.example", probeSeconds: i / 1000.0, mxHost: $"mx{i}.example"));
        }

        var slow = s.SlowestHosts();
        Assert.Equal(Limits.ScanSummaryTopRows, slow.Count);
        Assert.Equal("mx4999.example", slow[0].Host);
        Assert.Equal(5000, s.Domains);
    }

    [Fact]
    public void Skips_and_invalid_lines_are_counted_apart_from_domains()
    {
        var s = new ScanSummary();
        s.AddSkipped(3);
        s.AddInvalidLine();
        Assert.Equal(0, s.Domains);
        Assert.Equal(3, s.Skipped);
        Assert.Equal(1, s.InvalidLines);
    }
}
