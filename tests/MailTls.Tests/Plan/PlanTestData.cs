using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailTls.Audit;
using MailTls.Dane;
using MailTls.Dns;
using MailTls.Dns.Dnssec;
using MailTls.MtaSts;
using MailTls.Plan;
using MailTls.TlsRpt;

namespace MailTls.Tests.Plan;

/// <summary>Snapshots, certificates and hosts for the planner's unit tests.</summary>
internal static class PlanTestData
{
    public static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static X509Certificate2 Cert(string host, ECDsa? key = null)
    {
        key ??= ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + host, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(Now.AddDays(-10), DateTimeOffset.UtcNow.AddYears(1));
    }

    public static TlsaRecord Tlsa311(X509Certificate2 cert) => TlsaBuilder.FromCertificate(cert);

    /// <summary>A host that presents <paramref name="cert"/> on one address; with TLSA records when given.</summary>
    public static HostSnapshot Host(string host, X509Certificate2 cert, IReadOnlyList<TlsaRecord>? tlsa = null, bool inZone = true) => new(host, inZone)
    {
        Addresses = 1,
        AddressesWithTls = 1,
        Sessions = [new PresentedSession("192.0.2.1", "ECDSA", [cert])],
        PkixValid = true,
        AddressDnssec = DnssecStatus.Secure,
        TlsaOwner = "_25._tcp." + host,
        Tlsa = tlsa ?? [],
        Dane = tlsa is { Count: > 0 } ? DaneState.Usable : DaneState.None,
        TlsaMatched = tlsa is { Count: > 0 },
    };

    public static StsPolicy Policy(StsMode mode, long maxAge, params string[] mx) =>
        StsPolicyParser.Parse(Encoding.UTF8.GetBytes(StsPolicyFormatter.Format(mode, maxAge, mx.Select(MxPattern.Parse)))).Policy!;

    public static RrsetTtl Ttl(string owner, DnsRecordType type, uint? ttl) => new(owner, type, ttl, 60);

    /// <summary>example.com with one MX (mx1.example.com), signed, TTL 300 for existing RRsets, negative TTL 60.</summary>
    public static PlanSnapshot Base(Func<PlanSnapshot, PlanSnapshot>? change = null)
    {
        var s = new PlanSnapshot
        {
            Domain = "example.com",
            Zone = "example.com",
            Now = Now,
            RealNow = DateTimeOffset.UtcNow,
            NegativeTtl = 60,
            Servers = ["ns1.example.com 192.0.2.53:53"],
            Primary = "ns1.example.com 192.0.2.53:53",
            Mx = [(10, "mx1.example.com")],
            Dnssec = DnssecStatus.Secure,
            Ttls = Ttls(Ttl("example.com", DnsRecordType.MX, 300)),
            Hosts = new Dictionary<string, HostSnapshot>(StringComparer.OrdinalIgnoreCase) { ["mx1.example.com"] = Host("mx1.example.com", Cert("mx1.example.com")) },
        };
        return change is null ? s : change(s);
    }

    public static IReadOnlyDictionary<string, RrsetTtl> Ttls(params RrsetTtl[] ttls) => ttls.ToDictionary(t => t.Key, StringComparer.Ordinal);

    /// <summary>With an MTA-STS record (id 1) and a policy served in <paramref name="mode"/>.</summary>
    public static PlanSnapshot WithSts(this PlanSnapshot s, StsMode mode, long maxAge = 604800, params string[] mx)
    {
        var policy = Policy(mode, maxAge, mx.Length == 0 ? [.. s.Mx.Select(m => m.Host)] : mx);
        var ttls = s.Ttls.Values.Append(Ttl("_mta-sts." + s.Domain, DnsRecordType.TXT, 300)).ToArray();
        return s with
        {
            StsRecord = new StsRecord("1", [], "v=STSv1; id=1;"),
            StsTxtExists = true,
            Policy = policy,
            PolicySha256 = Hashes.Policy(policy),
            Ttls = Ttls(ttls),
        };
    }

    public static PlanSnapshot WithTlsRpt(this PlanSnapshot s) => s with
    {
        TlsRpt = TlsRptRecordSelector.Select([["v=TLSRPTv1; rua=mailto:tlsrpt@example.com"]]).Record,
        TlsRptTxtExists = true,
    };

    public static PlanSnapshot WithHost(this PlanSnapshot s, HostSnapshot host)
    {
        var hosts = new Dictionary<string, HostSnapshot>(s.Hosts, StringComparer.OrdinalIgnoreCase) { [host.Host] = host };
        return s with { Hosts = hosts };
    }

    public static PlanSnapshot WithTtl(this PlanSnapshot s, RrsetTtl ttl) => s with { Ttls = Ttls([.. s.Ttls.Values.Where(t => t.Key != ttl.Key), ttl]) };
}
