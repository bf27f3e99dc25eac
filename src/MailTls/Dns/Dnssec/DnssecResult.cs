namespace MailTls.Dns.Dnssec;

/// <summary>Security status of an RRset (RFC 4035 §4.3).</summary>
public enum DnssecStatus
{
    /// <summary>A chain of trust from a trust anchor to the RRset (or to its proof of non-existence).</summary>
    Secure = 0,

    /// <summary>Proven unsigned: a signed delegation without DS, or DS with only unsupported algorithms (RFC 4035 §5.2).</summary>
    Insecure = 1,

    /// <summary>Should be signed but the signatures or proofs do not verify.</summary>
    Bogus = 2,

    /// <summary>Could not be decided: a lookup failed (SERVFAIL, timeout) on the way.</summary>
    Indeterminate = 3,
}

/// <summary>Why an RRset is bogus (or, for the last two, insecure/indeterminate).</summary>
public enum DnssecFailure
{
    None = 0,
    SignatureExpired,
    SignatureNotYetValid,
    NoDsMatchesDnskey,
    DnskeyNotSignedByKsk,
    MissingDnskey,
    MissingRrsig,
    NoMatchingDnskey,
    SignatureInvalid,
    UnsupportedAlgorithm,
    MissingDenialProof,
    BadDenialProof,
    UnsignedDelegationProofMissing,
    LookupFailed,
    Nsec3IterationsTooHigh,
}

/// <summary>What one step of the chain looked at.</summary>
public enum DnssecStepKind
{
    TrustAnchor,
    Dnskey,
    Delegation,
    Cname,
    Answer,
    Denial,
}

/// <summary>A DS record as seen in the trace; <see cref="Matched"/>: whether it matches a DNSKEY of the child (null where the step does not check it).</summary>
public sealed record DsInfo(ushort KeyTag, byte Algorithm, byte DigestType, string Digest, bool? Matched);

/// <summary>A DNSKEY as seen in the trace.</summary>
public sealed record KeyInfo(ushort KeyTag, ushort Flags, byte Algorithm, int KeyBits, bool Sep, bool MatchedDs);

/// <summary>Outcome of checking one RRSIG.</summary>
public enum SignatureOutcome
{
    Valid,
    Expired,
    NotYetValid,
    NoMatchingKey,
    UnsupportedAlgorithm,
    Invalid,
    BadLabels,
    WrongSigner,
    NotTried,
}

/// <summary>One RRSIG as seen in the trace.</summary>
public sealed record SignatureInfo(DnsRecordType TypeCovered, ushort KeyTag, byte Algorithm, string Signer, DateTimeOffset Inception, DateTimeOffset Expiration, SignatureOutcome Outcome);

/// <summary>
/// One link of the chain: which zone, what was checked (DS ↔ DNSKEY, DNSKEY self-signature, the answer's
/// signatures, a denial proof), the records involved and the verdict in plain words.
/// </summary>
public sealed record DnssecStep
{
    public required string Zone { get; init; }

    public required string Owner { get; init; }

    public required DnssecStepKind Kind { get; init; }

    public required DnssecStatus Verdict { get; init; }

    public DnssecFailure Failure { get; init; }

    public required string Message { get; init; }

    public IReadOnlyList<DsInfo> Ds { get; init; } = [];

    public IReadOnlyList<KeyInfo> Keys { get; init; } = [];

    public IReadOnlyList<SignatureInfo> Signatures { get; init; } = [];
}

/// <summary>
/// Validation result of one lookup (the RRset and the CNAMEs leading to it, or the proof it does not exist).
/// For <see cref="DnssecStatus.Insecure"/>, <see cref="InsecureCut"/> is the zone cut where the chain ends;
/// for Bogus, <see cref="Failure"/> says which link broke and <see cref="Steps"/> shows the whole chain.
/// </summary>
public sealed record DnssecResult
{
    public required string Name { get; init; }

    public required DnsRecordType Type { get; init; }

    public required DnssecStatus Status { get; init; }

    public DnssecFailure Failure { get; init; }

    public required string Message { get; init; }

    public string? InsecureCut { get; init; }

    public required DnsAnswer Answer { get; init; }

    public IReadOnlyList<DnssecStep> Steps { get; init; } = [];

    /// <summary>The earliest expiration among the signatures that made the result secure.</summary>
    public DateTimeOffset? EarliestExpiration { get; init; }
}
