using MailTls.MtaSts;
using MailTls.Resolver;

namespace MailTls.Tests.Resolver;

/// <summary>
/// What every persistent policy store must do, run against SQLite (<see cref="PolicyStoreTests"/>) and PostgreSQL
/// (<c>LabResolverPostgresTests</c>): exact round trip of every column (nulls included), upsert, ordinal listing,
/// flush, reopening, concurrent writers, and the cache's coalescing with the store underneath.
/// </summary>
internal static class PolicyStoreContract
{
    private static readonly DateTimeOffset T = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly StsCacheEntry Full = new("example.com", "20260101T01", ResolverFakes.EnforceMailLoc, T, T.AddDays(7), "20251231", T.AddMinutes(-3));

    public static async Task RoundTripAsync(IStsPolicyStore store)
    {
        Assert.Null(await store.GetAsync("example.com"));
        await store.PutAsync(Full);
        Assert.Equal(Full, await store.GetAsync("example.com"));

        var failureOnly = new StsCacheEntry("failed.example", null, null, null, null, "x1", T);
        await store.PutAsync(failureOnly);
        Assert.Equal(failureOnly, await store.GetAsync("failed.example"));

        // Upsert: a later fetch replaces every column, a cleared failure included.
        var refetched = Full with { PolicyId = "20260102", PolicyText = "version: STSv1\nmode: testing\nmx: b.example\nmax_age: 86400\n", FetchedAt = T.AddHours(1), ExpiresAt = T.AddHours(25), FailedId = null, FailedAt = null };
        await store.PutAsync(refetched);
        Assert.Equal(refetched, await store.GetAsync("example.com"));

        foreach (var d in new[] { "b.example", "a-b.example", "a.example", "xn--bcher-kva.example" })
        {
            await store.PutAsync(Full with { Domain = d });
        }

        Assert.Equal(
            ["a-b.example", "a.example", "b.example", "example.com", "failed.example", "xn--bcher-kva.example"],
            (await store.ListAsync()).Select(e => e.Domain));
        Assert.Equal(1, await store.FlushAsync("b.example"));
        Assert.Equal(0, await store.FlushAsync("b.example"));
        Assert.Null(await store.GetAsync("b.example"));
        Assert.Equal(5, await store.FlushAsync(null));
        Assert.Empty(await store.ListAsync());
    }

    public static async Task SurvivesReopeningAsync(Func<IStsPolicyStore> open)
    {
        using (var store = open())
        {
            await store.PutAsync(Full);
            await store.PutAsync(new StsCacheEntry("other.example", null, null, null, null, "y", T));
        }

        using (var store = open())
        {
            Assert.Equal(Full, await store.GetAsync("example.com"));
            Assert.Equal(["example.com", "other.example"], (await store.ListAsync()).Select(e => e.Domain));
        }
    }

    public static async Task ConcurrentWritersAsync(IStsPolicyStore store)
    {
        var written = Enumerable.Range(0, 200).Select(i => Full with { Domain = $"d{i % 20}.example", PolicyId = "id" + i }).ToList();
        await Task.WhenAll(written.Select(async e =>
        {
            await store.PutAsync(e);
            Assert.NotNull(await store.GetAsync(e.Domain));
        }));
        var rows = await store.ListAsync();
        Assert.Equal(20, rows.Count);
        Assert.All(rows, r => Assert.Contains(r, written));
    }

    /// <summary>100 concurrent lookups of one uncached domain: one discovery, one fetch, one stored row.</summary>
    public static async Task CoalescedMissAsync(IStsPolicyStore store)
    {
        var gate = new TaskCompletionSource<StsPolicyFetchResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var discoveries = 0;
        var fetches = 0;
        var cache = new StsPolicyCache(
            store,
            (_, _) =>
            {
                Interlocked.Increment(ref discoveries);
                return Task.FromResult(StsDiscovery.Evaluate(ResolverFakes.Txt("v=STSv1; id=7;")));
            },
            (_, _) =>
            {
                Interlocked.Increment(ref fetches);
                return gate.Task;
            });
        var all = Enumerable.Range(0, 100).Select(_ => cache.GetAsync("example.com")).ToList();
        gate.SetResult(ResolverFakes.Body("example.com", ResolverFakes.EnforceMailLoc));
        var outcomes = await Task.WhenAll(all);
        Assert.Equal(1, discoveries);
        Assert.Equal(1, fetches);
        Assert.All(outcomes, o => Assert.Equal(StsCacheOutcomeKind.Policy, o.Kind));
        var row = await store.GetAsync("example.com");
        Assert.Equal("7", row!.PolicyId);
        Assert.Single(await store.ListAsync());
    }

    public static void DeleteSqlite(string path)
    {
        foreach (var f in Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*"))
        {
            File.Delete(f);
        }
    }
}
