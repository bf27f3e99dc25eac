using System.Net;
using MailTls.Dns;
using MailTls.Plan;

namespace MailTls.Tests.Plan;

/// <summary>What the plan reads from a zone's authorities: per-server RRsets, and the overlay that routes questions to them.</summary>
public sealed class ZoneAuthorityTests
{
    private static readonly AuthoritativeServer A = new("ns1.example.com", new IPEndPoint(IPAddress.Parse("192.0.2.1"), 53));
    private static readonly AuthoritativeServer B = new("ns2.example.com", new IPEndPoint(IPAddress.Parse("192.0.2.2"), 53));

    private static DnsRecord Mx(string text, uint ttl) => RecordText.Parse($"example.com. {ttl} IN MX {text}").Record!;

    [Fact]
    public void The_ttl_is_the_largest_any_server_serves_and_servers_must_agree_on_the_data()
    {
        var same = new AuthoritativeRrset("example.com", DnsRecordType.MX,
            [new ServerRrset(A, DnsAnswerStatus.Answer, [Mx("10 mx1.example.com.", 300)], null), new ServerRrset(B, DnsAnswerStatus.Answer, [Mx("10 mx1.example.com.", 3600)], null)], 60);
        Assert.Equal(3600u, same.MaxTtl);
        Assert.True(same.Agree); // TTLs may differ (RFC 2181 §5: same data)
        Assert.Equal(3600u, same.Ttl.Horizon);
        Assert.False(same.Incomplete);

        var lagging = new AuthoritativeRrset("example.com", DnsRecordType.MX,
            [new ServerRrset(A, DnsAnswerStatus.Answer, [Mx("10 mx1.example.com.", 300), Mx("20 mx2.example.com.", 300)], null), new ServerRrset(B, DnsAnswerStatus.Answer, [Mx("10 mx1.example.com.", 300)], null)], 60);
        Assert.False(lagging.Agree);

        var absent = new AuthoritativeRrset("_mta-sts.example.com", DnsRecordType.TXT, [new ServerRrset(A, DnsAnswerStatus.NxDomain, [], null)], 60);
        Assert.Null(absent.MaxTtl);
        Assert.Equal(60u, absent.Ttl.Horizon); // negative caching (RFC 2308 §5)

        var failed = new AuthoritativeRrset("example.com", DnsRecordType.MX, [new ServerRrset(A, DnsAnswerStatus.Timeout, [], "no reply")], 60);
        Assert.True(failed.Incomplete);
    }

    [Fact]
    public async Task The_overlay_asks_the_authorities_for_the_zone_and_the_recursive_resolver_for_the_rest_and_the_apex_ds()
    {
        var recursive = new Recording();
        var authoritative = new Recording();
        var overlay = new AuthoritativeOverlayResolver(recursive, "example.com", authoritative);
        await overlay.QueryAsync("example.com", DnsRecordType.MX);
        await overlay.QueryAsync("_25._tcp.mx1.example.com", DnsRecordType.TLSA);
        await overlay.QueryAsync("example.com", DnsRecordType.DNSKEY);
        await overlay.QueryAsync("example.com", DnsRecordType.DS);
        await overlay.QueryAsync("mx.hoster.example", DnsRecordType.A);
        await overlay.QueryAsync("notexample.com", DnsRecordType.A);
        Assert.Equal(["example.com MX", "_25._tcp.mx1.example.com TLSA", "example.com DNSKEY"], authoritative.Asked);
        Assert.Equal(["example.com DS", "mx.hoster.example A", "notexample.com A"], recursive.Asked);
    }

    private sealed class Recording : IDnsResolver
    {
        public List<string> Asked { get; } = [];

        public Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
        {
            Asked.Add(name + " " + type);
            return Task.FromResult(new DnsResponse(DnsAnswerStatus.NxDomain, null));
        }
    }
}
