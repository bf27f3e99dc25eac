using MailTls.Findings;

namespace MailTls.Audit;

/// <summary>
/// Finding codes of the domain audit (<c>mailtls check</c>): the policy fetch (RFC 8461 §3.3), MX records, STARTTLS
/// and certificates of the MX hosts, DANE applicability, DNSSEC of the domain, CAA (RFC 8659) and TLS-RPT
/// destinations. Codes of the artefact parsers (sts.txt.*, sts.policy.* syntax, dane.tlsa.*, tlsrpt.record.*,
/// dnssec.*) are reused from their own classes.
/// </summary>
public static class AuditFindings
{
    private const string StsFetchWhy = "Senders that cannot fetch the policy treat the domain as having no MTA-STS policy (or keep a cached one until it expires), so mail is not protected and new senders never learn the policy.";

    // ---- MTA-STS policy fetch (RFC 8461 §3.3) ----

    public static readonly FindingDefinition PolicyRedirect = new(
        "sts.policy.redirect", Severity.Error, "The policy URL answers with a redirect",
        "RFC 8461 §3.3 (HTTP 3xx redirects MUST NOT be followed)",
        StsFetchWhy,
        "Serve the policy directly at https://mta-sts.<domain>/.well-known/mta-sts.txt with status 200; remove the redirect (e.g. an http→https or apex→www rule that also catches this host).");

    public static readonly FindingDefinition PolicyHttpStatus = new(
        "sts.policy.http-status", Severity.Error, "The policy URL does not answer 200",
        "RFC 8461 §3.3 (only a 200 response is a policy)",
        StsFetchWhy,
        "Put the policy file at /.well-known/mta-sts.txt on the mta-sts host and make sure the web server answers 200.");

    public static readonly FindingDefinition PolicyContentType = new(
        "sts.policy.content-type", Severity.Error, "The policy is not served as text/plain",
        "RFC 8461 §3.2 (the policy is a text/plain resource); postfix-mta-sts-resolver and others reject other media types",
        StsFetchWhy,
        "Serve the file with 'Content-Type: text/plain' (nginx: 'default_type text/plain;' in that location).");

    public static readonly FindingDefinition PolicyTimeout = new(
        "sts.policy.timeout", Severity.Error, "The policy fetch did not complete in time",
        "RFC 8461 §3.3 (senders MAY impose a timeout; policy hosts SHOULD respond quickly); postfix-mta-sts-resolver gives up after 4 s",
        StsFetchWhy,
        "Serve the policy from a responsive host (a static file; no rate limiting on this URL) and check the host is reachable on port 443.");

    public static readonly FindingDefinition PolicyCertNameMismatch = new(
        "sts.policy.cert.name-mismatch", Severity.Error, "The policy host certificate is not valid for mta-sts.<domain>",
        "RFC 8461 §3.3 (the certificate MUST be valid for the policy host, RFC 6125); RFC 8460 result sts-webpki-invalid",
        StsFetchWhy,
        "Issue a certificate whose subjectAltName contains mta-sts.<domain> and configure it for that server name (SNI).");

    public static readonly FindingDefinition PolicyCertExpired = new(
        "sts.policy.cert.expired", Severity.Error, "The policy host certificate has expired",
        "RFC 8461 §3.3; RFC 5280 §4.1.2.5; RFC 8460 result sts-webpki-invalid",
        StsFetchWhy,
        "Renew the certificate of mta-sts.<domain> and automate renewal.");

    public static readonly FindingDefinition PolicyCertNotYetValid = new(
        "sts.policy.cert.not-yet-valid", Severity.Error, "The policy host certificate is not valid yet",
        "RFC 8461 §3.3; RFC 5280 §4.1.2.5",
        StsFetchWhy,
        "Check the server clock and the certificate's notBefore date; deploy a certificate that is valid now.");

    public static readonly FindingDefinition PolicyCertUntrusted = new(
        "sts.policy.cert.untrusted", Severity.Error, "The policy host certificate does not chain to a trusted root",
        "RFC 8461 §3.3 (a CA-issued certificate valid under WebPKI); RFC 8460 result sts-webpki-invalid",
        StsFetchWhy,
        "Use a certificate from a publicly trusted CA (e.g. Let's Encrypt) and send the intermediate certificates too.");

