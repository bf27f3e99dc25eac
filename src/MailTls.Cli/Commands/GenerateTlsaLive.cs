using System.Net;
using MailTls.Dane;
using MailTls.Dns;
using MailTls.Smtp;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>generate tlsa --host</c>: the records for the chains a live SMTP server presents after STARTTLS, through the same
/// prober <c>check</c> uses (never sends MAIL FROM). Every address of the host is probed; one record per distinct
/// certificate (RSA and ECDSA certificates on one host each need a record, RFC 7671 §8).
/// </summary>
internal static class GenerateTlsaLive
{
    public static async Task<IReadOnlyList<(TlsaRecord Record, string Host, string Detail)>> FromHostAsync(
        string host, int port, IReadOnlyList<IPEndPoint> servers, string? name,
        TlsaUsage usage, TlsaSelector selector, TlsaMatchingType matching, int? depth, CancellationToken cancellationToken)
    {
        var hostName = DnsName.TryNormalize(host) ?? throw new UsageException($"--host: '{host}' is not a host name");
        var lookup = new DnsLookup(new CachingDnsResolver(new DnsStubResolver(new DnsStubResolverSettings { Servers = servers })));
        var a = await lookup.AAsync(hostName, cancellationToken);
        var aaaa = await lookup.AaaaAsync(hostName, cancellationToken);
        var addresses = a.Records.Select(r => r.Data.Address).Concat(aaaa.Records.Select(r => r.Data.Address)).ToList();
        if (addresses.Count == 0)
        {
            if (a.Status.IsTemporary() || aaaa.Status.IsTemporary())
            {
                throw new IOException($"--host: the address lookup of {hostName} failed ({a.Status}/{aaaa.Status}); is the resolver reachable?");
            }

            throw new UsageException($"--host: {hostName} has no A or AAAA record");
        }

        var prober = new StartTlsProber(new StartTlsProberOptions { Port = port });
        var results = new List<(TlsaRecord, string, string)>();
        var seen = new HashSet<TlsaRecord>();
        var problems = new List<string>();
        foreach (var address in addresses)
        {
            var probe = await prober.ProbeAsync(hostName, address, cancellationToken);
            if (probe.Sessions.Count == 0)
            {
                problems.Add($"{address}: {probe.Outcome} ({probe.Detail})");
                continue;
            }

            foreach (var session in probe.Sessions)
            {
                var d = depth ?? (usage is TlsaUsage.DaneTa or TlsaUsage.PkixTa ? 1 : 0);
                if (d >= session.Chain.Count)
                {
                    throw new UsageException($"{hostName} [{address}] presents {session.Chain.Count} certificate(s); there is none at depth {d} (usage 2 needs the server to send its issuer)");
                }

                var certificate = session.Chain[d];
                if (TlsaBuilder.Association(certificate.RawData, selector, matching) is null)
                {
                    throw new UsageException($"selector {(byte)selector} / matching type {(byte)matching} cannot be computed");
                }

                var record = TlsaBuilder.FromCertificate(certificate, usage, selector, matching);
                if (seen.Add(record))
                {
                    results.Add((record, name ?? hostName, $"{hostName} [{address}]:{port} {session.KeyAlgorithm}, depth {d}: {certificate.Subject}"));
                }
            }
        }

        if (results.Count == 0)
        {
            throw new IOException($"no TLS session with {hostName}: {string.Join("; ", problems)}");
        }

        return results;
    }
}
