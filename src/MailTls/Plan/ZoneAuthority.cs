using System.Net;
using MailTls.Dns;

namespace MailTls.Plan;

/// <summary>One authoritative server of a zone: its name (from NS, or the address for an override) and address.</summary>
public sealed record AuthoritativeServer(string Name, IPEndPoint Address)
{
    public override string ToString() => Name == Address.ToString() ? Name : $"{Name} {Address}";
}

/// <summary>A zone as its authorities describe it: apex, servers, SOA timers and the primary (SOA MNAME).</summary>
public sealed record ZoneInfo(string Zone, IReadOnlyList<AuthoritativeServer> Servers, string? PrimaryName, IPEndPoint? Primary, uint SoaTtl, uint SoaMinimum)
{
    /// <summary>min(SOA TTL, SOA MINIMUM) (RFC 2308 §5).</summary>
    public uint NegativeTtl => PlanTiming.NegativeTtl(SoaTtl, SoaMinimum);
}

/// <summary>One server's answer for an RRset.</summary>
public sealed record ServerRrset(AuthoritativeServer Server, DnsAnswerStatus Status, IReadOnlyList<DnsRecord> Records, string? Error);

/// <summary>An RRset as every authoritative server serves it.</summary>
public sealed record AuthoritativeRrset(string Owner, DnsRecordType Type, IReadOnlyList<ServerRrset> Answers, uint NegativeTtl)
{
    /// <summary>True when some server failed (timeout, SERVFAIL, REFUSED, no authority).</summary>
    public bool Incomplete => Answers.Count == 0 || Answers.Any(a => a.Status.IsTemporary());

    /// <summary>The largest TTL any server serves for the RRset; null when no server has it.</summary>
    public uint? MaxTtl => Answers.SelectMany(a => a.Records).Select(r => (uint?)r.Ttl).Max();

    /// <summary>True when every server serves the same records (TTL ignored, RFC 2181 §5).</summary>
    public bool Agree => Answers.Count <= 1 || Answers.Skip(1).All(a => SameSet(a.Records, Answers[0].Records));

    public RrsetTtl Ttl => new(Owner, Type, MaxTtl, NegativeTtl);

    /// <summary>The records of the first server that answered (all agree when <see cref="Agree"/>).</summary>
    public IReadOnlyList<DnsRecord> Records => Answers.FirstOrDefault(a => !a.Status.IsTemporary())?.Records ?? [];

    private static bool SameSet(IReadOnlyList<DnsRecord> a, IReadOnlyList<DnsRecord> b) =>
        a.Count == b.Count && a.All(x => b.Any(x.SameData));
}

/// <summary>
/// Asks a zone's authoritative servers directly (the DNS layer's stub, one server at a time, no cache): the TTLs a
/// change must wait for are the ones the authorities hand out (RFC 7671 §8.1: 2×TTL; notes: the maximum over every
/// authoritative server), not the counted-down ones a recursive resolver returns.
/// </summary>
public sealed class ZoneAuthority
{
    private readonly DnsLookup recursive;
    private readonly TimeSpan timeout;

    public ZoneAuthority(IDnsResolver recursive, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(recursive);
        this.recursive = new DnsLookup(recursive);
        this.timeout = timeout ?? Limits.DnsQueryTimeout;
    }

    /// <summary>
    /// The zone that holds <paramref name="name"/>: the owner of the SOA in the answer or authority section, its NS
    /// (or <paramref name="servers"/> when given) and the primary (SOA MNAME, or <paramref name="primary"/>).
    /// Null with a reason when it cannot be found.
    /// </summary>
    public async Task<(ZoneInfo? Zone, string? Error)> FindAsync(string name, IReadOnlyList<IPEndPoint>? servers = null, IPEndPoint? primary = null, CancellationToken cancellationToken = default)
    {
        var soa = await recursive.LookupAsync(name, DnsRecordType.SOA, cancellationToken).ConfigureAwait(false);
        if (soa.Status.IsTemporary())
        {
            return (null, $"the SOA lookup of {name} failed ({soa.Status} {soa.Error})");
        }

        var soaRecord = soa.Rrset.FirstOrDefault(r => r.Type == DnsRecordType.SOA) ?? soa.Authority.FirstOrDefault(r => r.Type == DnsRecordType.SOA);
        if (soaRecord is null || RecordData.Soa(soaRecord) is not { } soaData)
        {
            return (null, $"no SOA record found for {name} (status {soa.Status})");
        }

        var zone = soaRecord.Name;
        var list = new List<AuthoritativeServer>();
        if (servers is { Count: > 0 })
        {
            list.AddRange(servers.Select(s => new AuthoritativeServer(s.ToString(), s)));
        }
        else
        {
            var ns = await recursive.LookupAsync(zone, DnsRecordType.NS, cancellationToken).ConfigureAwait(false);
            foreach (var n in ns.Rrset.Where(r => r.Type == DnsRecordType.NS).Select(NsTarget).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal))
            {
                foreach (var address in await AddressesAsync(n, cancellationToken).ConfigureAwait(false))
                {
                    list.Add(new AuthoritativeServer(n, new IPEndPoint(address, DnsServerAddress.DefaultPort)));
                }
            }
        }

