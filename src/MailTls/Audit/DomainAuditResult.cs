using System.Net;
using MailTls.Dane;
using MailTls.Dns;
using MailTls.Dns.Dnssec;
using MailTls.Findings;
using MailTls.MtaSts;
using MailTls.Pki;
using MailTls.Smtp;
using MailTls.TlsRpt;

namespace MailTls.Audit;

/// <summary>One TLS session of an address matched against the MX host's TLSA records.</summary>
public sealed record DaneSessionMatch(string KeyAlgorithm, TlsaMatchResult Result);

/// <summary>One MX address: the probe, the WebPKI verdict per session, the DANE matches and the sender verdicts.</summary>
public sealed record AddressAudit(
    IPAddress Address,
    StartTlsProbeResult? Probe,
    IReadOnlyList<WebPkiResult> Pki,
    IReadOnlyList<DaneSessionMatch> Dane,
    AddressVerdict Verdict);

/// <summary>TLSA records of an MX host as found (RFC 7672 §2.2.2 owner choice) with their DNSSEC status.</summary>
public sealed record TlsaAudit(string? Owner, DnsAnswerStatus Status, DnssecStatus? Dnssec, IReadOnlyList<TlsaRecord> Records, DaneState State);

/// <summary>CAA evaluation for one name (an MX host or the policy host).</summary>
public sealed record CaaAudit(string Name, string? RelevantOwner, IReadOnlyList<CaaData> Records, string? Issuer, IReadOnlyList<string> IssuerDomains, CaaVerdict Verdict);

/// <summary>One MX host.</summary>
public sealed record MxAudit(
    string Host,
    ushort Preference,
    string? CanonicalName,
    IReadOnlyList<AddressAudit> Addresses,
    DnssecStatus? AddressDnssec,
    bool? CoveredByPolicy,
    string? MatchedPattern,
    TlsaAudit Tlsa,
    CaaAudit? Caa,
    SenderAction Verdict,
    GoverningMechanism Governs);

/// <summary>MTA-STS evidence: discovery, the fetch and the parsed policy.</summary>
public sealed record StsAudit(StsDiscoveryResult? Discovery, StsPolicyFetchResult? Fetch, StsPolicy? Policy, CaaAudit? PolicyHostCaa);

/// <summary>TLS-RPT evidence.</summary>
public sealed record TlsRptAudit(DnsAnswerStatus Status, TlsRptRecordSelection? Selection);

/// <summary>Everything one check of a domain found.</summary>
public sealed record DomainAuditResult
{
    public required string Domain { get; init; }

    public required DateTimeOffset CheckedAt { get; init; }

    public required IReadOnlyList<Finding> Findings { get; init; }

    public IReadOnlyList<MxAudit> Mx { get; init; } = [];

    /// <summary>True when the domain publishes a null MX (RFC 7505).</summary>
    public bool NullMx { get; init; }

    public StsAudit MtaSts { get; init; } = new(null, null, null, null);

    public TlsRptAudit TlsRpt { get; init; } = new(DnsAnswerStatus.NoData, null);

    /// <summary>Validation of the domain's MX RRset (the domain's DNSSEC state).</summary>
    public DnssecResult? Dnssec { get; init; }

    /// <summary>The zone is signed but the parent has no DS.</summary>
    public bool DsMissing { get; init; }

    public bool SmtpProbed { get; init; }

    public bool Port25Blocked { get; init; }

    /// <summary>False when the check could not be completed (resolver unreachable): exit 3.</summary>
    public bool Completed { get; init; } = true;

    public string? IncompleteReason { get; init; }

    /// <summary>One line a person can act on.</summary>
    public required string Summary { get; init; }

    public TimeSpan Elapsed { get; init; }
}
