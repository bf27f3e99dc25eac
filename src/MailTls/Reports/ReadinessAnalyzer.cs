using System.Globalization;
using MailTls.Findings;
using MailTls.MtaSts;

namespace MailTls.Reports;

/// <summary>The testing → enforce verdict: ready when no finding is an error. Reasons are findings with evidence.</summary>
public sealed record ReadinessResult(string Domain, bool Ready, IReadOnlyList<Finding> Reasons);

/// <summary>
/// Evidence-based readiness for MTA-STS enforce (notes §7.5): coverage by sender and day over the window, failure
/// rates by result type for sts policies, failing MX hosts outside the published <c>mx</c> patterns, the policy
/// senders applied against the published one, and each failure mapped to its likely fix.
/// </summary>
public static class ReadinessAnalyzer
{
    /// <summary>The most likely fix for each RFC 8460 §4.3 result type.</summary>
    public static string FixFor(string resultType) => resultType switch
    {
        "starttls-not-supported" => "enable STARTTLS on the MX host (Postfix: smtpd_tls_security_level = may with a certificate and key)",
        "certificate-host-mismatch" => "add the MX host name to the certificate's subjectAltName (the name in the MX record, not the PTR)",
        "certificate-expired" => "renew the MX certificate and automate renewal; reload the MTA afterwards",
        "certificate-not-trusted" => "serve a certificate from a public CA and include the intermediate certificates in the chain",
        "validation-failure" => "check the certificate chain and TLS configuration of the MX host with mailtls check",
        "sts-policy-fetch-error" => "make https://mta-sts.DOMAIN/.well-known/mta-sts.txt reachable with a valid certificate and HTTP 200",
        "sts-policy-invalid" => "fix the policy syntax (mailtls lint sts-policy) and serve it as text/plain",
        "sts-webpki-invalid" => "give the mta-sts.DOMAIN host a publicly trusted certificate for that name",
        "tlsa-invalid" => "fix or re-publish the TLSA records so they match the MX certificate (mailtls tlsa match)",
        "dnssec-invalid" => "repair the DNSSEC chain of the zone (mailtls dnssec _25._tcp.MX TLSA)",
        "dane-required" => "publish TLSA records (or remove the requirement) for the MX host",
        _ => "look up the result type and the failure-reason-code in the report (mailtls reports show REPORT-ID)",
    };