    public static readonly FindingDefinition PolicyCertExpiring = new(
        "sts.policy.cert.expiring", Severity.Warning, "The policy host certificate expires soon",
        "RFC 8461 §3.3; Limits.CertificateExpiryWarning",
        "When it expires senders can no longer fetch or refresh the policy.",
        "Renew the certificate now and check that automatic renewal works.");

    public static readonly FindingDefinition PolicyTlsFailed = new(
        "sts.policy.tls-failed", Severity.Error, "The TLS handshake with the policy host failed",
        "RFC 8461 §3.3 (the policy is fetched over HTTPS)",
        StsFetchWhy,
        "Check the HTTPS configuration of mta-sts.<domain> (certificate and key, TLS 1.2 or 1.3 enabled).");

    public static readonly FindingDefinition PolicyHostUnresolvable = new(
        "sts.policy.host-unresolvable", Severity.Error, "The policy host name does not resolve",
        "RFC 8461 §3.3 (the policy is at https://mta-sts.<domain>/)",
        StsFetchWhy,
        "Publish an A (and AAAA) record for mta-sts.<domain> pointing at the web server that serves the policy.");

    public static readonly FindingDefinition PolicyConnectFailed = new(
        "sts.policy.connect-failed", Severity.Error, "The policy host cannot be reached",
        "RFC 8461 §3.3",
        StsFetchWhy,
        "Make sure a web server listens on port 443 of every address of mta-sts.<domain>.");

    // ---- MX records ----

    public static readonly FindingDefinition MxNull = new(
        "mx.null", Severity.Warning, "The domain publishes a null MX: it accepts no mail",
        "RFC 7505 §3",
        "Senders bounce mail to this domain at once; MTA-STS, DANE and TLS-RPT do not apply.",
        "Nothing to fix if the domain sends no mail and receives none; otherwise replace \"0 .\" by the real MX records.");

    public static readonly FindingDefinition MxNullMixed = new(
        "mx.null-mixed", Severity.Error, "A null MX is published together with other MX records",
        "RFC 7505 §3 (a null MX MUST be the only MX record)",
        "Senders behave inconsistently: some bounce, some deliver to the other MX hosts.",
        "Remove either the \"0 .\" record or the other MX records.");

    public static readonly FindingDefinition MxNone = new(
        "mx.none", Severity.Warning, "The domain has no MX records",
        "RFC 5321 §5.1 (implicit MX: the domain's own address records)",
        "Senders fall back to the domain's A/AAAA records, which is fragile and easy to get wrong; MTA-STS still needs an mx pattern for the domain name.",
        "Publish MX records for the hosts that receive mail.");

    public static readonly FindingDefinition MxCname = new(
        "mx.cname", Severity.Warning, "An MX record points at a CNAME",
        "RFC 2181 §10.3; RFC 5321 §5.1 (MX targets must be host names with address records, not aliases)",
        "Most MTAs follow the alias, but some refuse; MTA-STS patterns and DANE TLSA owners must then account for both names (RFC 7672 §2.2.2).",
        "Point the MX record at the canonical host name (the CNAME target).");

    public static readonly FindingDefinition MxNoAddress = new(
        "mx.no-address", Severity.Error, "An MX host has no A or AAAA record",
        "RFC 5321 §5.1",
        "Senders skip an MX host without addresses; if all are like that, mail cannot be delivered.",
        "Publish A/AAAA records for the MX host, or remove the MX record.");

    public static readonly FindingDefinition MxIpv6Only = new(
        "mx.ipv6-only", Severity.Warning, "An MX host has only IPv6 addresses",
        "RFC 3974 §3 (IPv4-only senders cannot reach an IPv6-only MX)",
        "Many sending MTAs still have IPv4 only; they cannot deliver to this host.",
        "Add an A record (or an IPv4-reachable backup MX).");

    public static readonly FindingDefinition MxDnsTemporary = new(
        "mx.dns-temporary", Severity.Error, "An MX or address lookup failed",
        "RFC 5321 §5.1 (a temporary DNS failure defers delivery)",
        "Senders defer mail while the lookup fails.",
        "Check the authoritative DNS servers of the zone (they must answer MX, A and AAAA queries).");

    // ---- STARTTLS and MX certificates ----

