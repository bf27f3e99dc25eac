using System.Text.Json;
using System.Text.RegularExpressions;
using MailTls.Dns;
using MailTls.MtaSts;
using MailTls.Resolver;
using MailTls.Tests.MtaSts;

namespace MailTls.Tests.Resolver;

/// <summary>
/// The <c>cache</c> vectors (foxcpp/go-mtasts cache_test.go, RFC 8461 §3.3, §5, §10.2) run against
/// <see cref="StsPolicyCache"/>: the vector's input is turned into a stored entry, a TXT answer and a fetch outcome;
/// the cache rules are the real ones.
/// </summary>
public sealed partial class CacheVectorTests
{
    private const string Domain = "example.com";
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, int> Vectors => StsVectors.OfKind("cache");

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Cache_vector(string name, int index)
    {
        using var store = new MemoryStsPolicyStore();
        await RunVectorAsync(name, index, store);
    }

    /// <summary>The same vectors with the cache in SQLite (PostgreSQL: <c>LabResolverPostgresTests</c>).</summary>
    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Cache_vector_sqlite(string name, int index)
    {
        var path = Path.Combine(Path.GetTempPath(), "mailtls-vector-" + Guid.NewGuid().ToString("N") + ".db");
        try
        {
            using var store = new SqliteStsPolicyStore(path);
            await RunVectorAsync(name, index, store);
        }
        finally
        {
            PolicyStoreContract.DeleteSqlite(path);
        }
    }

    /// <summary>Runs cache vector <paramref name="index"/> against <paramref name="store"/> (which must be empty).</summary>
    internal static async Task RunVectorAsync(string name, int index, IStsPolicyStore store)
    {
        var v = StsVectors.Get(index);
        var input = v.GetProperty("input");
        var time = new ManualTime(Start);
        var cachedText = Str(input, "cached");
        var dnsId = Str(input, "dns_id");
        var fetchText = Str(input, "fetch") ?? string.Empty;
        var cachedId = cachedText is null ? null : Match(IdRegex(), cachedText) ?? (cachedText.StartsWith("enforce", StringComparison.Ordinal) ? "old" : "1234");
        if (cachedText is not null)
        {
            var maxAge = long.Parse(Match(MaxAgeRegex(), cachedText) ?? "86400", System.Globalization.CultureInfo.InvariantCulture);
            var aged = Match(AgedRegex(), cachedText) is { } a ? TimeSpan.FromSeconds(int.Parse(a, System.Globalization.CultureInfo.InvariantCulture))
                : cachedText.StartsWith("expired", StringComparison.Ordinal) ? TimeSpan.FromSeconds(maxAge + 10)
                : TimeSpan.FromSeconds(10);
            var fetched = Start - aged;
            await store.PutAsync(new StsCacheEntry(Domain, cachedId, Policy("enforce", Mx(cachedText) ?? "a", maxAge), fetched, fetched.AddSeconds(maxAge), null, null));
        }

        if (fetchText.StartsWith("failed", StringComparison.Ordinal))
        {
            var existing = await store.GetAsync(Domain) ?? new StsCacheEntry(Domain, null, null, null, null, null, null);
            await store.PutAsync(existing with { FailedId = dnsId, FailedAt = Start - TimeSpan.FromMinutes(1) });
        }

        var discoveries = 0;
        var fetches = 0;
        var txt = dnsId is not null ? ResolverFakes.Txt($"v=STSv1; id={dnsId};")
            : Str(input, "dns") == "NXDOMAIN" ? new StsTxtAnswer(DnsAnswerStatus.NxDomain, [])
            : ResolverFakes.Txt($"v=STSv1; id={cachedId};");
        var refresh = Str(input, "refresh");
        var cache = new StsPolicyCache(
            store,
            (_, _) =>
            {
                discoveries++;
                return Task.FromResult(StsDiscovery.Evaluate(txt));
            },
            (_, _) =>
            {
                fetches++;
                return Task.FromResult(
                    fetchText.StartsWith("ok, mode none", StringComparison.Ordinal) ? ResolverFakes.Body(Domain, "version: STSv1\nmode: none\nmax_age: 86400\n")
                    : fetchText.StartsWith("ok", StringComparison.Ordinal) ? ResolverFakes.Body(Domain, Policy("enforce", Mx(fetchText) ?? "b", 86400))
                    : refresh is not null && refresh.Contains("fails", StringComparison.Ordinal) ? ResolverFakes.Failure(Domain)
                    : fetchText == "fails" || fetchText.StartsWith("failed", StringComparison.Ordinal) ? ResolverFakes.Failure(Domain)
                    : throw new InvalidOperationException(name + ": unexpected fetch"));
            },
            time);

        if (refresh is not null)
        {
            time.Now = Start + TimeSpan.FromSeconds(20);
            Assert.True(cache.IsRefreshDue((await store.GetAsync(Domain))!, time.Now));
            var refreshed = await cache.RefreshAsync(Domain);
            Assert.Equal(1, fetches);
            Assert.Equal(StsCacheOutcomeKind.Policy, refreshed.Kind);
        }

        var outcome = await cache.GetAsync(Domain);
        var expect = v.GetProperty("expect").GetString();
        switch (expect)
        {
            case "use-cached":
                Assert.Equal(StsCacheOutcomeKind.Policy, outcome.Kind);
                Assert.Equal(StsCacheSource.Cache, outcome.Source);
                Assert.Equal("a.example", Assert.Single(outcome.Policy!.Mx).Text);
                if (dnsId == cachedId)
                {
                    Assert.Equal(0, fetches);
                }

                break;
            case "use-new":
                Assert.Equal(StsCacheOutcomeKind.Policy, outcome.Kind);
                Assert.Equal(StsCacheSource.Fetch, outcome.Source);
                Assert.Equal(1, fetches);
                if (fetchText.Contains("mode none", StringComparison.Ordinal))
                {
                    Assert.Equal(StsMode.None, outcome.Policy!.Mode);
                    Assert.Equal("NOTFOUND ", SocketmapReply.For(new ResolverDecision.Sts(Domain, outcome.Policy, outcome.PolicyId!, outcome.Source), new ResolverZone(), DaneMode.Off));
                }
                else
                {
                    Assert.Equal("b.example", Assert.Single(outcome.Policy!.Mx).Text);
                }

                Assert.Equal(outcome.PolicyId, (await store.GetAsync(Domain))!.PolicyId);
                break;
            case "no-policy":
                Assert.Equal(StsCacheOutcomeKind.NoPolicy, outcome.Kind);
                Assert.Null(outcome.Policy);
                break;
            case "no-policy-backoff":
                Assert.Equal(StsCacheOutcomeKind.Backoff, outcome.Kind);
                Assert.Equal(0, fetches);
                time.Now = Start + TimeSpan.FromMinutes(5);
                Assert.Equal(StsCacheOutcomeKind.NoPolicy, (await cache.GetAsync(Domain)).Kind);
                Assert.Equal(1, fetches);
                break;
            case "recheck-txt-before-bounce":
                // The resolver re-reads the TXT id on every miss of its answer cache (at most cache_grace old), even
                // with a valid cached policy, so a new policy id is seen before Postfix's deferrals run out.
                Assert.Equal(StsCacheOutcomeKind.Policy, outcome.Kind);
                Assert.Equal(1, discoveries);
                txt = ResolverFakes.Txt("v=STSv1; id=newer;");
                fetchText = "ok, mx=[b]";
                var after = await cache.GetAsync(Domain);
                Assert.Equal(2, discoveries);
                Assert.Equal("b.example", Assert.Single(after.Policy!.Mx).Text);
                break;
            default:
                throw new InvalidOperationException(name + ": unknown expectation " + expect);
        }
    }

