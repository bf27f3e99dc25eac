using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailTls.Dns.Dnssec;
using MailTls.MtaSts;
using MailTls.Resolver;
using MailTls.Tests.Shared;

namespace MailTls.Tests.Lab;

/// <summary>
/// <c>mailtls resolver</c> against the lab (real DNS through unbound, real policy hosts): per scenario domain the
/// decision agrees with the peer's <c>mta-sts-query</c> verdict in plan.json and the reply with Debian's
/// <c>mta-sts-daemon</c> 1.1.2 asked the same socketmap question, except where the difference is the point (DANE
/// precedence; TEMP where the peer says NOTFOUND after a DNS failure). And a cached policy stays in force while its
/// policy host refuses connections, until it expires.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabResolverTests
{
    private static readonly string Run = Environment.GetEnvironmentVariable("MAILTLS_LAB_RUN") ?? "/run/mailtls-lab";

    public static TheoryData<string> Domains => LabPlan.DomainNames(_ => true);

    [Theory]
    [MemberData(nameof(Domains))]
    public async Task Decision_agrees_with_mta_sts_query(string domain)
    {
        var plan = LabPlan.Domain(domain);
        var peer = plan.GetProperty("mta_sts_query").GetString();
        await using var host = Host(new ResolverConfig { CacheType = ResolverCacheType.Internal, ProactiveRefresh = false });
        var decision = await host.Service.DecideAsync(domain);
        var reply = SocketmapReply.For(decision, new ResolverZone(), DaneMode.Auto);
        if (SecureTlsa(plan))
        {
            Assert.True(decision is ResolverDecision.Dane, $"{domain}: DANE-secure, got {decision}");
            Assert.StartsWith("OK dane", reply, StringComparison.Ordinal);
            return;
        }

        switch (peer)
        {
            case "VALID":
                var sts = Assert.IsType<ResolverDecision.Sts>(decision);
                Assert.Equal(sts.Policy.Mode == StsMode.Enforce ? "OK secure match=" : "NOTFOUND ", reply.Length > 16 ? reply[..16] : reply);
                break;
            case "NONE":
                Assert.True(decision is ResolverDecision.NoPolicy, $"{domain}: {decision}");
                break;
            default:
                Assert.True(decision is ResolverDecision.NoPolicy or ResolverDecision.Temporary, $"{domain}: {decision}");
                break;
        }
    }

    [Fact]
    public async Task Replies_agree_with_mta_sts_daemon()
    {
        var port = FreePort();
        var cfg = Path.Combine(Path.GetTempPath(), $"mta-sts-daemon-{port}.yml");
        await File.WriteAllTextAsync(cfg, $"host: 127.0.0.1\nport: {port}\ncache:\n  type: internal\ndefault_zone:\n  timeout: 10\n");
        using var peer = Process.Start(new ProcessStartInfo("mta-sts-daemon", ["-c", cfg]) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true })!;
        try
        {
            await using var host = Host(new ResolverConfig { CacheType = ResolverCacheType.Internal, ProactiveRefresh = false });
            using var client = await ConnectAsync(port);
            var differences = new List<string>();
            foreach (var domain in ((IEnumerable<object[]>)Domains).Select(d => (string)d[0]))
            {
                var theirs = await AskAsync(client, "postfix " + domain);
                var ours = await host.Service.AnswerAsync(Encoding.UTF8.GetBytes("postfix " + domain));
                if (ours.StartsWith("OK dane", StringComparison.Ordinal) || (ours.StartsWith("TEMP ", StringComparison.Ordinal) && theirs == "NOTFOUND "))
                {
                    continue;
                }

                if (Normalize(ours) != Normalize(theirs))
                {
                    differences.Add($"{domain}: mailtls '{ours}' vs mta-sts-daemon '{theirs}'");
                }
            }

            Assert.True(differences.Count == 0, string.Join("\n", differences));
        }
        finally
        {
            peer.Kill(entireProcessTree: true);
            await peer.WaitForExitAsync();
            File.Delete(cfg);
        }
    }

    /// <summary>
    /// Policy host down: fetch clean-enforce.lab into a SQLite cache; then, with the policy fetch pointed at a port that
    /// refuses (the policy host is down) and the cached id made stale (so the resolver must try to fetch), the cached
    /// policy is still answered; once it has expired, the answer is NOTFOUND (RFC 8461 §3.3). Firewalling the lab's
    /// nginx would affect other engineers' tests, so the outage is simulated at the fetcher's port.
    /// </summary>
    [Fact]
    public async Task A_policy_host_going_down_leaves_the_cached_policy_in_force_until_it_expires()
    {
        const string domain = "clean-enforce.lab";
        var db = Path.Combine(Path.GetTempPath(), "mailtls-lab-resolver-" + Guid.NewGuid().ToString("N") + ".db");
        try
        {
            var config = new ResolverConfig { CacheType = ResolverCacheType.Sqlite, CacheFile = db, ProactiveRefresh = false, Dane = DaneMode.Off };
            string first;
            await using (var host = Host(config))
            {
                first = await host.Service.AnswerAsync(Encoding.UTF8.GetBytes("postfix " + domain));
                Assert.StartsWith("OK secure match=", first, StringComparison.Ordinal);
            }

            using (var store = new SqliteStsPolicyStore(db))
            {
                var e = (await store.GetAsync(domain))!;
                await store.PutAsync(e with { PolicyId = "stale" });
            }

            await using (var down = Host(config, new StsPolicyFetcherOptions { Port = 1 }))
            {
                var decision = await down.Service.DecideAsync(domain);
                var sts = Assert.IsType<ResolverDecision.Sts>(decision);
                Assert.Equal(StsCacheSource.Cache, sts.Source);
                Assert.Equal(first, SocketmapReply.For(decision, new ResolverZone(), DaneMode.Off));
                Assert.Equal(1, down.Cache.FetchFailures);
            }

            using (var store = new SqliteStsPolicyStore(db))
            {
                var e = (await store.GetAsync(domain))!;
                await store.PutAsync(e with { ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-1), FailedId = null, FailedAt = null });
            }

            await using (var down = Host(config, new StsPolicyFetcherOptions { Port = 1 }))
            {
                Assert.Equal("NOTFOUND ", await down.Service.AnswerAsync(Encoding.UTF8.GetBytes("postfix " + domain)));
            }
        }
        finally
        {
            foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(db) + "*"))
            {
                File.Delete(f);
            }
        }
    }

    private static ResolverHost Host(ResolverConfig config, StsPolicyFetcherOptions? fetch = null) =>
        new(config, [new IPEndPoint(IPAddress.Parse("127.0.0.53"), 53)], TrustAnchors.Load(File.ReadAllText(Path.Combine(Run, "root.key"))).Anchors!, fetch);

    /// <summary>A domain DANE governs: signed, and an MX host in a signed zone publishes TLSA.</summary>
    private static bool SecureTlsa(System.Text.Json.JsonElement plan) =>
        plan.GetProperty("signing").GetString() == "signed"
        && plan.GetProperty("mx").EnumerateArray().Select(m => m.GetString()!.Split(' ')[^1]).Any(h =>
        {
            var owner = LabPlan.Root.GetProperty("domains").EnumerateArray().FirstOrDefault(x => x.GetProperty("hosts").TryGetProperty(h, out _));
            return owner.ValueKind != System.Text.Json.JsonValueKind.Undefined
                && owner.GetProperty("signing").GetString() == "signed"
                && owner.GetProperty("hosts").GetProperty(h).GetProperty("tlsa").GetArrayLength() > 0;
        });

    /// <summary>The peer puts patterns through a set (order lost): compare pattern sets.</summary>
    private static string Normalize(string reply)
    {
        if (!reply.StartsWith("OK secure match=", StringComparison.Ordinal))
        {
            return reply;
        }

        var parts = reply.Split(' ');
        var patterns = parts[2]["match=".Length..].Split(':').Order(StringComparer.Ordinal);
        return string.Join(' ', [parts[0], parts[1], "match=" + string.Join(':', patterns), .. parts[3..]]);
    }

    private static int FreePort() => SocketmapTestClient.FreePort();

    private static Task<Socket> ConnectAsync(int port) => SocketmapTestClient.ConnectAsync(port);

    private static Task<string> AskAsync(Socket s, string request) => SocketmapTestClient.AskAsync(s, request, 8192, TimeSpan.FromSeconds(60));
}
