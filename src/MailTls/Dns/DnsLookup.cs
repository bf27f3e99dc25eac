using MailTls.Dns.Wire;

namespace MailTls.Dns;

/// <summary>
/// Typed lookups over an <see cref="IDnsResolver"/>: follows CNAMEs (within the response when the upstream already
/// chased them, with a new query otherwise) up to <see cref="Limits.DnsMaxCnameChain"/> hops, detects loops, and
/// keeps every failure distinct (a SERVFAIL or timeout in the middle of a chain is the answer's status).
/// </summary>
public sealed class DnsLookup
{
    private readonly IDnsResolver resolver;

    public DnsLookup(IDnsResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        this.resolver = resolver;
    }

    public IDnsResolver Resolver => resolver;

    public Task<DnsAnswer<MxData>> MxAsync(string name, CancellationToken cancellationToken = default) => LookupAsync(name, DnsRecordType.MX, RecordData.Mx, cancellationToken);

    public Task<DnsAnswer<AddressData>> AAsync(string name, CancellationToken cancellationToken = default) => LookupAsync(name, DnsRecordType.A, RecordData.Address, cancellationToken);

    public Task<DnsAnswer<AddressData>> AaaaAsync(string name, CancellationToken cancellationToken = default) => LookupAsync(name, DnsRecordType.AAAA, RecordData.Address, cancellationToken);

    public Task<DnsAnswer<TxtData>> TxtAsync(string name, CancellationToken cancellationToken = default) => LookupAsync(name, DnsRecordType.TXT, RecordData.Txt, cancellationToken);

    public Task<DnsAnswer<TlsaData>> TlsaAsync(string name, CancellationToken cancellationToken = default) => LookupAsync(name, DnsRecordType.TLSA, RecordData.Tlsa, cancellationToken);

    public Task<DnsAnswer<CaaData>> CaaAsync(string name, CancellationToken cancellationToken = default) => LookupAsync(name, DnsRecordType.CAA, RecordData.Caa, cancellationToken);

    public Task<DnsAnswer<DsData>> DsAsync(string name, CancellationToken cancellationToken = default) => LookupAsync(name, DnsRecordType.DS, RecordData.Ds, cancellationToken);

    public Task<DnsAnswer<DnskeyData>> DnskeyAsync(string name, CancellationToken cancellationToken = default) => LookupAsync(name, DnsRecordType.DNSKEY, RecordData.Dnskey, cancellationToken);

    /// <summary>CNAME itself: not followed (the CNAME RRset is the answer).</summary>
    public Task<DnsAnswer<CnameData>> CnameAsync(string name, CancellationToken cancellationToken = default) => LookupAsync(name, DnsRecordType.CNAME, RecordData.Cname, cancellationToken);

    /// <summary>Any type, with a parser for its RDATA.</summary>
    public async Task<DnsAnswer<T>> LookupAsync<T>(string name, DnsRecordType type, Func<DnsRecord, T?> parse, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(parse);
        var raw = await LookupAsync(name, type, cancellationToken).ConfigureAwait(false);
        var records = new List<DnsRr<T>>();
        foreach (var r in raw.Rrset)
        {
            if (parse(r) is { } data)
            {
                records.Add(new DnsRr<T>(r.Name, r.Ttl, data));
            }
        }

        return new DnsAnswer<T>
        {
            QueryName = raw.QueryName,
            Type = raw.Type,
            Status = raw.Status,
            CanonicalName = raw.CanonicalName,
            CnameChain = raw.CnameChain,
            CnameSignatures = raw.CnameSignatures,
            Rrset = raw.Rrset,
            Signatures = raw.Signatures,
            Authority = raw.Authority,
            AuthenticData = raw.AuthenticData,
            Error = raw.Error,
            Records = records,
        };
    }

    /// <summary>Untyped lookup: the raw RRset, its signatures, the CNAME chain and the authority section.</summary>
    public async Task<DnsAnswer> LookupAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        var queryName = WireName.Normalize(name);
        if (queryName is null)
        {
            return new DnsAnswer { QueryName = name, Type = type, Status = DnsAnswerStatus.ServFail, CanonicalName = name, Error = "not a DNS name" };
        }

        var chain = new List<DnsRecord>();
        var chainSigs = new List<DnsRecord>();
        var visited = new HashSet<string>(StringComparer.Ordinal) { queryName };
        var current = queryName;
        var asked = queryName;
        var response = await resolver.QueryAsync(current, type, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            if (response.Message is not { } message || response.Status.IsTemporary())
            {
                return Fail(response.Status.IsTemporary() ? response.Status : DnsAnswerStatus.ServFail, response.Error ?? "no reply");
            }

            // Walk the chain inside this response.
            while (true)
            {
                var rrset = message.Answers.Where(r => r.Type == type && r.Name == current).ToList();
                if (rrset.Count > 0 || type == DnsRecordType.CNAME)
                {
                    return Done(response.Status == DnsAnswerStatus.NxDomain && rrset.Count == 0 ? DnsAnswerStatus.NxDomain : rrset.Count > 0 ? DnsAnswerStatus.Answer : Absent(response), rrset, message);
                }

                var cname = message.Answers.FirstOrDefault(r => r.Type == DnsRecordType.CNAME && r.Name == current);
                if (cname is null || RecordData.Cname(cname) is not { } target)
                {
                    break;
                }

                chain.Add(cname);
                chainSigs.AddRange(Sigs(message, current, DnsRecordType.CNAME));
                if (chain.Count > Limits.DnsMaxCnameChain || !visited.Add(target.Target))
                {
                    return Fail(DnsAnswerStatus.ServFail, chain.Count > Limits.DnsMaxCnameChain ? "CNAME chain longer than " + Limits.DnsMaxCnameChain : "CNAME loop at " + target.Target);
                }

                current = target.Target;
            }

            if (current == asked || response.Status == DnsAnswerStatus.NxDomain
                || message.Authority.Any(r => r.Type is DnsRecordType.SOA or DnsRecordType.NSEC or DnsRecordType.NSEC3))
            {
                // Negative answer for the last name of the chain (RFC 6604 §2: the RCODE is about the final name).
                return Done(Absent(response), [], message);
            }

            // The upstream stopped at a CNAME without chasing it: ask for the target ourselves.
            asked = current;
            response = await resolver.QueryAsync(current, type, cancellationToken).ConfigureAwait(false);
        }

        DnsAnswerStatus Absent(DnsResponse r) => r.Status == DnsAnswerStatus.NxDomain ? DnsAnswerStatus.NxDomain : DnsAnswerStatus.NoData;

        DnsAnswer Fail(DnsAnswerStatus status, string error) => new()
        {
            QueryName = queryName,
            Type = type,
            Status = status,
            CanonicalName = current,
            CnameChain = chain,
            CnameSignatures = chainSigs,
            Error = error,
        };

        DnsAnswer Done(DnsAnswerStatus status, List<DnsRecord> rrset, DnsMessage message) => new()
        {
            QueryName = queryName,
            Type = type,
            Status = status,
            CanonicalName = current,
            CnameChain = chain,
            CnameSignatures = chainSigs,
            Rrset = rrset,
            Signatures = Sigs(message, current, type),
            Authority = message.Authority,
            AuthenticData = message.AuthenticData,
        };
    }

    private static List<DnsRecord> Sigs(DnsMessage message, string owner, DnsRecordType type) =>
        [.. message.Answers.Where(r => r.Type == DnsRecordType.RRSIG && r.Name == owner && RecordData.Rrsig(r)?.TypeCovered == type)];
}
