using MailTls.Dane;
using MailTls.Dns;
using MailTls.Dns.Dnssec;

namespace MailTls.Resolver;

/// <summary>Result of <see cref="DanePrecedence.CheckAsync"/>.</summary>
public sealed record DaneCheck(bool Governs, bool AllHostsHaveTlsa, string Reason);

/// <summary>
/// Decides whether DANE governs a destination so that MTA-STS never overrides it (RFC 8461 §2; notes §4.3 #67/#92):
/// the MX RRset (or, without MX, the implicit MX) is DNSSEC-secure by the in-process <see cref="DnssecValidator"/>
/// and at least one MX host has a DNSSEC-secure, non-empty TLSA RRset at <c>_25._tcp.HOST</c> (RFC 7672 §2.2). Each
/// check uses a fresh per-check DNS cache so that a long-running daemon never serves stale DNS.
/// </summary>
public sealed class DanePrecedence(IDnsResolver resolver, TrustAnchors anchors, TimeProvider? time = null)
{
    public async Task<DaneCheck> CheckAsync(string domain, CancellationToken cancellationToken = default)
    {
        var cache = new CachingDnsResolver(resolver);
        var lookup = new DnsLookup(cache);
        var validator = new DnssecValidator(cache, anchors, time ?? TimeProvider.System);
        var mx = await lookup.MxAsync(domain, cancellationToken).ConfigureAwait(false);
        if (mx.Status.IsTemporary() || mx.Status == DnsAnswerStatus.NxDomain)
        {
            return new DaneCheck(false, false, "MX lookup " + mx.Status);
        }

        var mxDnssec = await validator.ValidateAsync(mx, cancellationToken).ConfigureAwait(false);
        if (mxDnssec.Status != DnssecStatus.Secure)
        {
            return new DaneCheck(false, false, "MX RRset is " + mxDnssec.Status);
        }

        var hosts = mx.Records.Count > 0
            ? mx.Records.Select(r => r.Data.Exchange.TrimEnd('.')).Where(h => h.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList()
            : [domain];
        if (hosts.Count == 0)
        {
            return new DaneCheck(false, false, "null MX");
        }

        var secure = 0;
        foreach (var host in hosts)
        {
            var owner = TlsaOwner.For(host);
            if (owner is null)
            {
                continue;
            }

            var tlsa = await lookup.TlsaAsync(owner, cancellationToken).ConfigureAwait(false);
            if (tlsa.Records.Count == 0)
            {
                continue;
            }

            var v = await validator.ValidateAsync(tlsa, cancellationToken).ConfigureAwait(false);
            if (v.Status == DnssecStatus.Secure)
            {
                secure++;
            }
        }

        return secure == 0
            ? new DaneCheck(false, false, "no MX host has DNSSEC-secure TLSA records")
            : new DaneCheck(true, secure == hosts.Count, $"{secure} of {hosts.Count} MX hosts have DNSSEC-secure TLSA records");
    }
}
