using MailTls.Resolver;

namespace MailTls.Tests.Resolver;

/// <summary>The policy store contract (<see cref="PolicyStoreContract"/>) against memory and SQLite.</summary>
public sealed class PolicyStoreTests
{
    public static TheoryData<string> Kinds => new() { "memory", "sqlite" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public Task Round_trip_upsert_list_and_flush(string kind) => WithStoreAsync(kind, PolicyStoreContract.RoundTripAsync);

    [Theory]
    [MemberData(nameof(Kinds))]
    public Task Concurrent_writers(string kind) => WithStoreAsync(kind, PolicyStoreContract.ConcurrentWritersAsync);

    [Theory]
    [MemberData(nameof(Kinds))]
    public Task Concurrent_misses_share_one_fetch_and_one_row(string kind) => WithStoreAsync(kind, PolicyStoreContract.CoalescedMissAsync);

    [Fact]
    public async Task Sqlite_survives_reopening()
    {
        var path = TempDb();
        try
        {
            await PolicyStoreContract.SurvivesReopeningAsync(() => new SqliteStsPolicyStore(path));
        }
        finally
        {
            PolicyStoreContract.DeleteSqlite(path);
        }
    }

    [Fact]
    public void Cache_backends_are_chosen_by_type_and_by_the_cache_option()
    {
        var cfg = ResolverConfig.Parse("cache:\n  type: postgres\n  options:\n    dsn: postgres://u:p@pg.example:5433/cache\n", out var errors);
        Assert.Empty(errors);
        Assert.Equal(ResolverCacheType.Postgres, cfg.CacheType);
        Assert.Equal("postgres://u:p@pg.example:5433/cache", cfg.CacheUrl);
        using (var store = Assert.IsType<PostgresStsPolicyStore>(cfg.OpenStore()))
        {
            Assert.Equal("postgres://u@pg.example:5433/cache", store.Description);
        }

        ResolverConfig.Parse("cache:\n  type: postgres\n", out errors);
        Assert.Contains("cache.options.dsn: required for cache type postgres (postgres://user:pass@host:port/db)", errors);
        ResolverConfig.Parse("cache:\n  type: postgres\n  options:\n    dsn: /tmp/x.db\n", out errors);
        Assert.Contains("cache.options.dsn: not a postgres://user:pass@host:port/db URL", errors);

        Assert.Equal(ResolverCacheType.Internal, new ResolverConfig().WithCache("internal").CacheType);
        var pg = new ResolverConfig().WithCache("postgresql://u@h/db");
        Assert.Equal((ResolverCacheType.Postgres, "postgresql://u@h/db"), (pg.CacheType, pg.CacheUrl));
        var file = new ResolverConfig().WithCache("/var/tmp/r.db");
        Assert.Equal((ResolverCacheType.Sqlite, "/var/tmp/r.db"), (file.CacheType, file.CacheFile));
    }

    private static async Task WithStoreAsync(string kind, Func<IStsPolicyStore, Task> test)
    {
        var path = TempDb();
        try
        {
            using IStsPolicyStore store = kind == "sqlite" ? new SqliteStsPolicyStore(path) : new MemoryStsPolicyStore();
            await test(store);
        }
        finally
        {
            PolicyStoreContract.DeleteSqlite(path);
        }
    }

    private static string TempDb() => Path.Combine(Path.GetTempPath(), "mailtls-store-" + Guid.NewGuid().ToString("N") + ".db");
}
