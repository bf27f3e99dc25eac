using MailTls.Findings;

namespace MailTls.Watch;

/// <summary>
/// Findings only <c>mailtls watch</c> can make, because they compare a domain over time: the served policy changed
/// while the TXT id stayed (RFC 8461 §3.1), and the TLS-RPT failure rate jumped over its baseline (RFC 8460 §4).
/// Every other alert of the watch comes from a <c>check</c> finding (<see cref="AlertKinds"/>).
/// </summary>
public static class WatchFindings
{
    public static readonly FindingDefinition PolicyIdNotBumped = new(
        "watch.policy.id-not-bumped", Severity.Error, "The policy changed but the TXT record id did not",
        "RFC 8461 §3.1 (the id MUST change whenever the policy changes); §5.1 (senders refetch only on a new id or when max_age ends)",
        "Senders that cached the previous policy keep applying it until its max_age ends: a newly listed MX is refused under enforce, a mode change does not take effect.",
        "Publish a new id in the _mta-sts TXT record (e.g. id=<UTC timestamp>), or put back the policy that belongs to the current id.");

    public static readonly FindingDefinition TlsRptFailureJump = new(
        "watch.tlsrpt.failure-rate-jump", Severity.Warning, "The TLS-RPT failure rate jumped over its baseline",
        "RFC 8460 §4 (reporting senders count failed sessions per policy); thresholds in the watch configuration",
        "More senders than usual failed to establish a secure session: under enforce (or DANE) those messages are deferred and then bounced.",
        "Run 'mailtls reports summary --domain <domain> --since 3d --by result-type' to see the failure types and MX hosts, then 'mailtls check <domain>'.");
}