        if (list.Count == 0)
        {
            return (null, $"no address for any NS of {zone}");
        }

        var mname = soaData.PrimaryNs.TrimEnd('.');
        var primaryEndPoint = primary;
        if (primaryEndPoint is null)
        {
            primaryEndPoint = list.FirstOrDefault(s => string.Equals(s.Name, mname, StringComparison.OrdinalIgnoreCase))?.Address;
            if (primaryEndPoint is null && await AddressesAsync(mname, cancellationToken).ConfigureAwait(false) is [var pa, ..])
            {
                primaryEndPoint = new IPEndPoint(pa, DnsServerAddress.DefaultPort);
            }
        }

        // SOA TTL and MINIMUM as the authority serves them (the recursive answer's TTL counts down).
        var authoritativeSoa = await ReadAsync(new ZoneInfo(zone, list, mname, primaryEndPoint, soaRecord.Ttl, soaData.Minimum), zone, DnsRecordType.SOA, cancellationToken).ConfigureAwait(false);
        var fresh = authoritativeSoa.Records.Count > 0 ? authoritativeSoa.Records[0] : null;
        var soaTtl = fresh?.Ttl ?? soaRecord.Ttl;
        var minimum = fresh is not null && RecordData.Soa(fresh) is { } f ? f.Minimum : soaData.Minimum;
        return (new ZoneInfo(zone, list, mname, primaryEndPoint, soaTtl, minimum), null);
    }

    /// <summary>Asks every server of the zone for owner/type, in parallel, without a cache.</summary>
    public async Task<AuthoritativeRrset> ReadAsync(ZoneInfo zone, string owner, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var name = DnsName.TryNormalize(owner) ?? owner;
        var answers = await Task.WhenAll(zone.Servers.Select(async server =>
        {
            var stub = new DnsStubResolver(new DnsStubResolverSettings { Servers = [server.Address], Timeout = timeout, CheckingDisabled = true });
            var response = await stub.QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
            if (response.Message is not { } m)
            {
                return new ServerRrset(server, response.Status, [], response.Error);
            }

            if (m.ResponseCode == DnsMessage.NoError && (m.Flags & 0x0400) == 0 && m.Answers.Count == 0 && !m.Authority.Any(r => r.Type == DnsRecordType.SOA))
            {
                return new ServerRrset(server, DnsAnswerStatus.ServFail, [], "not authoritative for " + zone.Zone + " (referral or lame)");
            }

            var records = m.Answers.Where(r => r.Type == type && string.Equals(r.Name, name, StringComparison.Ordinal)).ToList();
            var status = response.Status == DnsAnswerStatus.Answer && records.Count == 0 ? DnsAnswerStatus.NoData : response.Status;
            return new ServerRrset(server, status, records, response.Error);
        })).ConfigureAwait(false);
        return new AuthoritativeRrset(name, type, answers, zone.NegativeTtl);
    }

    private async Task<IReadOnlyList<IPAddress>> AddressesAsync(string host, CancellationToken cancellationToken)
    {
        var a = await recursive.AAsync(host, cancellationToken).ConfigureAwait(false);
        var aaaa = await recursive.AaaaAsync(host, cancellationToken).ConfigureAwait(false);
        return [.. a.Records.Select(r => r.Data.Address), .. aaaa.Records.Select(r => r.Data.Address)];
    }

    private static string? NsTarget(DnsRecord record) =>
        RecordData.TryName(record.Data.Span, out var name, out var used) && used == record.Data.Length ? name : null;

}

/// <summary>
/// The resolver a plan's audit uses: questions for names in the zone go straight to its authoritative servers (so a
/// change is seen the moment it is published, not when a recursive cache expires); everything else — and the DS of
/// the apex, which the parent serves — goes to the recursive resolver.
/// </summary>
public sealed class AuthoritativeOverlayResolver : IDnsResolver
{
    private readonly IDnsResolver recursive;
    private readonly IDnsResolver authoritative;
    private readonly string zone;

    public AuthoritativeOverlayResolver(IDnsResolver recursive, ZoneInfo zone, TimeSpan? timeout = null)
        : this(recursive, (zone ?? throw new ArgumentNullException(nameof(zone))).Zone,
            new DnsStubResolver(new DnsStubResolverSettings { Servers = [.. zone.Servers.Select(s => s.Address)], Timeout = timeout ?? Limits.DnsQueryTimeout }))
    {
    }

    /// <summary>With an explicit resolver for the zone's authorities (tests).</summary>
    internal AuthoritativeOverlayResolver(IDnsResolver recursive, string zone, IDnsResolver authoritative)
    {
        ArgumentNullException.ThrowIfNull(recursive);
        ArgumentNullException.ThrowIfNull(authoritative);
        this.recursive = recursive;
        this.zone = zone;
        this.authoritative = authoritative;
    }

    public Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        var inZone = PlanNamesInZone.Contains(zone, name) && !(type == DnsRecordType.DS && DnsName.EqualsNormalized(name, zone));
        return (inZone ? authoritative : recursive).QueryAsync(name, type, cancellationToken);
    }
}