    public static readonly FindingDefinition StartTlsNotOffered = new(
        "smtp.starttls.not-offered", Severity.Error, "The MX does not offer STARTTLS",
        "RFC 3207; RFC 8461 §4.2 and RFC 7672 §2.2 (MTA-STS and DANE senders require TLS)",
        "Mail travels in cleartext; MTA-STS (enforce) and DANE senders refuse to deliver.",
        "Enable STARTTLS on the MX (Postfix: smtpd_tls_security_level = may with a certificate and key).");

    public static readonly FindingDefinition StartTlsFailed = new(
        "smtp.starttls.failed", Severity.Error, "STARTTLS is offered but the TLS handshake fails",
        "RFC 3207 §4; RFC 8460 result starttls-not-supported / validation-failure",
        "Senders that require TLS cannot deliver; opportunistic senders retry in cleartext (if at all).",
        "Check the TLS configuration of the MX (certificate and key readable, protocols and ciphers enabled) and its logs.");

    public static readonly FindingDefinition SmtpTimeout = new(
        "smtp.timeout", Severity.Error, "The MX did not answer in time",
        "RFC 5321 §4.5.3.2 (senders time out and retry later)",
        "Senders defer mail and retry; a tarpit or overloaded MX delays every delivery.",
        "Check that the SMTP server runs, is not overloaded, and sends its 220 banner promptly.");

    public static readonly FindingDefinition SmtpRefused = new(
        "smtp.refused", Severity.Error, "Connection to port 25 refused",
        "RFC 5321 §3.1",
        "Nothing listens on port 25 at this address: senders skip it (and defer when no MX is reachable).",
        "Start the SMTP server on this address or remove the address from DNS.");

    public static readonly FindingDefinition SmtpUnreachable = new(
        "smtp.unreachable", Severity.Error, "The MX address is unreachable",
        "RFC 5321 §5.1",
        "No route to the address: senders skip it.",
        "Check routing and firewalls, or remove the address from DNS.");

    public static readonly FindingDefinition SmtpProtocolError = new(
        "smtp.protocol-error", Severity.Error, "The SMTP conversation failed",
        "RFC 5321 §4.2, §4.1.1.1",
        "The server refused the session or answered with something that is not SMTP, so senders cannot deliver.",
        "Check the server's banner and EHLO reply (and its logs); make sure port 25 is an SMTP server.");

    public static readonly FindingDefinition Port25Blocked = new(
        "smtp.port25-blocked", Severity.Warning, "Port 25 seems blocked from where this check runs",
        "Observation: many cloud and home networks block outgoing port 25",
        "Every MX address timed out on connect while DNS works, which is what an outbound filter looks like; the STARTTLS checks could not be made.",
        "Run the check from a host that may connect to port 25 (a mail server or a VPS without outbound filtering), or use --no-smtp.");

    public static readonly FindingDefinition SmtpCertNameMismatch = new(
        "smtp.cert.name-mismatch", Severity.Error, "The MX certificate is not valid for the MX host name",
        "RFC 8461 §4.2 (the certificate MUST match the MX host name, RFC 6125); RFC 8460 result certificate-host-mismatch",
        "MTA-STS senders (enforce) refuse to deliver to this MX.",
        "Issue the certificate with the MX host name (as in the MX record) in subjectAltName.");

    public static readonly FindingDefinition SmtpCertExpired = new(
        "smtp.cert.expired", Severity.Error, "The MX certificate has expired",
        "RFC 8461 §4.2; RFC 8460 result certificate-expired",
        "MTA-STS senders (enforce) refuse to deliver to this MX.",
        "Renew the certificate, reload the SMTP server and automate renewal.");

    public static readonly FindingDefinition SmtpCertNotYetValid = new(
        "smtp.cert.not-yet-valid", Severity.Error, "The MX certificate is not valid yet",
        "RFC 8461 §4.2; RFC 5280 §4.1.2.5",
        "MTA-STS senders (enforce) refuse to deliver to this MX.",
        "Check the server clock and the certificate's notBefore date; deploy a certificate that is valid now.");

    public static readonly FindingDefinition SmtpCertSelfSigned = new(
        "smtp.cert.self-signed", Severity.Error, "The MX certificate is self-signed",
        "RFC 8461 §4.2 (a CA-issued certificate is required); RFC 8460 result certificate-not-trusted",
        "MTA-STS senders (enforce) refuse to deliver to this MX (DANE-EE 3 1 1 would authenticate it for DANE senders).",
        "Use a certificate from a publicly trusted CA (e.g. Let's Encrypt) with the MX host name.");

