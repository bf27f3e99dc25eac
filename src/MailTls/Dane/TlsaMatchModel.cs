using System.Security.Cryptography.X509Certificates;
using MailTls.Findings;

namespace MailTls.Dane;

/// <summary>Settings for <see cref="TlsaMatcher.Match"/> (RFC 7672 §3 defaults for SMTP).</summary>
public sealed record TlsaMatchOptions
{
    /// <summary>
    /// Reference identifiers for DANE-TA(2) (and PKIX) name checks: the TLSA base domain, the MX host name and the
    /// next-hop domain (RFC 7672 §3.2.3). Any one matching a SAN DNS-ID of the leaf suffices.
    /// </summary>
    public IReadOnlyList<string> ReferenceNames { get; init; } = [];

    /// <summary>The time at which DANE-TA(2) and PKIX chains must be valid.</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>
    /// Name-check DANE-EE(3) matches too. RFC 7671 §5.1 and RFC 7672 §3.2 forbid this for SMTP, so the default is
    /// false; true reproduces OpenSSL's default (without <c>DANE_FLAG_NO_DANE_EE_NAMECHECKS</c>).
    /// </summary>
    public bool CheckDaneEeNames { get; init; }

    /// <summary>
    /// Evaluate PKIX-TA(0)/PKIX-EE(1) records against <see cref="TrustedRoots"/>. False for SMTP: RFC 7672 §3.1.3 lets
    /// clients treat them as unusable, and Postfix does.
    /// </summary>
    public bool AllowPkixUsages { get; init; }

    /// <summary>PKIX trust anchors for usages 0 and 1 (ignored unless <see cref="AllowPkixUsages"/>).</summary>
    public IReadOnlyList<X509Certificate2> TrustedRoots { get; init; } = [];
}

/// <summary>Overall outcome of matching a presented chain against a TLSA RRset.</summary>
public enum TlsaMatchStatus
{
    /// <summary>A usable record authenticates the chain.</summary>
    Matched,

    /// <summary>No usable record (RFC 7672 §2.2: mandatory unauthenticated TLS at best).</summary>
    NoUsableRecords,

    /// <summary>No record matches any eligible certificate (OpenSSL X509_V_ERR_DANE_NO_MATCH, 65).</summary>
    Mismatch,

    /// <summary>A record matched but the leaf names match no reference identifier (X509_V_ERR_HOSTNAME_MISMATCH, 62).</summary>
    NameMismatch,

    /// <summary>A record matched but no issuer for some certificate on the path (X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 20).</summary>
    ChainIncomplete,

    /// <summary>A record matched but a signature or CA constraint on the path failed.</summary>
    ChainInvalid,

    /// <summary>A record matched but a certificate on the path is outside its validity period.</summary>
    Expired,
}

/// <summary>What happened to one record during matching.</summary>
public enum TlsaRecordOutcome
{
    Matched,
    Unusable,
    DigestSuperseded,
    DigestMismatch,
    TaNotPresented,
    NameMismatch,
    ChainIncomplete,
    ChainInvalid,
    Expired,
}

/// <summary>
/// Per-record diagnostic: the outcome, the chain depth of the certificate the record matched (or -1), and what
/// it was compared with.
/// </summary>
public sealed record TlsaRecordDiagnostic(TlsaRecord Record, TlsaRecordOutcome Outcome, int Depth, string Detail);

/// <summary>
/// Result of <see cref="TlsaMatcher.Match"/>. <see cref="MatchedRecord"/> and <see cref="Depth"/> describe the
/// record that decided the outcome: on success the authenticating record; on a NameMismatch/Chain*/Expired failure
/// the record whose certificate matched before the later check failed (as OpenSSL reports the match depth);
/// otherwise null and -1.
/// </summary>
public sealed record TlsaMatchResult(
    TlsaMatchStatus Status,
    TlsaRecord? MatchedRecord,
    int Depth,
    IReadOnlyList<TlsaRecordDiagnostic> Records,
    IReadOnlyList<Finding> Findings)
{
    public bool Matched => Status == TlsaMatchStatus.Matched;
}
