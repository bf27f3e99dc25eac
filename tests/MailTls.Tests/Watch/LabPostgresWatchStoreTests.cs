using MailTls.Reports.Storage;
using MailTls.Tests.Reports;

namespace MailTls.Tests.Watch;

/// <summary>The alert store contract on the lab's PostgreSQL (a fresh schema per test).</summary>
[Trait("Category", "Lab")]
public sealed class LabPostgresWatchStoreTests
{
    [Fact]
    public async Task Postgres_alerts_open_continue_and_resolve_with_one_notice_per_sink_and_event()
    {
        await using var store = await ReportDatabase.OpenAsync(await LabReportsTests.PgUrlAsync());
        await WatchStoreContract.LifecycleAsync(store);
    }

    [Fact]
    public async Task Postgres_policy_baseline_changes_only_with_the_id()
    {
        await using var store = await ReportDatabase.OpenAsync(await LabReportsTests.PgUrlAsync());
        await WatchStoreContract.BaselineAsync(store);
    }

    [Fact]
    public async Task Postgres_concurrent_passes_open_each_alert_once()
    {
        await using var store = await ReportDatabase.OpenAsync(await LabReportsTests.PgUrlAsync());
        await WatchStoreContract.ConcurrentPassesAsync(store);
    }

    [Fact]
    public async Task Postgres_at_most_one_open_alert_per_domain_kind_and_subject()
    {
        await using var store = await ReportDatabase.OpenAsync(await LabReportsTests.PgUrlAsync());
        await WatchStoreContract.OneOpenAlertPerKeyAsync(store);
    }
}
