namespace MailTls.Dns;

/// <summary>One record of a typed answer with its TTL.</summary>
public sealed record DnsRr<T>(string Name, uint Ttl, T Data);

/// <summary>
/// Outcome of a lookup after following CNAMEs (RFC 1034 §3.6.2), with everything a DNSSEC validator needs:
/// the CNAME records and their RRSIGs, the final RRset and its RRSIGs, and the final response's authority
/// section (SOA, NSEC/NSEC3 and their RRSIGs, RFC 4035 §3.1.3).
/// </summary>
public class DnsAnswer
{
    public required string QueryName { get; init; }

    public required DnsRecordType Type { get; init; }

    /// <summary>Answer / NoData / NxDomain for the final name; ServFail / Timeout when any step failed.</summary>
    public required DnsAnswerStatus Status { get; init; }

    /// <summary>The name the answer is for: the last CNAME target, or <see cref="QueryName"/>.</summary>
    public required string CanonicalName { get; init; }

    /// <summary>The CNAME records followed, in order, each with its RRSIGs.</summary>
    public IReadOnlyList<DnsRecord> CnameChain { get; init; } = [];

    /// <summary>RRSIGs over the CNAME records.</summary>
    public IReadOnlyList<DnsRecord> CnameSignatures { get; init; } = [];

    /// <summary>The final RRset (records of <see cref="Type"/> owned by <see cref="CanonicalName"/>).</summary>
    public IReadOnlyList<DnsRecord> Rrset { get; init; } = [];

    /// <summary>RRSIGs covering <see cref="Rrset"/>.</summary>
    public IReadOnlyList<DnsRecord> Signatures { get; init; } = [];

    /// <summary>The final response's authority section (denial proofs).</summary>
    public IReadOnlyList<DnsRecord> Authority { get; init; } = [];

    /// <summary>The AD bit of the final response (informational: the validator does not trust it).</summary>
    public bool AuthenticData { get; init; }

    /// <summary>Why the lookup failed, for ServFail / Timeout.</summary>
    public string? Error { get; init; }

    /// <summary>Smallest TTL over the final RRset, or null without records.</summary>
    public uint? MinimumTtl => Rrset.Count == 0 ? null : Rrset.Min(r => r.Ttl);
}

/// <summary>A lookup outcome with the records parsed into <typeparamref name="T"/> (malformed RDATA skipped).</summary>
public sealed class DnsAnswer<T> : DnsAnswer
{
    public IReadOnlyList<DnsRr<T>> Records { get; init; } = [];
}
