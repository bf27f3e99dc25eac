using System.Net;
using System.Net.Sockets;
using System.Text;
using MailTls.MtaSts;
using MailTls.Resolver;

namespace MailTls.Tests.Resolver;

/// <summary>
/// The hot path (<see cref="ResolverService.TryAnswerReady"/>): byte-identical to the full answer, only after an
/// identical request was answered, per map name, gone when the decision's grace ends or the answers are cleared,
/// counted in the metrics; and over a socket it never overtakes an earlier reply that is still being looked up.
/// </summary>
public sealed class ReadyReplyTests
{
    [Fact]
    public async Task A_ready_reply_is_the_netstring_of_the_full_answer_and_only_for_the_same_request()
    {
        var service = new ResolverService(
            new ResolverServiceOptions { Dane = DaneMode.Off, Zones = new Dictionary<string, ResolverZone>(StringComparer.Ordinal) { ["legacy"] = new() { RequireSni = false } } },
            ResolverFakes.Cache(),
            null);
        Assert.Null(service.TryAnswerReady("postfix good.loc"u8));
        var full = await service.AnswerAsync("postfix good.loc"u8.ToArray());
        Assert.Equal("OK secure match=mail.loc servername=hostname", full);
        Assert.Equal(Netstring.Encode(full), service.TryAnswerReady("postfix good.loc"u8));

        // Another map name (zone) or spelling of the key is its own request.
        Assert.Null(service.TryAnswerReady("legacy good.loc"u8));
        Assert.Null(service.TryAnswerReady("postfix GOOD.loc"u8));
        Assert.Equal("OK secure match=mail.loc", await service.AnswerAsync("legacy good.loc"u8.ToArray()));
        Assert.Equal(Netstring.Encode("OK secure match=mail.loc"), service.TryAnswerReady("legacy good.loc"u8));

        var before = (service.Metrics.Queries, service.Metrics.Hits, service.Metrics.Replies(ReplyKind.Secure));
        Assert.NotNull(service.TryAnswerReady("postfix good.loc"u8));
        Assert.Equal((before.Queries + 1, before.Hits + 1, before.Item3 + 1), (service.Metrics.Queries, service.Metrics.Hits, service.Metrics.Replies(ReplyKind.Secure)));

        service.ClearAnswers();
        Assert.Null(service.TryAnswerReady("postfix good.loc"u8));
    }

    [Fact]
    public async Task A_ready_reply_ends_with_the_grace_of_its_decision()
    {
        var clock = new SteppedTimestamps();
        var service = new ResolverService(new ResolverServiceOptions { Dane = DaneMode.Off, CacheGrace = TimeSpan.FromSeconds(60) }, ResolverFakes.Cache(), null, clock);
        await service.AnswerAsync("postfix good.loc"u8.ToArray());
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.NotNull(service.TryAnswerReady("postfix good.loc"u8));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(service.TryAnswerReady("postfix good.loc"u8));

        // A TEMP answer is held for at most ResolverTempAnswerGrace (5 s), whatever cache_grace says.
        Assert.StartsWith("TEMP ", await service.AnswerAsync("postfix servfail.loc"u8.ToArray()), StringComparison.Ordinal);
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.NotNull(service.TryAnswerReady("postfix servfail.loc"u8));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(service.TryAnswerReady("postfix servfail.loc"u8));
    }

    [Fact]
    public async Task A_ready_reply_never_overtakes_a_pending_one_on_the_same_connection()
    {
        var gate = new TaskCompletionSource<StsPolicyFetchResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var cache = new StsPolicyCache(
            new MemoryStsPolicyStore(),
            (_, _) => Task.FromResult(StsDiscovery.Evaluate(ResolverFakes.Txt("v=STSv1; id=1;"))),
            (d, _) => d == "slow.loc" ? gate.Task : Task.FromResult(ResolverFakes.Body(d, ResolverFakes.EnforceMailLoc)));
        var service = new ResolverService(new ResolverServiceOptions { Dane = DaneMode.Off }, cache, null);
        await service.AnswerAsync("postfix good.loc"u8.ToArray());
        await using var server = new SocketmapServer(service);
        server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(server.EndPoints[0]);

        var slow = Encoding.ASCII.GetString(Netstring.Encode("postfix slow.loc"));
        var good = Encoding.ASCII.GetString(Netstring.Encode("postfix good.loc"));
        await client.SendAsync(Encoding.ASCII.GetBytes(slow + good), SocketFlags.None);
        await Task.Delay(200);
        Assert.Equal(0, client.Available);
        gate.SetResult(ResolverFakes.Body("slow.loc", "version: STSv1\nmode: enforce\nmx: mx.slow.loc\nmax_age: 86400\n"));
        var expected = Encoding.ASCII.GetString(Netstring.Encode("OK secure match=mx.slow.loc servername=hostname")) + Encoding.ASCII.GetString(Netstring.Encode("OK secure match=mail.loc servername=hostname"));
        Assert.Equal(expected, await SocketmapServerTests.ReadExactlyAsync(client, expected.Length));

        // Afterwards both are ready and answered straight from the read loop, still in order.
        await client.SendAsync(Encoding.ASCII.GetBytes(good + slow + good), SocketFlags.None);
        var again = Encoding.ASCII.GetString(Netstring.Encode("OK secure match=mail.loc servername=hostname"));
        var three = again + Encoding.ASCII.GetString(Netstring.Encode("OK secure match=mx.slow.loc servername=hostname")) + again;
        Assert.Equal(three, await SocketmapServerTests.ReadExactlyAsync(client, three.Length));
        Assert.Equal((6L, 2L, 4L), (service.Metrics.Queries, service.Metrics.Misses, service.Metrics.Hits));
    }

    /// <summary>A clock whose monotonic timestamps the test moves (wall time stays real).</summary>
    private sealed class SteppedTimestamps : TimeProvider
    {
        private long ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
    }
}