    public static readonly FindingDefinition SmtpCertUntrusted = new(
        "smtp.cert.untrusted", Severity.Error, "The MX certificate does not chain to a trusted root",
        "RFC 8461 §4.2; RFC 8460 result certificate-not-trusted",
        "MTA-STS senders (enforce) refuse to deliver to this MX.",
        "Use a certificate from a publicly trusted CA and send the intermediate certificates (the full chain).");

    public static readonly FindingDefinition SmtpCertInvalid = new(
        "smtp.cert.invalid", Severity.Error, "The MX certificate chain is invalid",
        "RFC 8461 §4.2; RFC 5280 §6",
        "MTA-STS senders (enforce) refuse to deliver to this MX.",
        "Deploy a correct chain (leaf first, then intermediates) from a publicly trusted CA.");

    public static readonly FindingDefinition SmtpCertExpiring = new(
        "smtp.cert.expiring", Severity.Warning, "The MX certificate expires soon",
        "RFC 8461 §4.2; Limits.CertificateExpiryWarning",
        "When it expires MTA-STS senders stop delivering (and DANE-TA senders too).",
        "Renew the certificate now and check that automatic renewal works (and that TLSA records follow the key).");

    public static readonly FindingDefinition SmtpOldTls = new(
        "smtp.tls.old-protocol", Severity.Warning, "The MX negotiates TLS older than 1.2",
        "RFC 8996 (TLS 1.0 and 1.1 are deprecated)",
        "Modern senders refuse TLS 1.0/1.1; they then fail or fall back to cleartext.",
        "Enable TLS 1.2 and 1.3 on the MX.");

    // ---- DANE applicability ----

    public static readonly FindingDefinition TlsaInsecure = new(
        "dane.tlsa.insecure", Severity.Warning, "TLSA records are published without DNSSEC",
        "RFC 7672 §2.2 (TLSA records in zones not protected by DNSSEC are ignored)",
        "Senders ignore these records: the MX gets no DANE protection, and the records give a false sense of security.",
        "Sign the zone (and publish the DS at the parent), or remove the TLSA records.");

    public static readonly FindingDefinition TlsaLookupFailed = new(
        "dane.tlsa.lookup-failed", Severity.Error, "The TLSA lookup failed",
        "RFC 7672 §2.2.3 (a failed TLSA lookup of a secure MX host defers delivery)",
        "DANE senders cannot tell whether TLSA records exist, so they defer mail to this MX.",
        "Make the authoritative servers answer TLSA queries (NODATA with a valid denial proof when there are none).");

    public static readonly FindingDefinition DaneNone = new(
        "dane.none", Severity.Info, "No DANE TLSA records for this MX",
        "RFC 7672 §2.2",
        "DANE senders use opportunistic TLS (or MTA-STS) for this MX.",
        "Optional: sign the zone and publish '3 1 1' TLSA records at _25._tcp.<MX host>.");

    public static readonly FindingDefinition DaneAddressInsecure = new(
        "dane.address-insecure", Severity.Info, "The MX host's address records are not DNSSEC-secure",
        "RFC 7672 §2.2.2 (TLSA is only looked up for hosts with secure address records)",
        "DANE cannot be used for this MX until its zone is signed.",
        "Sign the MX host's zone to make DANE possible.");

    // ---- DNSSEC of the domain ----

    public static readonly FindingDefinition DnssecDsMissing = new(
        "dnssec.ds-missing", Severity.Warning, "The zone is signed but the parent has no DS record",
        "RFC 4035 §5.2 (without a DS the delegation is insecure)",
        "Validators treat the zone as unsigned: its signatures protect nothing and DANE is unavailable.",
        "Publish the DS record of the zone's KSK at the registrar (or via CDS/CDNSKEY if the parent supports it).");

    public static readonly FindingDefinition DnssecUnsigned = new(
        "dnssec.unsigned", Severity.Info, "The domain is not signed with DNSSEC",
        "RFC 4033; RFC 7672 §2.2",
        "DANE cannot be used; MTA-STS still protects mail without DNSSEC.",
        "Optional: sign the zone and publish the DS at the parent, then add TLSA records.");

    // ---- CAA (RFC 8659) ----

