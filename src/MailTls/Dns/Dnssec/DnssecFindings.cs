using System.Globalization;
using MailTls.Findings;

namespace MailTls.Dns.Dnssec;

/// <summary>
/// DNSSEC findings (RFC 4033–4035, RFC 5155, RFC 8624, RFC 9276). <see cref="For(DnssecResult, DateTimeOffset, TimeSpan)"/> turns a validation result
/// into findings: one general verdict code plus, for bogus results, the specific broken link.
/// </summary>
public static class DnssecFindings
{
    public static readonly FindingDefinition Bogus = new(
        "dnssec.bogus", Severity.Error, "DNSSEC validation fails (bogus)",
        "RFC 4035 §5.5",
        "Validating resolvers answer SERVFAIL for bogus data: mail to the domain is deferred, and DANE senders will not deliver.",
        "Follow the failing link in the chain (see the trace): re-sign the zone, fix or remove the DS at the parent, or publish the missing keys.");

    public static readonly FindingDefinition Insecure = new(
        "dnssec.insecure", Severity.Warning, "Not protected by DNSSEC (insecure)",
        "RFC 4035 §5.2; RFC 7672 §2.2",
        "Without DNSSEC the answer can be forged, and DANE TLSA records in an unsigned zone are ignored by senders.",
        "Sign the zone and publish its DS record at the parent (the zone cut named in the message).");

    public static readonly FindingDefinition Indeterminate = new(
        "dnssec.indeterminate", Severity.Warning, "DNSSEC status could not be determined",
        "RFC 4035 §4.3",
        "A lookup on the chain failed (SERVFAIL or timeout); senders treat such failures as temporary and defer delivery.",
        "Check that every authoritative server of the zones on the chain answers DS and DNSKEY queries over UDP and TCP.");

    public static readonly FindingDefinition SignatureExpiring = new(
        "dnssec.signature-expiring", Severity.Warning, "A DNSSEC signature on the chain expires soon",
        "RFC 4034 §3.1.5",
        "When the signature expires the answers turn bogus and mail delivery stops; an expiry this close usually means re-signing has stopped.",
        "Check that the signer (or the DNS hoster's automatic signing) runs and re-signs the zone well before expiry.");

    public static readonly FindingDefinition SignatureExpired = new(
        "dnssec.signature-expired", Severity.Error, "A DNSSEC signature has expired",
        "RFC 4035 §5.3.1",
        "Validators reject expired signatures, so the RRset is bogus.",
        "Re-sign the zone and make sure the signer runs automatically.");

    public static readonly FindingDefinition SignatureNotYetValid = new(
        "dnssec.signature-not-yet-valid", Severity.Error, "A DNSSEC signature is not valid yet",
        "RFC 4035 §5.3.1",
        "Validators reject signatures whose inception is in the future, so the RRset is bogus.",
        "Fix the signer's clock, or back-date the inception (most signers use one hour).");

    public static readonly FindingDefinition DsMismatch = new(
        "dnssec.ds-mismatch", Severity.Error, "No DNSKEY matches the DS records at the parent",
        "RFC 4035 §5.2",
        "The parent's DS points to a key the zone no longer publishes (a botched key rollover or hoster change): the zone is bogus.",
        "Publish the DS of the current KSK at the registrar and remove the stale one, or re-publish the old key until the DS is updated.");

    public static readonly FindingDefinition DnskeyNotSignedByKsk = new(
        "dnssec.dnskey-not-signed", Severity.Error, "The DNSKEY RRset is not signed by a key named in the DS set",
        "RFC 4035 §5.2",
        "The chain of trust from the parent stops at the key set: the zone is bogus.",
        "Sign the DNSKEY RRset with the KSK whose DS is published at the parent.");

    public static readonly FindingDefinition MissingRrsig = new(
        "dnssec.missing-rrsig", Severity.Error, "An RRset in a signed zone has no signature",
        "RFC 4035 §2.2",
        "Every authoritative RRset of a signed zone must be signed; an unsigned one is bogus.",
        "Re-sign the zone; check that all authoritative servers serve the signed zone (a stale unsigned secondary is common).");

    public static readonly FindingDefinition SignatureInvalid = new(
        "dnssec.signature-invalid", Severity.Error, "A DNSSEC signature does not verify",
        "RFC 4035 §5.3.3",
        "The data or the signature was changed after signing, or the signing key is not the published one: the RRset is bogus.",
        "Re-sign the zone; never edit a signed zone file by hand without re-signing.");

    public static readonly FindingDefinition NoMatchingKey = new(
        "dnssec.no-matching-key", Severity.Error, "No DNSKEY has the key tag a signature names",
        "RFC 4035 §5.3.1",
        "The signature was made with a key the zone does not publish: the RRset is bogus.",
        "Publish the signing key in the DNSKEY RRset or re-sign with a published key.");

