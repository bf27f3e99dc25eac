using MailTls.Findings;

namespace MailTls.Plan;

/// <summary>
/// Finding codes of <c>mailtls plan</c> and <c>mailtls tlsa guard</c>: changes done out of order or too early, gates
/// that are not green, plans that cannot be made, and certificates that DANE would not accept. Policy id bumps reuse
/// <c>serve.id.not-bumped</c>, MX coverage <c>sts.mx.not-covered</c>, readiness the <c>reports.readiness.*</c> codes.
/// </summary>
public static class PlanFindings
{
    public static readonly FindingDefinition OutOfOrder = new(
        "plan.step.out-of-order", Severity.Error, "A later step of the plan is already live while an earlier one is not done",
        "RFC 8461 §8.4, RFC 7671 §8.4 (one change at a time, in order)",
        "Each step prepares the world for the next one (the policy must list an MX before the MX is published, a TLSA record must exist before its key is used); doing them out of order breaks delivery for senders that see the later change first.",
        "Undo the later change, or finish the earlier steps now; then run 'mailtls plan status DOMAIN' again.");

    public static readonly FindingDefinition TooEarly = new(
        "plan.step.too-early", Severity.Error, "A step was done before the wait in front of it had passed",
        "RFC 7671 §8.1 (wait at least 2×TTL), RFC 8461 §3.1 and §5.1 (senders keep what they cached)",
        "Resolvers and senders still hold the previous records or policy until the wait is over; for them the new state does not match what they cached (e.g. a new key without its TLSA record) and delivery fails or is reported as failed.",
        "Undo the change until the wait has passed (see the earliest time in 'mailtls plan status DOMAIN'), then do it again.");

    public static readonly FindingDefinition Regressed = new(
        "plan.step.regressed", Severity.Error, "A step that was done is no longer in effect",
        "the plan's gate",
        "The later steps rely on it; the world has moved back (a record or policy was reverted or lost).",
        "Redo the step (see 'mailtls plan status DOMAIN'), or cancel the plan with 'mailtls plan cancel DOMAIN'.");

    public static readonly FindingDefinition GatePending = new(
        "plan.gate.pending", Severity.Info, "The current step's gate is not green yet",
        "the plan's gate",
        "The next step must wait until every check of this one holds.",
        "Do what the step says, or wait until the time given; then run 'mailtls plan status DOMAIN' again.");

    public static readonly FindingDefinition CannotPlan = new(
        "plan.precondition.failed", Severity.Error, "The change cannot be planned from the current state",
        "RFC 8461, RFC 7671, RFC 7672 (what each change needs first)",
        "A plan from this state would break delivery or could not reach its goal.",
        "Fix what the message names first (often another plan: tlsrpt → testing → enforce; dane before rotate-key).");

    public static readonly FindingDefinition NothingToDo = new(
        "plan.nothing-to-do", Severity.Info, "The domain is already in the requested state",
        "the plan's goal",
        "A plan without a change would only record noise.",
        "Nothing: 'mailtls check DOMAIN' shows the current state.");

    public static readonly FindingDefinition NoTlsRpt = new(
        "plan.tlsrpt.missing", Severity.Warning, "MTA-STS is being turned on without TLS-RPT",
        "RFC 8460 §3, RFC 8461 §5 (testing mode exists to collect reports)",
        "Without reports, testing mode shows nothing and enforce cannot be judged from evidence.",
        "Run 'mailtls plan tlsrpt DOMAIN --rua mailto:…' first.");

    public static readonly FindingDefinition CertKeyNotCovered = new(
        "plan.rotate-cert.key-not-covered", Severity.Warning, "The new certificate changes the key and no published TLSA record covers it",
        "RFC 7671 §8.1 (publish the new key's TLSA record at least 2×TTL before deploying it)",
        "Deploying it now would make every DANE sender refuse the MX host (dane.tlsa.mismatch) until a matching record is published and cached.",
        "Follow the plan: publish the new TLSA record first, wait 2×TTL, then deploy the certificate.");

    public static readonly FindingDefinition ApplyFailed = new(
        "plan.apply.failed", Severity.Error, "An applied step could not be performed or verified",
        "RFC 2136 §3 (update processing), RFC 8945 (TSIG)",
        "The plan stops at this step: the next one depends on it.",
        "Read the message (REFUSED/NOTAUTH: the key or the server's ACL; BADTIME: the clock), fix it and run 'mailtls plan apply DOMAIN'.");

    public static readonly FindingDefinition AuthorityDisagrees = new(
        "plan.authority.disagree", Severity.Warning, "The authoritative servers of the zone do not serve the same data",
        "RFC 7671 §8.4 and internet.nl's DANE rollover guidance (check every authoritative server)",
        "A resolver may ask any of them; until every server serves the change, the change is not published.",
        "Wait for the secondaries to transfer the zone (compare SOA serials), or fix the zone transfer.");

    public static readonly FindingDefinition GuardNoMatch = new(
        "dane.guard.no-match", Severity.Error, "No published TLSA record matches the new certificate",
        "RFC 7671 §8.1, RFC 7672 §3.1",
        "After deploying it every DANE sender refuses the host: its TLSA records describe another key or chain.",
        "Publish a TLSA record for the new key first ('mailtls generate tlsa --cert NEWCERT'), wait 2×TTL, then deploy (or run 'mailtls plan rotate-cert').");

    public static readonly FindingDefinition GuardTooYoung = new(
        "dane.guard.too-young", Severity.Error, "The TLSA record that matches the new certificate was published less than 2×TTL ago",
        "RFC 7671 §8.1 (at least two TTLs before the new chain is deployed)",
        "Resolvers may still hold the previous TLSA RRset without this record; for their senders the new certificate does not match.",
        "Deploy after the time given (the guard accepts then), keeping the old certificate in service until then.");

    public static readonly FindingDefinition GuardInsecure = new(
        "dane.guard.insecure", Severity.Warning, "The host's TLSA records are not DNSSEC-secure, so senders ignore them",
        "RFC 7672 §2.2 (TLSA records are only used when DNSSEC-validated)",
        "Nothing authenticates the certificate by DANE, so deploying it cannot break DANE, but DANE does not protect the host either.",
        "Sign the zone and publish its DS in the parent, or remove the TLSA records.");
}