    [Fact]
    public void The_vectors_are_all_here() => Assert.Equal(11, StsVectors.Count("cache"));

    [Fact]
    public async Task Concurrent_misses_for_one_domain_share_one_discovery_and_fetch()
    {
        var gate = new TaskCompletionSource<StsPolicyFetchResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var discoveries = 0;
        var fetches = 0;
        var cache = new StsPolicyCache(
            new MemoryStsPolicyStore(),
            (_, _) =>
            {
                Interlocked.Increment(ref discoveries);
                return Task.FromResult(StsDiscovery.Evaluate(ResolverFakes.Txt("v=STSv1; id=1;")));
            },
            (_, _) =>
            {
                Interlocked.Increment(ref fetches);
                return gate.Task;
            });
        var all = Enumerable.Range(0, 100).Select(_ => cache.GetAsync(Domain)).ToList();
        gate.SetResult(ResolverFakes.Body(Domain, ResolverFakes.EnforceMailLoc));
        var outcomes = await Task.WhenAll(all);
        Assert.Equal(1, discoveries);
        Assert.Equal(1, fetches);
        Assert.All(outcomes, o => Assert.Equal(StsCacheOutcomeKind.Policy, o.Kind));
    }

    [Fact]
    public void Proactive_refresh_is_due_at_half_the_max_age_or_daily()
    {
        var cache = ResolverFakes.Cache();
        var shortLived = new StsCacheEntry(Domain, "1", ResolverFakes.EnforceMailLoc, Start, Start.AddSeconds(3600), null, null);
        Assert.False(cache.IsRefreshDue(shortLived, Start.AddMinutes(29)));
        Assert.True(cache.IsRefreshDue(shortLived, Start.AddMinutes(30)));
        Assert.False(cache.IsRefreshDue(shortLived, Start.AddMinutes(61)));
        var longLived = new StsCacheEntry(Domain, "1", ResolverFakes.EnforceMailLoc, Start, Start.AddDays(365), null, null);
        Assert.False(cache.IsRefreshDue(longLived, Start.AddHours(23)));
        Assert.True(cache.IsRefreshDue(longLived, Start.AddHours(24)));
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static string? Match(Regex regex, string text) => regex.Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    private static string? Mx(string text) => Match(MxRegex(), text);

    private static string Policy(string mode, string mx, long maxAge) =>
        $"version: STSv1\nmode: {mode}\nmx: {mx}.example\nmax_age: {maxAge}\n";

    [GeneratedRegex(@"id=(\w+)")]
    private static partial Regex IdRegex();

    [GeneratedRegex(@"max_age=(\d+)")]
    private static partial Regex MaxAgeRegex();

    [GeneratedRegex(@"aged (\d+)s")]
    private static partial Regex AgedRegex();

    [GeneratedRegex(@"mx=\[(\w+)\]")]
    private static partial Regex MxRegex();
}
