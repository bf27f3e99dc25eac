using MailTls.Audit;
using MailTls.Dns.Dnssec;
using MailTls.Findings;
using MailTls.MtaSts;

namespace MailTls.Watch;

/// <summary>What the MTA-STS part of an audit could establish.</summary>
public enum StsEvidence
{
    /// <summary>Not looked at (the audit stopped early, e.g. bogus DNSSEC, or MTA-STS was not part of it).</summary>
    NotChecked,

    /// <summary>The TXT lookup failed temporarily: nothing is known.</summary>
    TempFailure,

    /// <summary>No usable record: the domain has no MTA-STS policy.</summary>
    NoPolicy,

    /// <summary>One valid record: the policy fetch result tells the rest.</summary>
    Found,
}

/// <summary>One probed MX address: whether a TLS session (so a certificate) was seen.</summary>
public sealed record AddressFacts(string Host, string Address, bool TlsSeen)
{
    /// <summary>The subject prefix findings about this address use (<c>host [address]</c>).</summary>
    public string Subject => $"{Host} [{Address}]";
}

/// <summary>One MX host's DANE state and its TLSA owner name.</summary>
public sealed record HostFacts(string Host, string? TlsaOwner, DaneState Dane);

/// <summary>
/// The facts of one audit the watch needs, taken from a <see cref="DomainAuditResult"/>: the findings, and enough of
/// the evidence to tell "the problem is gone" from "the audit could not see" (a timed-out probe, a failed fetch, a
/// bogus zone that stopped the audit). Kept small and plain so that the comparison logic is testable on its own.
/// </summary>
public sealed record AuditFacts
{
    public required string Domain { get; init; }

    public required DateTimeOffset AuditedAt { get; init; }

    public bool Completed { get; init; } = true;

    public IReadOnlyList<Finding> Findings { get; init; } = [];

    public StsEvidence Sts { get; init; } = StsEvidence.NotChecked;

    public string? PolicyId { get; init; }

    /// <summary>The parsed policy (null when the fetch failed or the policy is invalid).</summary>
    public StsPolicy? Policy { get; init; }

    /// <summary>The policy host completed a TLS handshake, so its certificate was seen.</summary>
    public bool PolicyTlsSeen { get; init; }

    /// <summary>An MX, address or TXT lookup failed temporarily: the MX set is not known.</summary>
    public bool DnsTemporaryFailure { get; init; }

    public bool SmtpProbed { get; init; }

    public IReadOnlyList<AddressFacts> Addresses { get; init; } = [];

    public IReadOnlyList<HostFacts> Hosts { get; init; } = [];

    /// <summary>DNSSEC was validated (the domain's MX RRset at least).</summary>
    public bool DnssecChecked { get; init; }

    /// <summary>The subject of DNSSEC findings about the domain's own MX RRset (<c>domain MX</c>).</summary>
    public string? DomainDnssecSubject { get; init; }

    /// <summary>The domain's MX RRset is bogus: the audit stopped there.</summary>
    public bool DomainBogus { get; init; }

    public static AuditFacts From(DomainAuditResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sts = result.MtaSts.Discovery switch
        {
            StsDiscoveryResult.Found => StsEvidence.Found,
            StsDiscoveryResult.NoPolicy => StsEvidence.NoPolicy,
            StsDiscoveryResult.TempFailure => StsEvidence.TempFailure,
            _ => StsEvidence.NotChecked,
        };
        var tlsSeen = result.MtaSts.Fetch is StsPolicyFetchResult.Fetched or StsPolicyFetchResult.Redirect or StsPolicyFetchResult.HttpStatus
            or StsPolicyFetchResult.BadContentType or StsPolicyFetchResult.TooLarge;
        return new AuditFacts
        {
            Domain = result.Domain,
            AuditedAt = result.CheckedAt,
            Completed = result.Completed,
            Findings = result.Findings,
            Sts = sts,
            PolicyId = result.MtaSts.Discovery is StsDiscoveryResult.Found f ? f.Record.Id : null,
            Policy = result.MtaSts.Policy,
            PolicyTlsSeen = tlsSeen,
            DnsTemporaryFailure = result.Findings.Any(x => x.Code == AuditFindings.MxDnsTemporary.Code),
            SmtpProbed = result.SmtpProbed,
            Addresses = [.. result.Mx.SelectMany(m => m.Addresses.Select(a => new AddressFacts(m.Host, a.Address.ToString(), a.Probe is { Sessions.Count: > 0 })))],
            Hosts = [.. result.Mx.Select(m => new HostFacts(m.Host, m.Tlsa.Owner, m.Tlsa.State))],
            DnssecChecked = result.Dnssec is not null,
            DomainDnssecSubject = result.Dnssec is { } d ? $"{d.Name} {Dns.DnsRecordTypeText.ToText(d.Type)}" : null,
            DomainBogus = result.Dnssec?.Status == DnssecStatus.Bogus,
        };
    }
}
