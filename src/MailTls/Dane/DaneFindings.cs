using MailTls.Findings;

namespace MailTls.Dane;

/// <summary>
/// Finding codes for TLSA records, record sets and certificate matching (RFC 6698, RFC 7218, RFC 7671, RFC 7672).
/// </summary>
public static class DaneFindings
{
    public static readonly FindingDefinition Syntax = new(
        "dane.tlsa.syntax", Severity.Error, "TLSA record text is not valid presentation format",
        "RFC 6698 §2.2",
        "A record that does not parse is unusable; a zone with it may not load at all.",
        "Write the record as 'usage selector matching-type hex', e.g. '3 1 1 <64 hex digits>'.");

    public static readonly FindingDefinition TooLarge = new(
        "dane.tlsa.too-large", Severity.Error, "TLSA association data is larger than the limit",
        "RFC 7671 §10.1.2",
        "Very large TLSA RRsets need TCP or fragmented UDP and fail behind many middleboxes.",
        "Publish a SHA2-256 digest (matching type 1) instead of full data.");

    public static readonly FindingDefinition OwnerName = new(
        "dane.tlsa.owner", Severity.Warning, "TLSA owner name is not of the form _port._tcp.host",
        "RFC 6698 §3",
        "Clients look up TLSA only at _<port>._<protocol>.<TLSA base domain>; a record elsewhere is never used.",
        "Publish the record at _25._tcp.<MX host name>.");

    public static readonly FindingDefinition DigestLength = new(
        "dane.tlsa.digest-length", Severity.Error, "Digest length does not match the matching type",
        "RFC 6698 §2.1.3; RFC 7671 §9",
        "A SHA2-256 digest is 32 octets and a SHA2-512 digest 64; any other length can never match and makes the record unusable.",
        "Recompute the digest, e.g. 'openssl x509 -in cert.pem -noout -pubkey | openssl pkey -pubin -outform DER | openssl sha256'.");

    public static readonly FindingDefinition FullDataMalformed = new(
        "dane.tlsa.full-data-malformed", Severity.Error, "Full(0) data is not a DER certificate or SubjectPublicKeyInfo",
        "RFC 6698 §2.1.3",
        "With matching type Full(0) the data must be the selected DER object itself; anything else never matches.",
        "Publish the DER certificate (selector 0) or DER SubjectPublicKeyInfo (selector 1), or better a SHA2-256 digest.");

    public static readonly FindingDefinition PkixUsage = new(
        "dane.tlsa.pkix-usage", Severity.Warning, "PKIX-TA(0) or PKIX-EE(1) used for SMTP",
        "RFC 7672 §3.1.3",
        "SMTP clients treat usages 0 and 1 as unusable (Postfix, internet.nl), so the record authenticates nothing.",
        "Use DANE-EE(3) SPKI(1) SHA2-256(1), with a DANE-TA(2) record for the issuer as rollover partner.");

    public static readonly FindingDefinition FullDiscouraged = new(
        "dane.tlsa.full-discouraged", Severity.Warning, "Matching type Full(0) published",
        "RFC 7671 §10.1.2",
        "Full certificates or keys make the TLSA RRset large, risking UDP truncation and fragmentation.",
        "Publish a SHA2-256(1) digest instead.");

    public static readonly FindingDefinition PrivateUse = new(
        "dane.tlsa.private-use", Severity.Warning, "Private-use usage, selector or matching type (255)",
        "RFC 6698 §7.2; RFC 7218 §2",
        "Private-use values are meaningless to other parties, so public SMTP clients treat the record as unusable.",
        "Use registered values: usage 2 or 3, selector 0 or 1, matching type 1 or 2.");

    public static readonly FindingDefinition UnknownValue = new(
        "dane.tlsa.unknown-value", Severity.Error, "Unassigned usage, selector or matching type",
        "RFC 7671 §4; RFC 7672 §2.2",
        "Clients discard records with values they do not support, so the record is unusable.",
        "Use usage 2 or 3, selector 0 or 1 and matching type 1 or 2.");

    public static readonly FindingDefinition NotRecommended = new(
        "dane.tlsa.not-recommended", Severity.Info, "Parameters other than the recommended 3 1 1",
        "RFC 7672 §3.1, §3.1.1",
        "DANE-EE(3) SPKI(1) SHA2-256(1) survives certificate renewals with the same key; a Cert(0) selector for DANE-EE breaks at every renewal.",
        "Publish '3 1 1' for the server key (and '2 1 1' for the issuer CA as rollover partner).");

    public static readonly FindingDefinition AllUnusable = new(
        "dane.tlsa.all-unusable", Severity.Error, "No usable TLSA record in the RRset",
        "RFC 7672 §2.2",
        "With only unusable records DANE senders require TLS but cannot authenticate the server: at best mandatory unauthenticated TLS.",
        "Publish a '3 1 1' record for the current server key.");