    public static ReadinessResult Analyze(string domain, ReadinessData data, int days, DateTimeOffset now, StsPolicy? published)
    {
        ArgumentNullException.ThrowIfNull(data);
        var subject = domain;
        var reasons = new List<Finding>();
        var sts = data.Coverage.Where(c => c.PolicyType == "sts").ToList();
        if (data.Coverage.Count == 0)
        {
            reasons.Add(ReportsFindings.ReadinessNoReports.Create(subject, $"No reports about {domain} in the last {days} days."));
            return new ReadinessResult(domain, false, reasons);
        }

        var firstDay = NormalizedReport.DayOf(now) - days;
        var daysWithReports = data.Coverage.Select(c => c.Day).Where(d => d >= firstDay).Distinct().Count();
        var senders = data.Coverage.GroupBy(c => c.Sender).Select(g => $"{g.Key}: {g.Select(c => c.Day).Distinct().Count()} day(s)").ToList();
        long ok = sts.Sum(c => c.SuccessfulSessions), failed = sts.Sum(c => c.FailedSessions);
        reasons.Add(ReportsFindings.ReadinessEvidence.Create(subject,
            string.Create(CultureInfo.InvariantCulture, $"{data.Coverage.Sum(c => c.Reports)} report(s) from {senders.Count} sender(s) on {daysWithReports} of {days} days; sts sessions: {ok} successful, {failed} failed."),
            FindingList.Evidence(("senders", string.Join("; ", senders)), ("days", daysWithReports.ToString(CultureInfo.InvariantCulture)))));
        if (daysWithReports < days * Limits.ReadinessMinDayCoverage)
        {
            reasons.Add(ReportsFindings.ReadinessLowCoverage.Create(subject,
                $"Reports cover {daysWithReports} of {days} days (less than {Limits.ReadinessMinDayCoverage:P0})."));
        }

        if (sts.Count == 0)
        {
            reasons.Add(ReportsFindings.ReadinessNoReports.Create(subject, $"Reports about {domain} exist, but none for an sts policy: senders did not apply an MTA-STS policy."));
        }

        var total = ok + failed;
        var stsFailures = data.Failures.Where(f => f.PolicyType == "sts").ToList();
        foreach (var group in stsFailures.GroupBy(f => f.ResultType).OrderByDescending(g => g.Sum(f => f.FailedSessions)))
        {
            var n = group.Sum(f => f.FailedSessions);
            var rate = total == 0 ? 1.0 : (double)failed / total;
            var def = rate > Limits.ReadinessMaxFailureRate ? ReportsFindings.ReadinessFailures : ReportsFindings.ReadinessFailuresBelowThreshold;
            var hosts = string.Join(", ", group.Select(f => f.ReceivingMx ?? "(no MX named)").Distinct());
            reasons.Add(def.Create(subject,
                string.Create(CultureInfo.InvariantCulture, $"{n} session(s) failed with {group.Key} (MX: {hosts}); sts failure rate {rate:P3}. Fix: {FixFor(group.Key)}."),
                FindingList.Evidence(("result-type", group.Key), ("failed-sessions", n.ToString(CultureInfo.InvariantCulture)), ("mx", hosts),
                    ("failure-reason-code", group.Select(f => f.FailureReasonCode).FirstOrDefault(c => c is not null)), ("fix", FixFor(group.Key)))));
        }

        var policy = published;
        if (policy is null)
        {
            var newest = data.Policies.Where(p => p.Mx.Count > 0).OrderByDescending(p => p.LastDay).FirstOrDefault();
            reasons.Add(ReportsFindings.ReadinessNoPublishedPolicy.Create(subject,
                newest is null ? "No published policy given and no sender quoted one." : $"Comparing with the newest policy senders quoted (mx: {string.Join(", ", newest.Mx)})."));
            if (newest is not null)
            {
                var mx = newest.Mx.Select(m => MxPattern.TryParse(m, out var p) ? p : null).OfType<MxPattern>().ToList();
                policy = new StsPolicy(StsPolicy.CurrentVersion, StsMode.Testing, newest.MaxAge ?? 0, mx, []);
            }
        }
        else
        {
            foreach (var seen in data.Policies)
            {
                var seenMx = seen.Mx.Order(StringComparer.OrdinalIgnoreCase).ToList();
                var pubMx = published!.Mx.Select(m => m.Text).Order(StringComparer.OrdinalIgnoreCase).ToList();
                if (seen.Mode != published.Mode.ToWireName() || seen.MaxAge != published.MaxAge || !seenMx.SequenceEqual(pubMx, StringComparer.OrdinalIgnoreCase))
                {
                    reasons.Add(ReportsFindings.ReadinessPolicyMismatch.Create(subject,
                        $"{seen.Sender} applied mode={seen.Mode ?? "?"} max_age={seen.MaxAge?.ToString(CultureInfo.InvariantCulture) ?? "?"} mx={string.Join(",", seen.Mx)} "
                        + $"in {seen.Reports} report(s); published is mode={published.Mode.ToWireName()} max_age={published.MaxAge} mx={string.Join(",", pubMx)}."));
                }
            }
        }

        if (policy is not null)
        {
            foreach (var host in data.Failures.Select(f => f.ReceivingMx).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (!policy.Covers(host))
                {
                    reasons.Add(ReportsFindings.ReadinessMxOutsidePolicy.Create(subject,
                        $"Failing MX host {host} matches none of the policy's mx patterns ({string.Join(", ", policy.Mx.Select(m => m.Text))}).",
                        FindingList.Evidence(("mx", host))));
                }
            }
        }

        return new ReadinessResult(domain, !reasons.HasErrors(), reasons);
    }
}
