using MailKit;
using MailKit.Search;
using MailTls.Reports;
using MailTls.Reports.Storage;
using MailTls.Tests.Shared;

namespace MailTls.Tests.Reports;

/// <summary>
/// The store contract against the lab's PostgreSQL (started with <c>lab/pg up</c> when its URL file is missing), and
/// IMAP fetch from the lab's Dovecot. Each PostgreSQL test works in its own schema (URL <c>?search_path=</c>).
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabReportsTests
{
    internal static Task<string> PgUrlAsync() => LabPostgres.FreshSchemaUrlAsync(TestPaths.RepoRoot, "t");

    [Fact]
    public async Task Postgres_golden_samples()
    {
        var url = await PgUrlAsync();
        var n = 0;
        await ReportStoreContract.GoldenSamplesAsync(async () =>
        {
            // A fresh schema per sample, like a fresh SQLite file.
            var fresh = n++ == 0 ? url : await PgUrlAsync();
            return await ReportDatabase.OpenAsync(fresh);
        });
    }

    [Fact]
    public async Task Postgres_five_hundred_concurrent_callers()
    {
        await using var store = await ReportDatabase.OpenAsync(await PgUrlAsync());
        await ReportStoreContract.ConcurrentCallersAsync(store);
    }

    [Fact]
    public async Task Postgres_audit_history_stores_and_reads_audits()
    {
        await using var store = await ReportDatabase.OpenAsync(await PgUrlAsync());
        await ReportStoreContract.AuditHistoryAsync(store);
    }

    [Fact]
    public async Task Postgres_browsing_lists_filters_pages_and_reads_raw_reports()
    {
        await using var store = await ReportDatabase.OpenAsync(await PgUrlAsync());
        await ReportStoreContract.BrowseAsync(store);
    }

    [Fact]
    public async Task Postgres_revisions_and_quarantine()
    {
        await using var store = await ReportDatabase.OpenAsync(await PgUrlAsync());
        await ReportStoreContract.RevisionsAndQuarantineAsync(store);
    }

    [Fact]
    public async Task Postgres_import_killed_with_sigkill_then_rerun_stores_every_report_once()
    {
        var url = await PgUrlAsync();
        await CrashSafety.RunAsync(url, async () => await ReportDatabase.OpenAsync(url));
    }

    [Fact]
    public async Task Imap_fetch_stores_every_report_mail_then_moves_it_and_redelivery_is_duplicate()
    {
        var password = (await File.ReadAllTextAsync("/run/mailtls-lab/imap-password")).Trim();
        var settings = new ImapFetchSettings { Url = ImapFetchSettings.ParseUrl("imaps://tlsrpt@imap.lab:993/INBOX"), Password = password, MoveTo = "TLS-RPT/processed" };

        // Expected: every report mail in the Maildir, decoded by the same pipeline from the files on disk.
        var maildir = "/run/mailtls-lab/mail/tlsrpt/Maildir";
        var expected = new List<NormalizedReport>();
        foreach (var f in Directory.GetFiles(Path.Combine(maildir, "new")).Concat(Directory.GetFiles(Path.Combine(maildir, "cur"))))
        {
            foreach (var item in await ReportPipeline.DecodeAsync(await File.ReadAllBytesAsync(f), ReportSource.File(f)))
            {
                expected.Add(Assert.IsType<ReportItem>(item).Report);
            }
        }

        Assert.NotEmpty(expected);
        var distinct = expected.DistinctBy(r => (r.NaturalKey, Convert.ToHexString(r.ContentSha256))).ToList();

        // A store that fails: nothing may be moved.
        await using (var failing = new FailingStore())
        await using (var ingestor = new ReportIngestor(failing))
        {
            await Assert.ThrowsAsync<IOException>(() => ImapReportFetcher.FetchAsync(ingestor, settings));
        }

        Assert.Equal(expected.Count, await CountAsync(settings, "INBOX"));

        await using var store = await ReportDatabase.OpenAsync(Path.Combine(ReportTestData.TempDir(), "imap.db"));
        await using (var ingestor = new ReportIngestor(store))
        {
            var first = await ImapReportFetcher.FetchAsync(ingestor, settings);
            Assert.Equal((distinct.Count, expected.Count - distinct.Count, 0L), ((int)first.Imported, (int)first.Duplicates, first.Rejected));
            Assert.Equal(0, await CountAsync(settings, "INBOX"));
            var summary = await store.SummaryAsync(new SummaryQuery());
            Assert.Equal(distinct.Sum(r => r.SuccessfulSessions), summary.SuccessfulSessions);
            Assert.Equal(distinct.Sum(r => r.FailedSessions), summary.FailedSessions);
            foreach (var r in distinct)
            {
                var candidates = await store.FindAsync(r.ReportId);
                var stored = candidates.SingleOrDefault(s => s.ContentSha256 == Convert.ToHexStringLower(r.ContentSha256));
                Assert.True(stored is not null, $"report {r.ReportId} ({Convert.ToHexStringLower(r.ContentSha256)}) not stored; stored: [{string.Join(", ", candidates.Select(c => c.ContentSha256 + " " + c.SourceName))}]");
                Assert.Equal(r.Deviations.Select(d => d.Code), stored.Deviations.Select(d => d.Code));
            }

            // Re-delivery: move everything back and fetch again → all duplicates.
            await MoveBackAsync(settings);
            var second = await ImapReportFetcher.FetchAsync(ingestor, settings);
            Assert.Equal((0L, (long)expected.Count), (second.Imported, second.Duplicates));
        }

        await MoveBackAsync(settings);
    }

    private static async Task<int> CountAsync(ImapFetchSettings s, string mailbox)
    {
        using var client = await ImapReportFetcher.ConnectAsync(s);
        var folder = await client.GetFolderAsync(mailbox);
        await folder.OpenAsync(FolderAccess.ReadOnly);
        var n = (await folder.SearchAsync(SearchQuery.HeaderContains("TLS-Report-Domain", string.Empty)
            .Or(SearchQuery.HeaderContains("Content-Type", "tlsrpt")).Or(SearchQuery.BodyContains("application/tlsrpt")))).Count;
        await client.DisconnectAsync(true);
        return n;
    }

    private static async Task MoveBackAsync(ImapFetchSettings s)
    {
        using var client = await ImapReportFetcher.ConnectAsync(s);
        var root = client.GetFolder(client.PersonalNamespaces[0])!;
        var processed = (await (await root.GetSubfoldersAsync()).Single(f => f.Name == "TLS-RPT").GetSubfoldersAsync()).Single(f => f.Name == "processed");
        await processed.OpenAsync(FolderAccess.ReadWrite);
        var all = await processed.SearchAsync(SearchQuery.All);
        if (all.Count > 0)
        {
            await processed.MoveToAsync(all, client.Inbox);
        }

        await client.DisconnectAsync(true);
    }

    private sealed class FailingStore : IReportStore
    {
        public string Description => "failing";

        public Task MigrateAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<IngestOutcome>> StoreAsync(IReadOnlyList<PipelineItem> items, CancellationToken cancellationToken = default) =>
            throw new IOException("disk full (simulated)");

        public Task<SummaryResult> SummaryAsync(SummaryQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<StoredReport>> FindAsync(string reportId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ReadinessData> ReadinessDataAsync(string domain, DateTimeOffset since, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<DailyPoint>> DailyAsync(SummaryQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<StoreCounts> CountsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
