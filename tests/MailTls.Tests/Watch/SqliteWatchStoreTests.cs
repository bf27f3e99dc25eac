using MailTls.Reports.Storage;
using MailTls.Tests.Reports;

namespace MailTls.Tests.Watch;

public sealed class SqliteWatchStoreTests
{
    private static async Task<SqlReportStore> FreshAsync() =>
        await ReportDatabase.OpenAsync(Path.Combine(ReportTestData.TempDir(), "w.db"));

    [Fact]
    public async Task Alerts_open_continue_and_resolve_with_one_notice_per_sink_and_event()
    {
        await using var store = await FreshAsync();
        await WatchStoreContract.LifecycleAsync(store);
    }

    [Fact]
    public async Task Policy_baseline_changes_only_with_the_id()
    {
        await using var store = await FreshAsync();
        await WatchStoreContract.BaselineAsync(store);
    }

    [Fact]
    public async Task Concurrent_passes_open_each_alert_once()
    {
        await using var store = await FreshAsync();
        await WatchStoreContract.ConcurrentPassesAsync(store);
    }

    [Fact]
    public async Task At_most_one_open_alert_per_domain_kind_and_subject()
    {
        await using var store = await FreshAsync();
        await WatchStoreContract.OneOpenAlertPerKeyAsync(store);
    }
}
