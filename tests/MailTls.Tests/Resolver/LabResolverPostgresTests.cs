using MailTls.Resolver;
using MailTls.Tests.Shared;

namespace MailTls.Tests.Resolver;

/// <summary>
/// The resolver's policy cache in the lab's PostgreSQL (<c>lab/pg up</c>, started here when its URL file is missing):
/// the same store contract and cache vectors as SQLite (<see cref="PolicyStoreTests"/>, <see cref="CacheVectorTests"/>).
/// Each test works in its own schema (URL <c>?search_path=</c>).
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabResolverPostgresTests
{
    public static TheoryData<string, int> Vectors => CacheVectorTests.Vectors;

    [Fact]
    public async Task Round_trip_upsert_list_and_flush()
    {
        using var store = new PostgresStsPolicyStore(await FreshSchemaUrlAsync());
        await PolicyStoreContract.RoundTripAsync(store);
    }

    [Fact]
    public async Task Survives_reopening()
    {
        var url = await FreshSchemaUrlAsync();
        await PolicyStoreContract.SurvivesReopeningAsync(() => new PostgresStsPolicyStore(url));
    }

    [Fact]
    public async Task Concurrent_writers()
    {
        using var store = new PostgresStsPolicyStore(await FreshSchemaUrlAsync());
        await PolicyStoreContract.ConcurrentWritersAsync(store);
    }

    [Fact]
    public async Task Concurrent_misses_share_one_fetch_and_one_row()
    {
        using var store = new PostgresStsPolicyStore(await FreshSchemaUrlAsync());
        await PolicyStoreContract.CoalescedMissAsync(store);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Cache_vector_postgres(string name, int index)
    {
        using var store = new PostgresStsPolicyStore(await FreshSchemaUrlAsync());
        await CacheVectorTests.RunVectorAsync(name, index, store);
    }

    /// <summary>With PostgreSQL unreachable and nothing in memory, the answer is TEMP (Postfix defers), not a guess.</summary>
    [Fact]
    public async Task An_unreachable_cache_gives_temp()
    {
        using var store = new PostgresStsPolicyStore("postgres://mailtls:x@127.54.32.1:1/mailtls");
        var service = new ResolverService(new ResolverServiceOptions { Dane = DaneMode.Off }, ResolverFakes.Cache(store), null);
        var reply = await service.AnswerAsync("postfix good.loc"u8.ToArray());
        Assert.StartsWith("TEMP policy cache unavailable: ", reply, StringComparison.Ordinal);
    }

    private static Task<string> FreshSchemaUrlAsync() => LabPostgres.FreshSchemaUrlAsync(TestPaths.RepoRoot, "r");
}
