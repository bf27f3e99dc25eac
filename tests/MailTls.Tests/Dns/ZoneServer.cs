using MailTls.Dns;
using MailTls.Dns.Dnssec;
using MailTls.Dns.Wire;

namespace MailTls.Tests.Dns;

/// <summary>
/// A fake recursive resolver (with CD set) that answers from in-memory zones the way an authoritative server
/// would (RFC 1034 §4.3.2, RFC 4035 §3.1, RFC 5155 §7.2): answers with RRSIGs, CNAME chasing, wildcard
/// synthesis, NODATA/NXDOMAIN with the NSEC or NSEC3 records that prove them. DS questions go to the parent.
/// Counts the questions it receives.
/// </summary>
internal sealed class ZoneServer : IDnsResolver
{
    private readonly Dictionary<string, List<DnsRecord>> zones = new(StringComparer.Ordinal);
    private int queries;

    public ZoneServer(IEnumerable<(string Apex, IEnumerable<DnsRecord> Records)> zoneList)
    {
        foreach (var (apex, records) in zoneList)
        {
            zones[apex] = [.. records];
        }
    }

    public int Queries => queries;

    /// <summary>Whether CNAMEs are chased inside one response (like a recursive server) or left to the client.</summary>
    public bool ChaseCnames { get; init; } = true;

    public List<(string Name, DnsRecordType Type)> Log { get; } = [];

    /// <summary>Overrides: a question answered with a fixed status (SERVFAIL, timeout).</summary>
    public Dictionary<(string, DnsRecordType), DnsAnswerStatus> Failures { get; } = [];