    public static readonly FindingDefinition NoRollover = new(
        "dane.tlsa.no-rollover", Severity.Warning, "Only one usable TLSA record: no rollover partner",
        "RFC 7671 §8.1; internet.nl DANE rollover scheme",
        "A single record must be replaced at the same moment as the key or certificate, so every rollover risks an outage.",
        "Add a second record: '3 1 1' for the next key (current + next) or '2 1 1' for the issuer CA (current + issuer).");

    public static readonly FindingDefinition TooManyRecords = new(
        "dane.tlsa.too-many", Severity.Warning, "More TLSA records than some senders process",
        "Observed: Microsoft outbound servers process about 12 TLSA records per MX host",
        "Senders that stop after the first dozen records may miss the one that matches and fail delivery.",
        "Remove stale records; keep current + next (or + issuer) per key algorithm.");

    public static readonly FindingDefinition Duplicate = new(
        "dane.tlsa.duplicate", Severity.Warning, "Duplicate TLSA record",
        "RFC 2181 §5",
        "An RRset cannot hold the same RDATA twice; the duplicate is dropped by servers and signals a provisioning bug.",
        "Remove the duplicate record.");

    public static readonly FindingDefinition Matched = new(
        "dane.tlsa.matched", Severity.Info, "A TLSA record authenticates the presented chain",
        "RFC 7672 §3",
        "DANE senders can authenticate this server.",
        "Nothing to fix.");

    public static readonly FindingDefinition Mismatch = new(
        "dane.tlsa.mismatch", Severity.Error, "No TLSA record matches the presented certificate chain",
        "RFC 7672 §3; RFC 7671 §8",
        "DANE senders will not deliver to this server: there is no fallback to unauthenticated TLS.",
        "Publish TLSA records for the deployed key (or deploy the key the records describe), then wait 2×TTL before the next change.");

    public static readonly FindingDefinition NameMismatch = new(
        "dane.tlsa.name-mismatch", Severity.Error, "Certificate names do not match any reference identifier",
        "RFC 7672 §3.2.3; RFC 7671 §5.2",
        "With DANE-TA(2) the server certificate must carry the TLSA base domain, the MX name or the next-hop domain as a DNS SAN.",
        "Issue the server certificate with the MX host name in subjectAltName, or publish a '3 1 1' record (no name checks).");

    public static readonly FindingDefinition TaNotPresented = new(
        "dane.tlsa.ta-not-presented", Severity.Error, "DANE-TA digest does not match any certificate the server sends",
        "RFC 7671 §5.2.2; RFC 7672 §3.1.2",
        "A DANE-TA digest can only match an issuer certificate included in the server's TLS Certificate message.",
        "Configure the server to send the full chain including the trust-anchor certificate.");

    public static readonly FindingDefinition ChainInvalid = new(
        "dane.tlsa.chain-invalid", Severity.Error, "Chain from the trust anchor to the server certificate does not validate",
        "RFC 7671 §5.2; RFC 5280 §6",
        "With DANE-TA(2) the certificates below the trust anchor are validated as in PKIX (signatures, CA constraints).",
        "Send a chain whose every certificate is signed by the next one up to the published trust anchor.");

    public static readonly FindingDefinition ChainIncomplete = new(
        "dane.tlsa.chain-incomplete", Severity.Error, "No issuer certificate to complete the chain",
        "RFC 5280 §6; RFC 7671 §5.2.2",
        "Without the intermediate certificates a client cannot build a path to the trust anchor.",
        "Configure the server to send all intermediate certificates.");

    public static readonly FindingDefinition Expired = new(
        "dane.tlsa.expired", Severity.Error, "A certificate below the DANE-TA trust anchor is expired or not yet valid",
        "RFC 7672 §3.2; RFC 5280 §4.1.2.5",
        "With DANE-TA(2) validity dates are checked, so an expired certificate fails authentication (DANE-EE ignores dates).",
        "Renew the certificate (and keep the TLSA records in step).");

    public static readonly FindingDefinition Unusable = new(
        "dane.tlsa.unusable", Severity.Info, "TLSA record ignored as unusable",
        "RFC 7671 §4, §9; RFC 7672 §3.1.3",
        "Unusable records (unsupported values, malformed data, PKIX usages for SMTP) are discarded before matching.",
        "Replace the record with a usable '3 1 1' or '2 1 1' record.");

    public static readonly FindingDefinition DigestSuperseded = new(
        "dane.tlsa.digest-superseded", Severity.Info, "SHA2-256 record ignored because SHA2-512 is published for the same usage and selector",
        "RFC 7671 §9",
        "Digest agility: clients use only the strongest supported digest per usage and selector, so the weaker records never count.",
        "Make sure the SHA2-512 records alone match the current chain, or drop them.");
}