    public static readonly FindingDefinition BadDenialProof = new(
        "dnssec.bad-denial-proof", Severity.Error, "Missing or wrong proof of non-existence",
        "RFC 4035 §5.4; RFC 5155 §8",
        "Without a valid NSEC/NSEC3 proof a negative answer is bogus; DANE senders then defer mail instead of falling back.",
        "Re-sign the zone with a signer that generates the NSEC/NSEC3 chain (online signers must produce proofs for every negative answer).");

    public static readonly FindingDefinition UnsupportedAlgorithm = new(
        "dnssec.unsupported-algorithm", Severity.Warning, "DNSSEC algorithm not supported by validators",
        "RFC 8624 §3.1; RFC 4035 §5.2",
        "Validators treat zones signed only with unsupported algorithms as unsigned, so they get no DNSSEC protection (and no DANE).",
        "Re-sign with algorithm 13 (ECDSAP256SHA256) or 8 (RSASHA256) and update the DS.");

    public static readonly FindingDefinition Nsec3Iterations = new(
        "dnssec.nsec3-iterations", Severity.Warning, "NSEC3 iteration count too high",
        "RFC 9276 §3.1",
        "Validators treat NSEC3 with many iterations as insecure (or SERVFAIL), so negative answers lose their protection.",
        "Use NSEC3 with 0 iterations and an empty salt (RFC 9276), or NSEC.");

    /// <summary>Findings for one validation result, checked at <paramref name="now"/>.</summary>
    public static IReadOnlyList<Finding> For(DnssecResult result, DateTimeOffset now) => For(result, now, Limits.DnssecSignatureExpiringWarning);

    /// <summary>
    /// Findings for one validation result, checked at <paramref name="now"/>; a signature that expires within
    /// <paramref name="expiringWithin"/> is reported as <c>dnssec.signature-expiring</c>.
    /// </summary>
    public static IReadOnlyList<Finding> For(DnssecResult result, DateTimeOffset now, TimeSpan expiringWithin)
    {
        ArgumentNullException.ThrowIfNull(result);
        var subject = $"{result.Name} {DnsRecordTypeText.ToText(result.Type)}";
        var evidence = FindingList.Evidence(
            ("status", result.Status.ToString()),
            ("failure", result.Failure == DnssecFailure.None ? null : result.Failure.ToString()),
            ("zone-cut", result.InsecureCut));
        var findings = new List<Finding>();
        switch (result.Status)
        {
            case DnssecStatus.Bogus:
                findings.Add(Bogus.Create(subject, result.Message, evidence));
                var specific = Specific(result.Failure);
                if (specific is not null)
                {
                    findings.Add(specific.Create(subject, result.Message, evidence));
                }

                break;
            case DnssecStatus.Insecure:
                findings.Add(Insecure.Create(subject, result.Message, evidence));
                if (result.Failure == DnssecFailure.UnsupportedAlgorithm)
                {
                    findings.Add(UnsupportedAlgorithm.Create(subject, result.Message, evidence));
                }
                else if (result.Failure == DnssecFailure.Nsec3IterationsTooHigh)
                {
                    findings.Add(Nsec3Iterations.Create(subject, result.Message, evidence));
                }

                break;
            case DnssecStatus.Indeterminate:
                findings.Add(Indeterminate.Create(subject, result.Message, evidence));
                break;
            default:
                if (result.EarliestExpiration is { } expiry && expiry - now < expiringWithin)
                {
                    findings.Add(SignatureExpiring.Create(
                        subject,
                        $"a signature on the chain of {subject} expires at {expiry.ToString("u", CultureInfo.InvariantCulture)}",
                        FindingList.Evidence(("expires", expiry.ToString("u", CultureInfo.InvariantCulture)))));
                }

                break;
        }

        return findings;
    }

    private static FindingDefinition? Specific(DnssecFailure failure) => failure switch
    {
        DnssecFailure.SignatureExpired => SignatureExpired,
        DnssecFailure.SignatureNotYetValid => SignatureNotYetValid,
        DnssecFailure.NoDsMatchesDnskey => DsMismatch,
        DnssecFailure.DnskeyNotSignedByKsk => DnskeyNotSignedByKsk,
        DnssecFailure.MissingRrsig => MissingRrsig,
        DnssecFailure.SignatureInvalid => SignatureInvalid,
        DnssecFailure.NoMatchingDnskey => NoMatchingKey,
        DnssecFailure.MissingDenialProof or DnssecFailure.BadDenialProof or DnssecFailure.UnsignedDelegationProofMissing => BadDenialProof,
        DnssecFailure.UnsupportedAlgorithm => UnsupportedAlgorithm,
        _ => null,
    };
}