    public static readonly FindingDefinition CaaForbidsIssuer = new(
        "caa.forbids-issuer", Severity.Warning, "CAA does not allow the CA that issued the served certificate",
        "RFC 8659 §4 (a CA MUST NOT issue unless authorised by the relevant CAA RRset)",
        "The current certificate works, but its CA must refuse the next renewal, so the certificate will expire and MTA-STS (or DANE-TA) delivery will fail.",
        "Add 'CAA 0 issue \"<CA's domain>\"' for the CA you use (or switch to a CA the CAA set allows) at the name shown.");

    public static readonly FindingDefinition CaaIssuerUnknown = new(
        "caa.issuer-unknown", Severity.Info, "Cannot tell whether CAA allows this certificate's issuer",
        "RFC 8659 §4.2 (issuer-domain-name is the CA's own identifier)",
        "The CA's CAA identifier is not in mailtls's table, so the CAA check was skipped for this certificate.",
        "Compare the CAA set with your CA's documented CAA identifier, or pass --caa-issuer 'ORG=DOMAIN'.");

    public static readonly FindingDefinition CaaCriticalUnknown = new(
        "caa.critical-unknown", Severity.Warning, "A CAA record with the critical flag has an unknown tag",
        "RFC 8659 §4.1 (a CA MUST NOT issue when a critical property is not understood)",
        "No CA will issue for this name: renewals of the MX or policy-host certificates fail.",
        "Remove the critical flag (128) or the unknown property.");

    public static readonly FindingDefinition CaaLookupFailed = new(
        "caa.lookup-failed", Severity.Warning, "The CAA lookup failed",
        "RFC 8659 §3 (a CA must not issue when the lookup fails)",
        "Certificate renewals for this name fail while the lookup fails.",
        "Make the authoritative servers answer CAA queries (NODATA when there are none).");

    // ---- TLS-RPT destinations ----

    public static readonly FindingDefinition RuaNoMx = new(
        "tlsrpt.rua.no-mx", Severity.Warning, "A mailto: rua domain has no MX record",
        "RFC 8460 §3; RFC 5321 §5.1",
        "Reports can only reach the domain through its address records (implicit MX), which many senders do not try; without addresses they bounce.",
        "Publish MX records for the report domain, or use an address at a domain that receives mail.");

    public static readonly FindingDefinition RuaUndeliverable = new(
        "tlsrpt.rua.undeliverable", Severity.Error, "A mailto: rua domain cannot receive mail",
        "RFC 8460 §3; RFC 5321 §5.1; RFC 7505",
        "The domain has no MX and no address records (or a null MX), so every report bounces.",
        "Use an address at a domain that receives mail.");

    public static readonly FindingDefinition RuaHttpsUnresolvable = new(
        "tlsrpt.rua.https-unresolvable", Severity.Error, "An https: rua host does not resolve",
        "RFC 8460 §3",
        "Senders cannot POST reports to a host without an address.",
        "Publish A/AAAA records for the report host, or fix the URI.");

    public static readonly FindingDefinition RuaHttpsUnreachable = new(
        "tlsrpt.rua.https-unreachable", Severity.Warning, "An https: rua host does not accept TLS connections",
        "RFC 8460 §3, §5.4",
        "Senders cannot POST reports there; they may retry, then the reports are lost.",
        "Make the report endpoint listen on port 443 with a valid certificate, or use a mailto: rua.");

    public static readonly FindingDefinition RuaHttpsCertInvalid = new(
        "tlsrpt.rua.https-cert-invalid", Severity.Warning, "An https: rua host presents an invalid certificate",
        "RFC 8460 §5.4 (senders MAY ignore certificate errors, so some deliver and some do not)",
        "Senders that validate the certificate do not deliver reports there.",
        "Install a certificate valid for the report host from a publicly trusted CA.");

    public static readonly FindingDefinition RptDnsTemporary = new(
        "tlsrpt.dns-temporary", Severity.Warning, "The TLS-RPT TXT lookup failed",
        "RFC 8460 §3",
        "Senders that cannot read the record send no reports while the lookup fails.",
        "Check that the authoritative servers answer TXT queries for _smtp._tls.<domain>.");

    public static readonly FindingDefinition RptWithoutPolicy = new(
        "tlsrpt.without-policy", Severity.Info, "TLS-RPT is published but neither MTA-STS nor DANE",
        "RFC 8460 §3",
        "Reports still arrive (with policy type no-policy-found), which is a good first step towards MTA-STS.",
        "Next: publish an MTA-STS policy in testing mode.");
}
