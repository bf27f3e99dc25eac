using System.Net;
using MailTls.Dns;
using MailTls.Dns.Dnssec;

namespace MailTls.Tests.Dns;

/// <summary>A resolver that counts questions and answers slowly, to observe coalescing.</summary>
internal sealed class SlowCountingResolver(IDnsResolver inner, TimeSpan delay) : IDnsResolver
{
    private int calls;

    public int Calls => calls;

    public async Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref calls);
        await Task.Delay(delay, cancellationToken);
        return await inner.QueryAsync(name, type, cancellationToken);
    }
}

public sealed class ResolverTests
{
    private static ZoneServer Server() => new TestChain().Build();

    [Fact]
    public async Task Concurrent_identical_questions_share_one_upstream_query()
    {
        var counting = new SlowCountingResolver(Server(), TimeSpan.FromMilliseconds(100));
        var cache = new CachingDnsResolver(counting);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => cache.QueryAsync("Example.TLD.", DnsRecordType.MX))));

        Assert.Equal(1, counting.Calls);
        Assert.All(results, r => Assert.Equal(DnsAnswerStatus.Answer, r.Status));
        Assert.Same(results[0], results[49]);

        // Reused later in the run; a different question is a different entry.
        await cache.QueryAsync("example.tld", DnsRecordType.MX);
        await cache.QueryAsync("example.tld", DnsRecordType.A);
        Assert.Equal(2, counting.Calls);
    }

    [Fact]
    public async Task Timeouts_are_not_cached_other_failures_are()
    {
        var server = Server();
        server.Failures[("example.tld", DnsRecordType.MX)] = DnsAnswerStatus.Timeout;
        server.Failures[("example.tld", DnsRecordType.TXT)] = DnsAnswerStatus.ServFail;
        var counting = new SlowCountingResolver(server, TimeSpan.Zero);
        var cache = new CachingDnsResolver(counting);

        Assert.Equal(DnsAnswerStatus.Timeout, (await cache.QueryAsync("example.tld", DnsRecordType.MX)).Status);
        Assert.Equal(DnsAnswerStatus.Timeout, (await cache.QueryAsync("example.tld", DnsRecordType.MX)).Status);
        Assert.Equal(DnsAnswerStatus.ServFail, (await cache.QueryAsync("example.tld", DnsRecordType.TXT)).Status);
        Assert.Equal(DnsAnswerStatus.ServFail, (await cache.QueryAsync("example.tld", DnsRecordType.TXT)).Status);
        Assert.Equal(3, counting.Calls);
    }

    [Fact]
    public async Task A_cancelled_caller_does_not_cancel_the_shared_query()
    {
        var counting = new SlowCountingResolver(Server(), TimeSpan.FromMilliseconds(200));
        var cache = new CachingDnsResolver(counting);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));

        var first = cache.QueryAsync("example.tld", DnsRecordType.MX, cts.Token);
        var second = cache.QueryAsync("example.tld", DnsRecordType.MX);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(DnsAnswerStatus.Answer, (await second).Status);
        Assert.Equal(1, counting.Calls);
    }

    [Fact]
    public async Task Typed_lookups_keep_every_outcome_distinct()
    {
        var server = Server();
        server.Failures[("timeout.example.tld", DnsRecordType.A)] = DnsAnswerStatus.Timeout;
        var lookup = new DnsLookup(server);

        var mx = await lookup.MxAsync("example.tld");
        Assert.Equal(DnsAnswerStatus.Answer, mx.Status);
        Assert.Equal("mail.example.tld", Assert.Single(mx.Records).Data.Exchange);
        Assert.Equal(3600u, mx.Records[0].Ttl);
        Assert.NotEmpty(mx.Signatures);

        Assert.Equal(DnsAnswerStatus.NoData, (await lookup.TxtAsync("example.tld")).Status);
        Assert.Equal(DnsAnswerStatus.NxDomain, (await lookup.AAsync("nope.example.tld")).Status);
        Assert.Equal(DnsAnswerStatus.Timeout, (await lookup.AAsync("timeout.example.tld")).Status);

        var tlsa = await lookup.TlsaAsync("_25._tcp.mail.example.tld");
        Assert.Equal((byte)3, Assert.Single(tlsa.Records).Data.Usage);
        Assert.Equal(IPAddress.Parse("2001:db8::25"), Assert.Single((await lookup.AaaaAsync("mail.example.tld")).Records).Data.Address);
        Assert.Equal(2, (await lookup.DnskeyAsync("example.tld")).Records.Count);
        Assert.Single((await lookup.DsAsync("example.tld")).Records);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Cname_chains_are_followed_and_recorded(bool upstreamChases)
    {
        var chain = new TestChain();
        var lookup = new DnsLookup(new ZoneServerWrapper(chain.Build(), upstreamChases));

        var a = await lookup.AAsync("alias.example.tld");

        Assert.Equal(DnsAnswerStatus.Answer, a.Status);
        Assert.Equal("mail.example.tld", a.CanonicalName);
        Assert.Equal("alias.example.tld", Assert.Single(a.CnameChain).Name);
        Assert.NotEmpty(a.CnameSignatures);
        Assert.Equal("mail.example.tld", Assert.Single((await lookup.CnameAsync("alias.example.tld")).Records).Data.Target);
    }

    [Fact]
    public async Task Cname_loops_and_long_chains_are_servfail_not_absence()
    {
        var records = new List<DnsRecord>
        {
            TestChain.Rec("loop.test. 60 IN SOA ns.loop.test. h.loop.test. 1 2 3 4 5"),
            TestChain.Rec("a.loop.test. 60 IN CNAME b.loop.test."),
            TestChain.Rec("b.loop.test. 60 IN CNAME a.loop.test."),
        };
        for (var i = 0; i < 12; i++)
        {
            records.Add(TestChain.Rec($"c{i}.loop.test. 60 IN CNAME c{i + 1}.loop.test."));
        }

        records.Add(TestChain.Rec("c12.loop.test. 60 IN A 192.0.2.1"));
        var lookup = new DnsLookup(new ZoneServer([("loop.test", records)]) { ChaseCnames = false });

        var loop = await lookup.AAsync("a.loop.test");
        Assert.Equal(DnsAnswerStatus.ServFail, loop.Status);
        Assert.Contains("loop", loop.Error, StringComparison.Ordinal);
        var chain = await lookup.AAsync("c0.loop.test");
        Assert.Equal(DnsAnswerStatus.ServFail, chain.Status);
        Assert.Equal(DnsAnswerStatus.Answer, (await lookup.AAsync("c6.loop.test")).Status);
    }

    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1:53")]
    [InlineData("192.0.2.1:5353", "192.0.2.1:5353")]
    [InlineData("2001:db8::1", "[2001:db8::1]:53")]
    [InlineData("[2001:db8::1]:5300", "[2001:db8::1]:5300")]
    [InlineData("[::1]", "[::1]:53")]
    [InlineData("example.com", null)]
    [InlineData("192.0.2.1:0", null)]
    [InlineData("192.0.2.1:70000", null)]
    [InlineData("[2001:db8::1", null)]
    [InlineData("", null)]
    public void Server_addresses(string text, string? expected) =>
        Assert.Equal(expected, DnsServerAddress.TryParse(text)?.ToString());

    [Fact]
    public void Resolv_conf_nameservers_in_order()
    {
        var servers = DnsServerAddress.FromResolvConf("# comment\nsearch example\nnameserver 192.0.2.53\nnameserver  2001:db8::53\nnameserver bogus\noptions edns0\n");
        Assert.Equal(["192.0.2.53:53", "[2001:db8::53]:53"], servers.Select(s => s.ToString()));
    }

    [Fact]
    public void Built_in_trust_anchors_are_both_root_ksks()
    {
        var tags = TrustAnchors.BuiltIn.Records.Select(r => RecordData.Ds(r)!.KeyTag).ToList();
        Assert.Equal([(ushort)20326, (ushort)38696], tags);
        Assert.All(TrustAnchors.BuiltIn.Records, r => Assert.Equal(".", r.Name));
    }

    [Theory]
    [InlineData("example. IN A 192.0.2.1")]
    [InlineData(". IN DNSKEY 256 4 8 AwEAAQ==")]
    [InlineData("")]
    [InlineData("; only a comment")]
    [InlineData(". IN DS 20326 8 2 ZZ")]
    public void Bad_trust_anchor_files_are_refused_with_a_reason(string text)
    {
        var result = TrustAnchors.Load(text);
        Assert.False(result.Success);
        Assert.NotEmpty(result.Errors);
    }

    [Fact]
    public void Trust_anchor_file_with_comments_and_parentheses()
    {
        var text = "; IANA root\n. 172800 IN DNSKEY 257 3 8 (\n    AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3 ; key\n    +/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kv )\nexample. IN DS 1 13 2 00FF\n";
        var result = TrustAnchors.Load(text);

        Assert.True(result.Success, string.Join("; ", result.Errors));
        Assert.Equal(["."], result.Anchors!.Zones.Take(1));
        Assert.Equal("example", result.Anchors.ClosestZone("a.b.example"));
        Assert.Equal(".", result.Anchors.ClosestZone("example.org"));
    }
}

/// <summary>Rebuilds a server with CNAME chasing on or off.</summary>
internal sealed class ZoneServerWrapper(ZoneServer server, bool chase) : IDnsResolver
{
    public async Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        var response = await server.QueryAsync(name, type, cancellationToken);
        if (chase || response.Message is not { } m)
        {
            return response;
        }

        // Keep only the first CNAME hop, as a server that does not chase would answer.
        var first = m.Answers.Where(r => r.Name == name).ToList();
        return DnsResponse.FromMessage(m with { Answers = first, Authority = first.Any(r => r.Type == DnsRecordType.CNAME) ? [] : m.Authority });
    }
}
