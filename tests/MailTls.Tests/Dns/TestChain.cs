using MailTls.Dns;
using MailTls.Dns.Dnssec;

namespace MailTls.Tests.Dns;

/// <summary>A clock the tests set.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// root (RSASHA256) → tld. → example.tld. (algorithm under test), all signed in the test; insecure.tld. is
/// delegated without DS and served unsigned.
/// </summary>
internal sealed class TestChain
{
    public TestChain(byte leafAlgorithm = 13, Denial leafDenial = Denial.Nsec, Denial tldDenial = Denial.Nsec, byte tldAlgorithm = 13)
    {
        Root = new TestZone(".", 8);
        Tld = new TestZone("tld", tldAlgorithm, tldDenial);
        Leaf = new TestZone("example.tld", leafAlgorithm, leafDenial);
        Root.Add(". 3600 IN NS ns.root.").Add("tld. 3600 IN NS ns.tld.");
        Tld.Add("tld. 3600 IN NS ns.tld.")
            .Add("ns.tld. 3600 IN A 192.0.2.2")
            .Add("example.tld. 3600 IN NS ns.example.tld.")
            .Add("ns.example.tld. 3600 IN A 192.0.2.3")
            .Add("insecure.tld. 3600 IN NS ns.insecure.tld.")
            .Add("ns.insecure.tld. 3600 IN A 192.0.2.4")
            .Add("zzz.tld. 3600 IN A 192.0.2.5");
        Leaf.Add("example.tld. 3600 IN NS ns.example.tld.")
            .Add("example.tld. 3600 IN MX 10 mail.example.tld.")
            .Add("mail.example.tld. 3600 IN A 192.0.2.25")
            .Add("mail.example.tld. 3600 IN AAAA 2001:db8::25")
            .Add("_25._tcp.mail.example.tld. 3600 IN TLSA 3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6")
            .Add("alias.example.tld. 3600 IN CNAME mail.example.tld.")
            .Add("*.wild.example.tld. 3600 IN A 192.0.2.80")
            .Add("x.y.deep.example.tld. 3600 IN TXT \"below empty non-terminals\"");
        Insecure =
        [
            Rec("insecure.tld. 3600 IN SOA ns.insecure.tld. h.insecure.tld. 1 2 3 4 5"),
            Rec("insecure.tld. 3600 IN NS ns.insecure.tld."),
            Rec("insecure.tld. 3600 IN MX 10 mx.insecure.tld."),
        ];
    }

    public TestZone Root { get; }

    public TestZone Tld { get; }

    public TestZone Leaf { get; }

    public List<DnsRecord> Insecure { get; }

    public FixedTime Clock { get; } = new(TestZone.Now);

    /// <summary>Signs bottom-up (each DS into the parent), lets the test mutate the signed zones, returns the server.</summary>
    public ZoneServer Build(Action<List<DnsRecord>, List<DnsRecord>, List<DnsRecord>>? mutate = null, string? leafDs = null)
    {
        Tld.Add(leafDs ?? Leaf.DsLine());
        Root.Add(Tld.DsLine());
        var leaf = Leaf.Sign();
        var tld = Tld.Sign();
        var root = Root.Sign();
        mutate?.Invoke(root, tld, leaf);
        return new ZoneServer([(".", root), ("tld", tld), ("example.tld", leaf), ("insecure.tld", Insecure)]);
    }

    public TrustAnchors Anchors => TrustAnchors.Load(Root.DsLine()).Anchors!;

    public DnssecValidator Validator(ZoneServer server) => new(server, Anchors, Clock);

    public static DnsRecord Rec(string line) => RecordText.Parse(line).Record ?? throw new InvalidOperationException(line);

    public static bool IsSigOver(DnsRecord r, string name, DnsRecordType type) =>
        r.Type == DnsRecordType.RRSIG && r.Name == name && RecordData.Rrsig(r)!.TypeCovered == type;
}
