using MailTls.Audit;
using MailTls.Dane;
using MailTls.Dns.Dnssec;
using MailTls.Findings;
using MailTls.MtaSts;

namespace MailTls.Watch;

/// <summary>What part of an audit an alert kind depends on, and so when an audit can tell that it cleared.</summary>
public enum AlertScope
{
    /// <summary>The MTA-STS record and policy fetch (subject: a policy host, an MX host or the TXT name).</summary>
    Policy,

    /// <summary>The STARTTLS session of one MX address (subject: <c>host [address]</c>, or a TLSA RRset).</summary>
    MxAddress,

    /// <summary>DNSSEC validation of one RRset (subject: <c>name TYPE</c>).</summary>
    Dnssec,

    /// <summary>The TLS-RPT reports stored for the domain (subject: the domain).</summary>
    Reports,
}

/// <summary>
/// One alert kind of <c>mailtls watch</c>: a stable identifier (used in the alert store, in notices and in
/// configuration), a title, and the finding codes that raise it. An alert is open while an audit reports one of
/// the codes for the same subject, and resolved when an audit that could see the subject no longer does.
/// </summary>
public sealed record AlertKind(string Id, string Title, AlertScope Scope, IReadOnlyList<FindingDefinition> Findings)
{
    public bool Matches(string code) => Findings.Any(f => string.Equals(f.Code, code, StringComparison.Ordinal));
}

/// <summary>
/// The alert kinds and the finding codes (docs/findings.md) behind each: the watch never re-derives a rule, it
/// maps what <c>check</c> (the same <see cref="DomainAuditor"/>) reports, plus the two comparisons over time in
/// <see cref="WatchFindings"/>. The identifiers are a contract (docs/watch.md): extend, never rename.
/// </summary>
public static class AlertKinds
{
    public static readonly AlertKind PolicyChangedWithoutIdBump = new(
        "policy-changed-without-id-bump", "MTA-STS policy changed without an id change", AlertScope.Policy,
        [WatchFindings.PolicyIdNotBumped]);

    public static readonly AlertKind MxNotCovered = new(
        "mx-not-covered", "MX host not covered by the MTA-STS policy", AlertScope.Policy,
        [StsFindings.MxNotCovered]);

    /// <summary>Expired is included so that an expiring certificate that then expires stays one alert.</summary>
    public static readonly AlertKind MxCertExpiring = new(
        "mx-cert-expiring", "MX certificate expiring", AlertScope.MxAddress,
        [AuditFindings.SmtpCertExpiring, AuditFindings.SmtpCertExpired]);

    public static readonly AlertKind PolicyCertExpiring = new(
        "policy-cert-expiring", "Policy host certificate expiring", AlertScope.Policy,
        [AuditFindings.PolicyCertExpiring, AuditFindings.PolicyCertExpired]);

    public static readonly AlertKind TlsaMismatch = new(
        "tlsa-mismatch", "TLSA records no longer match the MX certificate", AlertScope.MxAddress,
        [DaneFindings.Mismatch, DaneFindings.TaNotPresented, DaneFindings.NameMismatch, DaneFindings.ChainInvalid,
         DaneFindings.ChainIncomplete, DaneFindings.Expired, DaneFindings.AllUnusable]);

    public static readonly AlertKind DnssecBogus = new(
        "dnssec-bogus", "DNSSEC validation fails", AlertScope.Dnssec,
        [DnssecFindings.Bogus]);

    /// <summary>Expired is included so that an expiring signature that then expires stays one alert (next to <see cref="DnssecBogus"/>).</summary>
    public static readonly AlertKind DnssecSignatureExpiring = new(
        "dnssec-signature-expiring", "DNSSEC signatures near expiry", AlertScope.Dnssec,
        [DnssecFindings.SignatureExpiring, DnssecFindings.SignatureExpired]);

    /// <summary>Every way senders fail to get a usable policy from the policy host, except certificate expiry (<see cref="PolicyCertExpiring"/>).</summary>
    public static readonly AlertKind PolicyUnreachable = new(
        "policy-unreachable", "MTA-STS policy cannot be fetched", AlertScope.Policy,
        [AuditFindings.PolicyHostUnresolvable, AuditFindings.PolicyConnectFailed, AuditFindings.PolicyTimeout, AuditFindings.PolicyTlsFailed,
         AuditFindings.PolicyHttpStatus, AuditFindings.PolicyRedirect, AuditFindings.PolicyContentType, StsFindings.PolicyTooLarge,
         AuditFindings.PolicyCertUntrusted, AuditFindings.PolicyCertNameMismatch, AuditFindings.PolicyCertNotYetValid]);

    public static readonly AlertKind TlsRptFailureJump = new(
        "tlsrpt-failure-jump", "TLS-RPT failure rate jump", AlertScope.Reports,
        [WatchFindings.TlsRptFailureJump]);

    /// <summary>Every kind, in documentation order.</summary>
    public static IReadOnlyList<AlertKind> All { get; } =
    [
        PolicyChangedWithoutIdBump, MxNotCovered, MxCertExpiring, PolicyCertExpiring, TlsaMismatch,
        DnssecBogus, DnssecSignatureExpiring, PolicyUnreachable, TlsRptFailureJump,
    ];

    /// <summary>The kinds a finding code raises (none for codes the watch does not alert on).</summary>
    public static IEnumerable<AlertKind> ForCode(string code) => All.Where(k => k.Matches(code));

    public static AlertKind? Find(string id) => All.FirstOrDefault(k => string.Equals(k.Id, id, StringComparison.Ordinal));
}
