using MailTls.Dane;
using MailTls.Dns;
using MailTls.MtaSts;
using MailTls.TlsRpt;

namespace MailTls.Plan;

/// <summary>Reads the <see cref="PlanSnapshot"/> a change is planned from, out of a <see cref="PlanWorld"/>.</summary>
public static class PlanSnapshotReader
{
    /// <summary>Which changes need the MX hosts probed over STARTTLS (the keys they present).</summary>
    public static bool NeedsSmtp(ChangeKind change) => change is ChangeKind.AddMx or ChangeKind.RotateKey or ChangeKind.RotateCert or ChangeKind.Dane;

    /// <summary>
    /// Reads the state: the authoritative MX, <c>_mta-sts</c> and <c>_smtp._tls</c> RRsets with their TTLs, the served
    /// policy, the audit's DNSSEC state and hosts, and TLSA TTLs of the hosts in <paramref name="extraHosts"/> and the MX.
    /// </summary>
    public static async Task<(PlanSnapshot? Snapshot, string? Error)> ReadAsync(PlanWorld world, IReadOnlyList<string> extraHosts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(extraHosts);
        var domain = world.Domain;
        var mxTask = world.RrsetAsync(domain, DnsRecordType.MX, cancellationToken);
        var stsTask = world.RrsetAsync("_mta-sts." + domain, DnsRecordType.TXT, cancellationToken);
        var rptTask = world.RrsetAsync("_smtp._tls." + domain, DnsRecordType.TXT, cancellationToken);
        var policyTask = world.PolicyAsync();
        var auditTask = world.AuditAsync();
        var mx = await mxTask.ConfigureAwait(false);
        var sts = await stsTask.ConfigureAwait(false);
        var rpt = await rptTask.ConfigureAwait(false);
        foreach (var r in new[] { mx, sts, rpt })
        {
            if (r.Incomplete)
            {
                var failed = r.Answers.Where(a => a.Status.IsTemporary()).Select(a => $"{a.Server}: {a.Status} {a.Error}".TrimEnd());
                return (null, $"the authoritative servers of {world.Zone.Zone} did not all answer for {r.Owner} {DnsRecordTypeText.ToText(r.Type)}: {string.Join("; ", failed)}");
            }
        }

        var policy = await policyTask.ConfigureAwait(false);
        var audit = await auditTask.ConfigureAwait(false);
        var ttls = new Dictionary<string, RrsetTtl>(StringComparer.Ordinal);
        foreach (var r in new[] { mx, sts, rpt })
        {
            ttls[r.Ttl.Key] = r.Ttl;
        }

        var mxList = mx.Records.Select(RecordData.Mx).OfType<MxData>().Where(m => m.Exchange is not ("." or ""))
            .Select(m => (m.Preference, Host: m.Exchange.TrimEnd('.').ToLowerInvariant())).OrderBy(m => m.Preference).ThenBy(m => m.Host, StringComparer.Ordinal).ToList();
        var hosts = new Dictionary<string, HostSnapshot>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in mxList.Select(m => m.Host).Concat(extraHosts).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var h = await world.HostAsync(name).ConfigureAwait(false);
            if (h is not null)
            {
                hosts[name] = h;
            }

            var owner = TlsaOwner.For(name);
            if (owner is not null)
            {
                var tlsa = await world.RrsetAsync(owner, DnsRecordType.TLSA, cancellationToken).ConfigureAwait(false);
                if (!tlsa.Incomplete && PlanNamesInZone.Contains(world.Zone.Zone, owner))
                {
                    ttls[tlsa.Ttl.Key] = tlsa.Ttl;
                }
            }
        }

        var discovery = StsDiscovery.Evaluate(new StsTxtAnswer(sts.Answers[0].Status, PlanWorld.TxtStrings(sts.Records)));
        var rptSelection = TlsRptRecordSelector.Select(PlanWorld.TxtStrings(rpt.Records));
        var snapshot = new PlanSnapshot
        {
            Domain = domain,
            Zone = world.Zone.Zone,
            Now = world.PlanNow,
            RealNow = DateTimeOffset.UtcNow,
            NegativeTtl = world.Zone.NegativeTtl,
            Servers = [.. world.Zone.Servers.Select(s => s.ToString())],
            Primary = world.Zone.Primary is { } p ? (world.Zone.PrimaryName is { } n ? $"{n} {p}" : p.ToString()) : null,
            Ttls = ttls,
            Mx = mxList,
            StsRecord = discovery is StsDiscoveryResult.Found found ? found.Record : null,
            StsTxtExists = sts.Records.Count > 0,
            Policy = policy.Policy,
            PolicySha256 = policy.Sha256,
            TlsRpt = rptSelection.Record,
            TlsRptTxtExists = rpt.Records.Count > 0,
            Dnssec = audit.Dnssec?.Status,
            Hosts = hosts,
        };
        return (snapshot, null);
    }
}
