using MailTls.Findings;

namespace MailTls.Serve;

/// <summary>
/// Finding codes of the policy host's self-check (<c>mailtls serve</c>, <c>serve --check-config</c>): what a
/// policy host can see about its own policies (RFC 8461 §3.1 id bumps, §3.2 policy text, §3.3 HTTPS, §4.1 MX
/// coverage). MX coverage reuses <c>sts.mx.not-covered</c> and the policy text reuses the <c>sts.policy.*</c> codes.
/// </summary>
public static class ServeFindings
{
    public static readonly FindingDefinition ConfigInvalid = new(
        "serve.config.invalid", Severity.Error, "The serve configuration is invalid",
        "docs/serve.md", "The policy host does not start with a configuration it cannot apply exactly.",
        "Fix the reported key (see docs/serve.md for the format) and run 'mailtls serve --check-config FILE' again.");

    public static readonly FindingDefinition PolicyInvalid = new(
        "serve.policy.invalid", Severity.Error, "A configured policy is invalid and is not served",
        "RFC 8461 §3.2", "Senders discard an invalid policy; serving it would silently remove protection, so the host answers 404 for it instead.",
        "Fix the policy (see the sts.policy.* findings with it), or use the inline form (mode/mx/max_age) that is always formatted correctly.");

    public static readonly FindingDefinition PolicyUnreadable = new(
        "serve.policy.unreadable", Severity.Error, "A policy file cannot be read",
        "RFC 8461 §3.3", "The policy for this domain cannot be served until the file is readable.",
        "Check the policy_file path and its permissions.");

    public static readonly FindingDefinition IdNotBumped = new(
        "serve.id.not-bumped", Severity.Warning, "The served policy changed but the published TXT id did not",
        "RFC 8461 §3.1 (the id MUST change whenever the policy changes)",
        "Senders that cached the old policy only refetch when the id changes: they keep applying the old policy until it expires (max_age).",
        "Publish a new id in the _mta-sts TXT record, e.g. \"v=STSv1; id=20260101T120000;\".");

    public static readonly FindingDefinition TxtMissing = new(
        "serve.txt.missing", Severity.Warning, "A policy is served but the domain publishes no usable _mta-sts TXT record",
        "RFC 8461 §3.1 (senders look for the TXT record before fetching the policy)",
        "Without the TXT record senders never fetch the policy, so it protects nothing.",
        "Publish exactly one TXT record at _mta-sts.<domain>: \"v=STSv1; id=<letters or digits>;\".");

    public static readonly FindingDefinition DnsUnavailable = new(
        "serve.dns.unavailable", Severity.Warning, "The self-check could not complete a DNS lookup",
        "RFC 8461 §3.1, §4.1", "The id and MX coverage checks for this domain were not done; they are retried at the next self-check.",
        "Check the resolver given in self_check.resolver (or /etc/resolv.conf) and the domain's name servers.");

    public static readonly FindingDefinition CertificateMissing = new(
        "serve.cert.missing", Severity.Error, "No usable certificate for a policy host",
        "RFC 8461 §3.3 (the policy host MUST present a valid certificate for mta-sts.<domain>)",
        "TLS handshakes for this host fail, so senders cannot fetch the policy.",
        "Point certificates at a PEM chain and key for the host (certbot: /etc/letsencrypt/live/<name>/fullchain.pem and privkey.pem).");

    public static readonly FindingDefinition CertificateReloadFailed = new(
        "serve.cert.reload-failed", Severity.Error, "A changed certificate file is broken; the previous certificate is still served",
        "RFC 8461 §3.3", "The renewal did not take effect: when the previous certificate expires, senders can no longer fetch the policy.",
        "Fix the certificate or key file (chain and key must be PEM and match); the server picks it up without a restart.");

    public static readonly FindingDefinition CertificateNameMismatch = new(
        "serve.cert.name-mismatch", Severity.Error, "The certificate for a policy host does not name the host",
        "RFC 8461 §3.3 (RFC 6125 host name validation of mta-sts.<domain>)",
        "Senders reject the handshake and cannot fetch the policy.",
        "Issue a certificate whose subjectAltName includes mta-sts.<domain>.");

    public static readonly FindingDefinition CertificateExpiring = new(
        "serve.cert.expiring", Severity.Warning, "A policy host certificate expires soon",
        "RFC 8461 §3.3", "Once it expires senders cannot fetch the policy; a renewal has probably stopped working.",
        "Renew the certificate (certbot renew); the server reloads the files without a restart.");

    public static readonly FindingDefinition CertificateExpired = new(
        "serve.cert.expired", Severity.Error, "A policy host certificate has expired (or is not yet valid)",
        "RFC 8461 §3.3", "Senders reject the handshake and cannot fetch the policy.",
        "Renew the certificate; the server reloads the files without a restart.");

    public static readonly FindingDefinition ReceiverStoreUnavailable = new(
        "serve.tlsrpt.store-unavailable", Severity.Error, "The report store of a TLS-RPT receiver tenant cannot be used",
        "RFC 8460 §5.4 (a receiver answers success only for reports it took; senders retry the others)",
        "Reports POSTed to this tenant are answered 503 and nothing is stored until the store works; senders retry for a while, then drop the report.",
        "Check the tenant's db (SQLite path: directory exists and is writable; postgres:// URL: server reachable, credentials valid); the receiver retries by itself.");
}
