using System.Globalization;
using MailTls.Audit;
using MailTls.Findings;
using MailTls.MtaSts;
using MailTls.Watch;

namespace MailTls.Tests.Watch;

/// <summary>Audit facts and reports for the watch tests: a domain with two MX addresses, MTA-STS and DANE.</summary>
internal static class WatchTestData
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public const string Domain = "example.com";

    public static StsPolicy Policy(params string[] mx) =>
        StsPolicyParser.Parse($"version: STSv1\r\nmode: enforce\r\n{string.Concat(mx.Select(m => "mx: " + m + "\r\n"))}max_age: 86400\r\n").Policy!;

    /// <summary>A complete, clean audit: mx1 and mx2 probed with TLS, DANE usable, policy id "1" listing both.</summary>
    public static AuditFacts Clean(DateTimeOffset? at = null, params Finding[] findings) => new()
    {
        Domain = Domain,
        AuditedAt = at ?? T0,
        Findings = findings,
        Sts = StsEvidence.Found,
        PolicyId = "1",
        Policy = Policy("mx1.example.com", "mx2.example.com"),
        PolicyTlsSeen = true,
        SmtpProbed = true,
        Addresses = [new AddressFacts("mx1.example.com", "192.0.2.1", true), new AddressFacts("mx2.example.com", "192.0.2.2", true)],
        Hosts = [new HostFacts("mx1.example.com", "_25._tcp.mx1.example.com", DaneState.Usable), new HostFacts("mx2.example.com", "_25._tcp.mx2.example.com", DaneState.Usable)],
        DnssecChecked = true,
        DomainDnssecSubject = "example.com MX",
    };

    public static Finding CertExpiring(string subject = "mx1.example.com [192.0.2.1]") =>
        AuditFindings.SmtpCertExpiring.Create(subject, "The certificate expires 2026-03-10 00:00:00Z.");

    public static Finding CertExpired(string subject = "mx1.example.com [192.0.2.1]") =>
        AuditFindings.SmtpCertExpired.Create(subject, "The certificate expired.");

    public static Finding TlsaMismatch(string subject = "mx2.example.com [192.0.2.2]") =>
        MailTls.Dane.DaneFindings.Mismatch.Create(subject, "No TLSA record matches.");

    public static Finding NotCovered(string host = "mx3.example.com") =>
        StsFindings.MxNotCovered.Create(host, $"MX host {host} matches none of the policy's mx patterns.", severity: Severity.Error);

    public static Finding Http404() =>
        AuditFindings.PolicyHttpStatus.Create("mta-sts." + Domain, "https://mta-sts.example.com/.well-known/mta-sts.txt answered HTTP 404.");

    public static Finding Bogus(string subject = "example.com MX") => MailTls.Dns.Dnssec.DnssecFindings.Bogus.Create(subject, "bogus");

    /// <summary>An RFC 8460 report for one UTC day with the given session counts.</summary>
    public static string Report(string domain, DateOnly day, long ok, long failed, string id) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
        {"organization-name":"Sender","date-range":{"start-datetime":"{{day:yyyy-MM-dd}}T00:00:00Z","end-datetime":"{{day:yyyy-MM-dd}}T23:59:59Z"},
         "contact-info":"tlsrpt@sender.example","report-id":"{{id}}",
         "policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: mx1.{{domain}}","max_age: 86400"],"policy-domain":"{{domain}}","mx-host":["mx1.{{domain}}"]},
           "summary":{"total-successful-session-count":{{ok}},"total-failure-session-count":{{failed}}},
           "failure-details":[{"result-type":"certificate-expired","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx1.{{domain}}","receiving-ip":"198.51.100.7","failed-session-count":{{failed}}}]}]}
        """);
}
