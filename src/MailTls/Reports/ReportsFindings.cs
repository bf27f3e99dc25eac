using MailTls.Findings;

namespace MailTls.Reports;

/// <summary>Readiness verdict codes of <c>reports readiness</c> (notes §7.5): each names the evidence and the fix.</summary>
public static class ReportsFindings
{
    public static readonly FindingDefinition ReadinessNoReports = new(
        "reports.readiness.no-reports", Severity.Error, "No TLS-RPT reports for the domain in the window",
        "notes §0.6: absence of reports is not success",
        "Without reports nothing shows that senders could validate the MX hosts; enforce could bounce mail unseen.",
        "Publish a TLS-RPT record (_smtp._tls TXT with rua=) and import the reports for at least two weeks before enforcing.");

    public static readonly FindingDefinition ReadinessLowCoverage = new(
        "reports.readiness.low-coverage", Severity.Warning, "Reports cover too few days of the window",
        "notes Q24: Google reports daily with weekly contact, Microsoft only on days it sent mail",
        "Few reporting days mean few sessions were observed; a failing MX may simply not have been tried yet.",
        "Wait for more reports (or widen --days) before switching to enforce.");

    public static readonly FindingDefinition ReadinessFailures = new(
        "reports.readiness.failures", Severity.Error, "Senders failed to validate TLS with the published policy",
        "RFC 8460 §4.3 result types; Limits.ReadinessMaxFailureRate",
        "In enforce mode these sessions would not be delivered: the sender must refuse to send when validation fails (RFC 8461 §5).",
        "Apply the fix named for each result type, then wait for clean reports.");

    public static readonly FindingDefinition ReadinessFailuresBelowThreshold = new(
        "reports.readiness.some-failures", Severity.Warning, "A few sessions failed validation",
        "Limits.ReadinessMaxFailureRate",
        "The failure rate is under the threshold, but each failed session would be a bounce in enforce mode.",
        "Look at the failing MX hosts and result types and fix them if they are yours.");

    public static readonly FindingDefinition ReadinessMxOutsidePolicy = new(
        "reports.readiness.mx-outside-policy", Severity.Error, "A failing MX host is not covered by the policy's mx patterns",
        "RFC 8461 §4.1: an MX not matching an mx pattern fails validation in enforce mode",
        "Senders reached an MX host that the policy does not list; in enforce mode mail to it is refused.",
        "Add the host (or a matching wildcard) to the policy's mx: lines, or remove the MX record.");

    public static readonly FindingDefinition ReadinessPolicyMismatch = new(
        "reports.readiness.policy-mismatch", Severity.Warning, "Senders applied a policy that differs from the published one",
        "RFC 8461 §3.3: senders cache a policy for max_age; notes §7.5",
        "Until their cached copies expire, senders act on the old policy; the evidence in the reports is about that policy, not the new one.",
        "Change the policy id when the policy changes, and wait max_age (or for reports quoting the new policy) before judging.");

    public static readonly FindingDefinition ReadinessEvidence = new(
        "reports.readiness.evidence", Severity.Info, "Evidence from the reports",
        "notes §7.5",
        "Shows what the verdict rests on: reporting senders, days covered and sessions.",
        "None needed.");

    public static readonly FindingDefinition ReadinessNoPublishedPolicy = new(
        "reports.readiness.no-published-policy", Severity.Info, "Published policy not given: compared with what senders saw",
        "notes §7.5",
        "Without --policy the mx coverage check uses the newest policy senders reported, which may be stale.",
        "Pass the published policy with --policy FILE.");
}
