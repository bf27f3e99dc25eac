using System.Globalization;
using MailTls.Audit;
using MailTls.Findings;
using MailTls.MtaSts;
using MailTls.Serve;

namespace MailTls.Watch;

/// <summary>
/// The policy the watch last accepted for a domain's current TXT id: what senders that cached the policy under
/// that id hold (RFC 8461 §5.1). Replaced when the id changes, never when only the content does.
/// </summary>
public sealed record PolicyBaseline(string Id, string Sha256, string Text, DateTimeOffset SeenAt);

/// <summary>One problem an audit shows: an alert kind, its subject, the worst severity and the findings behind it.</summary>
public sealed record WatchProblem(AlertKind Kind, string Subject, Severity Severity, IReadOnlyList<string> Codes, string Message);

/// <summary>What one audit of a domain means for its alerts.</summary>
public sealed class WatchObservation
{
    private readonly AuditFacts facts;
    private readonly bool reportsEvaluated;

    internal WatchObservation(AuditFacts facts, IReadOnlyList<WatchProblem> problems, PolicyBaseline? newBaseline, bool reportsEvaluated)
    {
        this.facts = facts;
        this.reportsEvaluated = reportsEvaluated;
        Problems = problems;
        NewBaseline = newBaseline;
    }

    public string Domain => facts.Domain;

    public DateTimeOffset At => facts.AuditedAt;

    public IReadOnlyList<WatchProblem> Problems { get; }

    /// <summary>The policy baseline to store (null: keep the stored one).</summary>
    public PolicyBaseline? NewBaseline { get; }

    /// <summary>
    /// True when this audit could have seen a problem of <paramref name="kind"/> about <paramref name="subject"/>, so
    /// that its absence means the problem cleared. An audit that could not look (incomplete, a temporary DNS failure,
    /// a probe without TLS, a failed policy fetch, a bogus zone that stopped the audit) keeps an alert open.
    /// </summary>
    public bool CanSee(AlertKind kind, string subject)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(subject);
        if (!facts.Completed)
        {
            return false;
        }

        return kind.Scope switch
        {
            AlertScope.Policy => CanSeePolicy(kind),
            AlertScope.MxAddress => CanSeeAddress(kind, subject),
            AlertScope.Dnssec => CanSeeDnssec(subject),
            AlertScope.Reports => reportsEvaluated,
            _ => false,
        };
    }

    private bool CanSeePolicy(AlertKind kind)
    {
        switch (facts.Sts)
        {
            case StsEvidence.NotChecked or StsEvidence.TempFailure:
                return false;
            case StsEvidence.NoPolicy:
                return true; // no MTA-STS any more: nothing of it can be wrong
        }

        if (kind == AlertKinds.PolicyUnreachable)
        {
            return true;
        }

        if (kind == AlertKinds.PolicyCertExpiring)
        {
            return facts.PolicyTlsSeen;
        }

        if (kind == AlertKinds.MxNotCovered)
        {
            return facts.Policy is not null && !facts.DnsTemporaryFailure;
        }

        return facts.Policy is not null;
    }

    private bool CanSeeAddress(AlertKind kind, string subject)
    {
        if (facts.DnsTemporaryFailure || facts.DomainBogus)
        {
            return false;
        }

        var address = facts.Addresses.FirstOrDefault(a => subject == a.Subject || subject.StartsWith(a.Subject + " ", StringComparison.Ordinal));
        if (address is not null)
        {
            if (!facts.SmtpProbed || !address.TlsSeen)
            {
                return false;
            }

            return kind != AlertKinds.TlsaMismatch || facts.Hosts.FirstOrDefault(h => h.Host == address.Host)?.Dane != DaneState.LookupFailed;
        }

        var host = facts.Hosts.FirstOrDefault(h => subject == (h.TlsaOwner ?? "_25._tcp." + h.Host) + " TLSA" || subject == "_25._tcp." + h.Host + " TLSA");
        if (host is not null)
        {
            return host.Dane != DaneState.LookupFailed;
        }

        // The host or address is no longer an MX target (the MX set is known): nothing to alert on.
        return true;
    }

    private bool CanSeeDnssec(string subject)
    {
        if (!facts.DnssecChecked)
        {
            return false;
        }

        if (facts.Findings.Any(f => f.Code == Dns.Dnssec.DnssecFindings.Indeterminate.Code && f.Subject == subject))
        {
            return false;
        }

        if (subject == facts.DomainDnssecSubject)
        {
            return true;
        }

        // A bogus MX RRset stops the audit before the MX hosts and TLSA records are validated.
        return !facts.DomainBogus && !facts.DnsTemporaryFailure;
    }
}