    public static List<DnsRecord> LoadFile(params string[] path) =>
        [.. File.ReadAllLines(TestPaths.TestData(path)).Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith(';'))
            .Select(l => RecordText.Parse(l).Record ?? throw new InvalidOperationException("bad test record: " + l))];

    public Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref queries);
        lock (Log)
        {
            Log.Add((name, type));
        }

        if (Failures.TryGetValue((name, type), out var failure))
        {
            return Task.FromResult(new DnsResponse(failure, null, "injected " + failure));
        }

        var answers = new List<DnsRecord>();
        var authority = new List<DnsRecord>();
        var rcode = Answer(name, type, answers, authority, 0);
        var message = new DnsMessage
        {
            Flags = 0x8000 | 0x0010,
            ResponseCode = rcode,
            QuestionName = name,
            QuestionType = type,
            Answers = answers,
            Authority = authority,
        };
        return Task.FromResult(rcode < 0 ? new DnsResponse(DnsAnswerStatus.ServFail, null, "no zone") : DnsResponse.FromMessage(message));
    }

    private int Answer(string name, DnsRecordType type, List<DnsRecord> answers, List<DnsRecord> authority, int depth)
    {
        var apex = ZoneOf(type == DnsRecordType.DS && zones.ContainsKey(name) && name != "." ? NameOps.Parent(name) : name);
        if (apex is null || depth > 10)
        {
            return -1;
        }

        var zone = zones[apex];
        var at = zone.Where(r => r.Name == name).ToList();
        if (at.Count > 0)
        {
            var rrset = at.Where(r => r.Type == type).ToList();
            if (rrset.Count > 0)
            {
                answers.AddRange(rrset);
                answers.AddRange(Sigs(zone, name, type));
                return 0;
            }

            var cname = at.FirstOrDefault(r => r.Type == DnsRecordType.CNAME);
            if (cname is not null && type != DnsRecordType.CNAME)
            {
                answers.Add(cname);
                answers.AddRange(Sigs(zone, name, DnsRecordType.CNAME));
                return ChaseCnames ? Answer(RecordData.Cname(cname)!.Target, type, answers, authority, depth + 1) : 0;
            }

            NoData(zone, apex, name, authority);
            return 0;
        }

        if (zone.Any(r => r.Name != name && NameOps.IsAtOrBelow(r.Name, name) && !IsNsec3Owner(r, apex)))
        {
            NoData(zone, apex, name, authority); // empty non-terminal
            return 0;
        }

        // Closest encloser, then wildcard synthesis (RFC 4592 §3.3.1).
        var ce = NameOps.Parent(name);
        while (ce != apex && !zone.Any(r => NameOps.IsAtOrBelow(r.Name, ce) && !IsNsec3Owner(r, apex)))
        {
            ce = NameOps.Parent(ce);
        }

        var wildcard = NameOps.Wildcard(ce);
        var nextCloser = NameOps.Suffix(name, NameOps.LabelCount(ce) + 1);
        var wild = zone.Where(r => r.Name == wildcard).ToList();
        if (wild.Count > 0)
        {
            var rrset = wild.Where(r => r.Type == type).ToList();
            var wildCname = wild.FirstOrDefault(r => r.Type == DnsRecordType.CNAME);
            if (rrset.Count == 0 && wildCname is not null)
            {
                answers.Add(new DnsRecord(name, wildCname.Type, wildCname.Class, wildCname.Ttl, wildCname.Data));
                answers.AddRange(Sigs(zone, wildcard, DnsRecordType.CNAME).Select(r => new DnsRecord(name, r.Type, r.Class, r.Ttl, r.Data)));
                authority.AddRange(Covering(zone, apex, nextCloser, name));
                return ChaseCnames ? Answer(RecordData.Cname(wildCname)!.Target, type, answers, authority, depth + 1) : 0;
            }

            if (rrset.Count > 0)
            {
                answers.AddRange(rrset.Select(r => new DnsRecord(name, r.Type, r.Class, r.Ttl, r.Data)));
                answers.AddRange(Sigs(zone, wildcard, type).Select(r => new DnsRecord(name, r.Type, r.Class, r.Ttl, r.Data)));
                authority.AddRange(Covering(zone, apex, nextCloser, name));
                return 0;
            }

            authority.AddRange(Soa(zone, apex));
            authority.AddRange(Covering(zone, apex, nextCloser, name));
            authority.AddRange(Matching(zone, apex, wildcard));
            authority.AddRange(Matching(zone, apex, ce));
            return 0;
        }

        authority.AddRange(Soa(zone, apex));
        authority.AddRange(Matching(zone, apex, ce));
        authority.AddRange(Covering(zone, apex, nextCloser, name));
        authority.AddRange(Covering(zone, apex, wildcard, wildcard));
        return 3;
    }

    private string? ZoneOf(string name) =>
        zones.Keys.Where(z => NameOps.IsAtOrBelow(name, z)).OrderByDescending(NameOps.LabelCount).FirstOrDefault();

    private static bool IsNsec3Owner(DnsRecord r, string apex) =>
        HasNsec3Type(r) && NameOps.Parent(r.Name) == apex;

    private static bool HasNsec3Type(DnsRecord r) => r.Type is DnsRecordType.NSEC3 || (r.Type == DnsRecordType.RRSIG && RecordData.Rrsig(r)?.TypeCovered == DnsRecordType.NSEC3);

    private static IEnumerable<DnsRecord> Sigs(List<DnsRecord> zone, string name, DnsRecordType type) =>
        zone.Where(r => r.Type == DnsRecordType.RRSIG && r.Name == name && RecordData.Rrsig(r)?.TypeCovered == type);

    private static IEnumerable<DnsRecord> Soa(List<DnsRecord> zone, string apex) =>
        zone.Where(r => r.Name == apex && (r.Type == DnsRecordType.SOA || (r.Type == DnsRecordType.RRSIG && RecordData.Rrsig(r)?.TypeCovered == DnsRecordType.SOA)));

    private static void NoData(List<DnsRecord> zone, string apex, string name, List<DnsRecord> authority)
    {
        authority.AddRange(Soa(zone, apex));
        var m = Matching(zone, apex, name).ToList();
        if (m.Count > 0 || zone.Any(r => r.Type == DnsRecordType.NSEC))
        {
            authority.AddRange(m.Count > 0 ? m : Covering(zone, apex, name, name));
            return;
        }

        // NSEC3 without a matching record (an opt-out span): closest encloser proof (RFC 5155 §7.2.4).
        var nextCloser = name;
        var ce = NameOps.Parent(name);
        while (ce != apex && !Matching(zone, apex, ce).Any())
        {
            nextCloser = ce;
            ce = NameOps.Parent(ce);
        }

        authority.AddRange(Matching(zone, apex, ce));
        authority.AddRange(Covering(zone, apex, nextCloser, nextCloser));
    }

    /// <summary>The NSEC owned by <paramref name="name"/>, or the NSEC3 whose hash matches it, with RRSIGs.</summary>
    private static IEnumerable<DnsRecord> Matching(List<DnsRecord> zone, string apex, string name)
    {
        var nsec = zone.Where(r => r.Type == DnsRecordType.NSEC && r.Name == name).ToList();
        if (nsec.Count > 0)
        {
            return nsec.Concat(Sigs(zone, name, DnsRecordType.NSEC));
        }

        var param = zone.Select(RecordData.Nsec3).FirstOrDefault(n => n is not null);
        if (param is null)
        {
            return [];
        }

        var owner = Base32Hex.Encode(DenialProofs.Nsec3Hash(name, param.Salt.Span, param.Iterations)) + "." + apex;
        return zone.Where(r => r.Type == DnsRecordType.NSEC3 && r.Name == owner).Concat(Sigs(zone, owner, DnsRecordType.NSEC3));
    }

    /// <summary>The NSEC covering <paramref name="nsecName"/> or the NSEC3 covering the hash of <paramref name="nsec3Name"/>.</summary>
    private static IEnumerable<DnsRecord> Covering(List<DnsRecord> zone, string apex, string nsec3Name, string nsecName)
    {
        foreach (var r in zone.Where(r => r.Type == DnsRecordType.NSEC))
        {
            var next = RecordData.Nsec(r)!.NextName;
            var after = NameOps.CanonicalCompare(r.Name, nsecName) < 0;
            var wraps = NameOps.CanonicalCompare(next, r.Name) <= 0;
            if (wraps ? after : after && NameOps.CanonicalCompare(nsecName, next) < 0)
            {
                return new[] { r }.Concat(Sigs(zone, r.Name, DnsRecordType.NSEC));
            }
        }

        foreach (var r in zone.Where(r => r.Type == DnsRecordType.NSEC3))
        {
            var d = RecordData.Nsec3(r)!;
            var h = DenialProofs.Nsec3Hash(nsec3Name, d.Salt.Span, d.Iterations);
            var own = Base32Hex.Decode(r.Name.Split('.')[0])!;
            var after = own.AsSpan().SequenceCompareTo(h) < 0;
            var wraps = d.NextHashedOwner.Span.SequenceCompareTo(own) <= 0;
            var before = h.AsSpan().SequenceCompareTo(d.NextHashedOwner.Span) < 0;
            if (wraps ? after || before : after && before)
            {
                return new[] { r }.Concat(Sigs(zone, r.Name, DnsRecordType.NSEC3));
            }
        }

        return [];
    }
}
