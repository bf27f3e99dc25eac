using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailTls.Audit;
using MailTls.Dane;
using MailTls.Dns;
using MailTls.Dns.Dnssec;
using MailTls.MtaSts;
using MailTls.Pki;
using MailTls.TlsRpt;

namespace MailTls.Plan;

/// <summary>One TLS session a host presented over STARTTLS on one address.</summary>
public sealed record PresentedSession(string Address, string KeyAlgorithm, IReadOnlyList<X509Certificate2> Chain)
{
    public X509Certificate2? Leaf => Chain.Count > 0 ? Chain[0] : null;

    /// <summary>SHA-256 (hex) of the leaf's SubjectPublicKeyInfo: what a <c>3 1 1</c> record holds.</summary>
    public string? SpkiSha256 => Leaf is { } l ? Hashes.SpkiSha256(l) : null;

    /// <summary>SHA-256 (hex) of the leaf certificate.</summary>
    public string? CertSha256 => Leaf is { } l ? Convert.ToHexStringLower(SHA256.HashData(l.RawData)) : null;
}

/// <summary>What the plan knows about one host: its addresses, what it presents, its TLSA RRset and their DNSSEC state.</summary>
public sealed record HostSnapshot(string Host, bool InZone)
{
    public int Addresses { get; init; }

    /// <summary>Addresses that completed a TLS handshake.</summary>
    public int AddressesWithTls { get; init; }

    public IReadOnlyList<PresentedSession> Sessions { get; init; } = [];

    /// <summary>Why some address gave no TLS session (first problem), or null.</summary>
    public string? ProbeProblem { get; init; }

    /// <summary>Every session's chain is WebPKI-valid for the host name.</summary>
    public bool PkixValid { get; init; }

    public DnssecStatus? AddressDnssec { get; init; }

    public string TlsaOwner { get; init; } = string.Empty;

    public IReadOnlyList<TlsaRecord> Tlsa { get; init; } = [];

    public DaneState Dane { get; init; } = DaneState.None;

    /// <summary>Every session matched the TLSA records (only meaningful when <see cref="Dane"/> is usable).</summary>
    public bool TlsaMatched { get; init; }

    /// <summary>The distinct leaf SPKIs presented, in the order first seen.</summary>
    public IReadOnlyList<X509Certificate2> DistinctLeaves =>
        [.. Sessions.Where(s => s.Leaf is not null).GroupBy(s => s.SpkiSha256).Select(g => g.First().Leaf!)];
}

/// <summary>
/// The state a plan is built from (read by <see cref="PlanSnapshotReader"/>): the zone and its TTLs as the authoritative
/// servers serve them, the MX RRset, the published MTA-STS record and the served policy, TLS-RPT, DNSSEC, and the
/// hosts the change touches. Pure data: the planner is a function of it.
/// </summary>
public sealed record PlanSnapshot
{
    public required string Domain { get; init; }

    public required string Zone { get; init; }

    /// <summary>The plan clock (simulated with --now): waits and first-seen times.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>The real time: certificate and DNSSEC validity are judged at it, whatever the plan clock says.</summary>
    public DateTimeOffset RealNow { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>min(SOA TTL, SOA MINIMUM) of the zone (RFC 2308 §5).</summary>
    public uint NegativeTtl { get; init; }

    public IReadOnlyList<string> Servers { get; init; } = [];

    public string? Primary { get; init; }

    public IReadOnlyDictionary<string, RrsetTtl> Ttls { get; init; } = new Dictionary<string, RrsetTtl>();

    /// <summary>The authoritative MX RRset (preference, host), hosts without trailing dot.</summary>
    public IReadOnlyList<(ushort Preference, string Host)> Mx { get; init; } = [];

    /// <summary>The published <c>_mta-sts</c> record when exactly one valid record is published.</summary>
    public StsRecord? StsRecord { get; init; }

    /// <summary>True when some <c>_mta-sts</c> TXT RRset exists (even invalid).</summary>
    public bool StsTxtExists { get; init; }

    /// <summary>The policy the policy host serves now (fetched whether or not the TXT record exists).</summary>
    public StsPolicy? Policy { get; init; }

    public string? PolicySha256 { get; init; }

    public TlsRptRecord? TlsRpt { get; init; }

    public bool TlsRptTxtExists { get; init; }

    /// <summary>DNSSEC state of the domain's MX RRset.</summary>
    public DnssecStatus? Dnssec { get; init; }

    public IReadOnlyDictionary<string, HostSnapshot> Hosts { get; init; } = new Dictionary<string, HostSnapshot>();

    public RrsetTtl Ttl(string owner, DnsRecordType type) =>
        Ttls.TryGetValue(RrsetTtl.Keyed(owner, type), out var t) ? t : new RrsetTtl(owner, type, null, NegativeTtl);

    public bool InZone(string name) => PlanNamesInZone.Contains(Zone, name);
}

/// <summary>Name arithmetic for plans.</summary>
public static class PlanNamesInZone
{
    /// <summary>True when <paramref name="name"/> is the zone apex or below it (no delegation knowledge: the zone's own view).</summary>
    public static bool Contains(string zone, string name)
    {
        var z = zone.TrimEnd('.').ToLowerInvariant();
        var n = name.TrimEnd('.').ToLowerInvariant();
        return z is "" or "." || n == z || n.EndsWith("." + z, StringComparison.Ordinal);
    }
}

/// <summary>Digests used by plans and the guard.</summary>
public static class Hashes
{
    public static string SpkiSha256(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return CertificateDer.TryGetSubjectPublicKeyInfo(certificate.RawData, out var spki)
            ? Convert.ToHexStringLower(SHA256.HashData(spki.Span))
            : string.Empty;
    }

    public static string SpkiSha256(ReadOnlyMemory<byte> spkiDer) => Convert.ToHexStringLower(SHA256.HashData(spkiDer.Span));

    /// <summary>The canonical hash of a policy (what <c>serve</c>'s id check compares: canonical LF form).</summary>
    public static string Policy(StsPolicy policy) => Serve.PolicyIdState.Hash(policy);
}