/// <summary>
/// Turns one audit (and the TLS-RPT evaluation) into problems per alert kind and subject, comparing the served
/// policy with the stored baseline for its id. Pure: no I/O, no clock.
/// </summary>
public static class WatchEvaluator
{
    public static WatchObservation Evaluate(AuditFacts facts, PolicyBaseline? baseline, TlsRptJumpResult? reports = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var findings = new List<Finding>(facts.Findings);
        PolicyBaseline? next = null;
        if (facts.Completed && facts.Sts == StsEvidence.Found && facts.Policy is { } policy && facts.PolicyId is { } id)
        {
            var hash = PolicyIdState.Hash(policy);
            var text = policy.RawText ?? StsPolicyFormatter.Format(policy, StsLineEnding.Lf);
            if (baseline is null || !string.Equals(baseline.Id, id, StringComparison.Ordinal))
            {
                next = new PolicyBaseline(id, hash, text, facts.AuditedAt);
            }
            else if (!string.Equals(baseline.Sha256, hash, StringComparison.Ordinal))
            {
                findings.Add(WatchFindings.PolicyIdNotBumped.Create("_mta-sts." + facts.Domain,
                    $"The policy served by mta-sts.{facts.Domain} changed since {baseline.SeenAt.ToString("u", CultureInfo.InvariantCulture)} ({Describe(StsPolicyParser.Parse(baseline.Text).Policy)} → {Describe(policy)}), but _mta-sts.{facts.Domain} still publishes id={id}: senders that cached the previous policy keep it for up to its max_age.",
                    FindingList.Evidence(("id", id), ("previous_policy_sha256", baseline.Sha256), ("policy_sha256", hash), ("previous_policy", baseline.Text), ("policy", text))));
            }
        }

        if (reports?.Finding is { } jump)
        {
            findings.Add(jump);
        }

        var problems = new List<WatchProblem>();
        foreach (var group in findings
            .SelectMany(f => AlertKinds.ForCode(f.Code).Select(k => (Kind: k, Finding: f)))
            .GroupBy(x => (x.Kind.Id, x.Finding.Subject))
            .OrderBy(g => g.Key.Id, StringComparer.Ordinal).ThenBy(g => g.Key.Subject, StringComparer.Ordinal))
        {
            var items = group.Select(x => x.Finding).ToList();
            var message = string.Join(" ", items.Select(f => f.Message).Distinct(StringComparer.Ordinal));
            if (message.Length > Limits.WatchAlertMessageMaxChars)
            {
                message = message[..(Limits.WatchAlertMessageMaxChars - 1)] + "…";
            }

            problems.Add(new WatchProblem(
                group.First().Kind,
                group.Key.Subject,
                items.Max(f => f.Severity),
                [.. items.Select(f => f.Code).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                message));
        }

        return new WatchObservation(facts, problems, next, reports?.Evaluated ?? false);
    }

    private static string Describe(StsPolicy? p) => p is null
        ? "unparsable policy"
        : $"mode {p.Mode.ToWireName()}, max_age {p.MaxAge.ToString(CultureInfo.InvariantCulture)}, mx {string.Join(" ", p.Mx.Select(m => m.Text))}";
}
