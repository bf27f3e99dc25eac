using System.Globalization;
using MailTls.Dns;
using MailTls.Findings;
using MailTls.MtaSts;

namespace MailTls.Serve;

/// <summary>Outcome of <see cref="PolicySelfCheck.CheckAsync"/> for one domain.</summary>
/// <param name="Domain">The policy domain.</param>
/// <param name="PublishedId">The id of the live <c>_mta-sts</c> record, when exactly one valid record was found.</param>
/// <param name="MxHosts">The live MX host names (empty when the lookup failed or there is none).</param>
/// <param name="Findings">Warnings and errors: id not bumped, no TXT record, MX not covered, DNS unavailable.</param>
/// <param name="NewState">What to remember for the next check (null: keep the previous entry).</param>
public sealed record PolicySelfCheckResult(
    string Domain,
    string? PublishedId,
    IReadOnlyList<string> MxHosts,
    IReadOnlyList<Finding> Findings,
    PolicyIdStateEntry? NewState);

/// <summary>
/// What a policy host can check about a policy it serves, through DNS: the live <c>_mta-sts</c> TXT record exists
/// and its id changed when the policy content did (RFC 8461 §3.1), and every live MX host is covered by an mx
/// pattern of the policy (§4.1, the same matcher as senders). Temporary DNS failures are reported, never taken
/// for "no record".
/// </summary>
public sealed class PolicySelfCheck
{
    private readonly DnsLookup dns;

    public PolicySelfCheck(DnsLookup dns)
    {
        ArgumentNullException.ThrowIfNull(dns);
        this.dns = dns;
    }

    /// <summary>Checks <paramref name="domain"/> serving <paramref name="policy"/>, given what was seen last time.</summary>
    public async Task<PolicySelfCheckResult> CheckAsync(string domain, StsPolicy policy, PolicyIdStateEntry? previous, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(policy);
        var subject = "_mta-sts." + domain;
        var findings = new List<Finding>();
        var hash = PolicyIdState.Hash(policy);

        var txtTask = dns.TxtAsync("_mta-sts." + domain, cancellationToken);
        var mxTask = dns.MxAsync(domain, cancellationToken);
        var txt = await txtTask.ConfigureAwait(false);
        var mx = await mxTask.ConfigureAwait(false);

        string? id = null;
        PolicyIdStateEntry? next = null;
        var discovery = StsDiscovery.Evaluate(new StsTxtAnswer(txt.Status, [.. txt.Records.Select(r => r.Data.Strings)]));
        switch (discovery)
        {
            case StsDiscoveryResult.Found found:
                id = found.Record.Id;
                if (previous is not null && previous.PolicyHash != hash && previous.Id == id)
                {
                    findings.Add(ServeFindings.IdNotBumped.Create(subject,
                        $"The policy served for {domain} changed, but _mta-sts.{domain} still publishes id={id}.",
                        FindingList.Evidence(("id", id), ("previous_policy_sha256", previous.PolicyHash), ("policy_sha256", hash))));
                }
                else
                {
                    next = new PolicyIdStateEntry(hash, id);
                }

                break;
            case StsDiscoveryResult.NoPolicy none:
                findings.Add(ServeFindings.TxtMissing.Create(subject,
                    $"A policy is served for {domain}, but discovery finds no policy ({none.Reason}): " +
                    string.Join(" ", none.Findings.Select(f => f.Message)),
                    FindingList.Evidence(("reason", none.Reason.ToString()))));
                break;
            case StsDiscoveryResult.TempFailure temp:
                findings.Add(ServeFindings.DnsUnavailable.Create(subject, $"TXT _mta-sts.{domain}: {temp.Reason}",
                    FindingList.Evidence(("status", temp.Status.ToString()))));
                break;
        }

        var hosts = new List<string>();
        if (mx.Status.IsTemporary())
        {
            findings.Add(ServeFindings.DnsUnavailable.Create(domain, $"MX {domain}: {mx.Status} {mx.Error}".TrimEnd(),
                FindingList.Evidence(("status", mx.Status.ToString()))));
        }
        else
        {
            foreach (var r in mx.Records.OrderBy(r => r.Data.Preference))
            {
                var host = r.Data.Exchange.TrimEnd('.');
                if (host.Length == 0)
                {
                    continue; // null MX (RFC 7505): no host to cover
                }

                hosts.Add(host);
                if (!policy.Covers(host))
                {
                    findings.Add(StsFindings.MxNotCovered.Create(domain,
                        $"The MX host {host} of {domain} matches no mx pattern of the served policy ({string.Join(", ", policy.Mx.Select(m => m.Text))}).",
                        FindingList.Evidence(("mx", host), ("preference", r.Data.Preference.ToString(CultureInfo.InvariantCulture)))));
                }
            }
        }

        return new PolicySelfCheckResult(domain, id, hosts, findings, next);
    }
}
