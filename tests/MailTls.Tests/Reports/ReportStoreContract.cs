using MailTls.Audit;
using MailTls.Findings;
using MailTls.Reports;
using MailTls.Reports.Storage;
using MailTls.Tests.TlsRpt;

namespace MailTls.Tests.Reports;

/// <summary>The store behaviour both SQLite and PostgreSQL must show; each store test class runs these against its store.</summary>
internal static class ReportStoreContract
{
    /// <summary>Every sample file imports alone with its exact totals and deviation codes; a second import is a duplicate.</summary>
    public static async Task GoldenSamplesAsync(Func<Task<SqlReportStore>> open)
    {
        var expected = new List<(string File, long Ok, long Failed, string[] Codes)>();
        foreach (var row in TlsRptReportReaderTests.Samples)
        {
            expected.Add(((string)row[0], (long)row[4], (long)row[5], (string[])row[6]));
        }

        var json = expected.ToDictionary(e => e.File);
        foreach (var row in TlsRptMessageReaderTests.Messages)
        {
            var j = json[(string)row[2 - 1]];
            expected.Add(((string)row[0], j.Ok, j.Failed, [.. j.Codes, .. (string[])row[3], .. (string[])row[4]]));
        }

        foreach (var (file, ok, failed, codes) in expected)
        {
            await using var store = await open();
            await using var ingestor = new ReportIngestor(store);
            var path = TestPaths.TestData("TlsRpt", file);
            var first = await ReportFileImporter.ImportAsync(ingestor, [path]);
            Assert.True(first.Imported == 1, $"{file}: imported {first.Imported}, errors {string.Join("; ", first.Errors.Select(e => e.Reason))}");
            var summary = await store.SummaryAsync(new SummaryQuery());
            Assert.Equal((1L, ok, failed), (summary.Reports, summary.SuccessfulSessions, summary.FailedSessions));
            var stored = await store.FindAsync(ReadId(path));
            Assert.Equal(codes, Assert.Single(stored).Deviations.Select(d => d.Code).ToArray());
            var second = await ReportFileImporter.ImportAsync(ingestor, [path]);
            Assert.Equal((0L, 1L, 0L), (second.Imported, second.Duplicates, second.Rejected));
        }
    }

    private static string ReadId(string path)
    {
        var items = ReportPipeline.DecodeAsync(File.ReadAllBytes(path), ReportSource.File(path)).GetAwaiter().GetResult();
        return ((ReportItem)Assert.Single(items)).Report.ReportId;
    }

    /// <summary>500 concurrent IngestAsync callers (each report posted twice at once, 1000 calls) → each stored once, every caller told after commit.</summary>
    public static async Task ConcurrentCallersAsync(SqlReportStore store)
    {
        await using var ingestor = new ReportIngestor(store);
        var payloads = Enumerable.Range(0, 500).Select(i => ReportTestData.Gzip(ReportTestData.Json(i, ok: i, failed: 1))).ToList();
        using var start = new ManualResetEventSlim();
        var calls = payloads.Concat(payloads).Select((p, n) => Task.Run(async () =>
        {
            start.Wait();
            return await ingestor.IngestAsync(p, ReportSource.Api("post-" + n, "tenant-a"));
        })).ToList();
        start.Set();
        var outcomes = (await Task.WhenAll(calls)).Select(o => Assert.Single(o)).ToList();

        Assert.Equal(500, outcomes.Count(o => o.Status == IngestStatus.Imported));
        Assert.Equal(500, outcomes.Count(o => o.Status == IngestStatus.Duplicate));
        var summary = await store.SummaryAsync(new SummaryQuery());
        Assert.Equal(500, summary.Reports);
        Assert.Equal(Enumerable.Range(0, 500).Sum(i => (long)i), summary.SuccessfulSessions);
        Assert.Equal(500, summary.FailedSessions);
        Assert.True(ingestor.Commits < 1000, $"group commit: {ingestor.Commits} commits for 1000 callers");
        var counts = await store.CountsAsync();
        Assert.Equal(500, counts.Reports);
    }

    /// <summary>Same natural key, different content → a second revision; only the newest counts.</summary>
    public static async Task RevisionsAndQuarantineAsync(SqlReportStore store)
    {
        await using var ingestor = new ReportIngestor(store);
        var a = Assert.Single(await ingestor.IngestAsync(ReportTestData.Gzip(ReportTestData.Json(7, ok: 5)), ReportSource.Api()));
        var b = Assert.Single(await ingestor.IngestAsync(ReportTestData.Gzip(ReportTestData.Json(7, ok: 9)), ReportSource.Api()));
        Assert.Equal((IngestStatus.Imported, 1), (a.Status, a.Revision));
        Assert.Equal((IngestStatus.Imported, 2), (b.Status, b.Revision));
        var summary = await store.SummaryAsync(new SummaryQuery());
        Assert.Equal((1L, 9L), (summary.Reports, summary.SuccessfulSessions));
        var revisions = await store.FindAsync("gen-7");
        Assert.Equal([false, true], revisions.Select(r => r.IsCurrent));

        var junk = Assert.Single(await ingestor.IngestAsync("{\"not\": \"a report\""u8.ToArray(), ReportSource.Api("junk")));
        Assert.Equal(IngestStatus.Quarantined, junk.Status);
        Assert.Contains("tlsrpt.report.not-json", junk.Reason, StringComparison.Ordinal);
        Assert.Equal(1, (await store.CountsAsync()).Quarantined);
        var again = Assert.Single(await ingestor.IngestAsync("{\"not\": \"a report\""u8.ToArray(), ReportSource.Api("junk")));
        Assert.Equal(IngestStatus.Quarantined, again.Status);
        Assert.Equal(1, (await store.CountsAsync()).Quarantined);

        var byType = await store.SummaryAsync(new SummaryQuery(Domain: "example.com", PolicyType: "sts", By: SummaryGrouping.ResultType));
        Assert.Equal(("certificate-expired", 2L), (Assert.Single(byType.Rows).Key, byType.Rows[0].FailedSessions));
    }
    /// <summary>Audits (migration 3): stored after commit, newest per domain, history newest first, findings round-trip.</summary>
    public static async Task AuditHistoryAsync(SqlReportStore store)
    {
        var t0 = new DateTimeOffset(2026, 11, 1, 3, 0, 0, TimeSpan.Zero);
        var warn = new StoredFinding("sts.policy.max-age-below-week", Severity.Warning, "mta-sts.b.example", "max_age 86400 is below a week \u00e9");
        var err = new StoredFinding("dane.tlsa.mismatch", Severity.Error, "mx.b.example", "no TLSA record matches");
        var ids = new List<long>
        {
            await store.AddAuditAsync(new AuditRecord("B.example.", t0, true, "1 warning", [warn], "{\"domain\":\"b.example\",\"n\":1}")),
            await store.AddAuditAsync(new AuditRecord("a.example", t0.AddHours(1), true, "clean", [], "{}")),
            await store.AddAuditAsync(new AuditRecord("b.example", t0.AddDays(1), false, "1 error, 1 warning", [err, warn], "{\"n\":2}")),
            await store.AddAuditAsync(new AuditRecord("b.example", t0.AddHours(2), true, "clean", [], "{\"n\":0}")),
        };
        Assert.Equal(ids.Count, ids.Distinct().Count());

        var latest = await store.LatestAuditsAsync();
        Assert.Equal(["a.example", "b.example"], latest.Select(a => a.Domain));
        var b = latest[1];
        Assert.Equal((ids[2], t0.AddDays(1), false, "{\"n\":2}"), (b.Id, b.AuditedAt, b.Completed, b.CheckJson));
        Assert.Equal([err, warn], b.Findings);
        Assert.Equal((1, 1), (b.Errors, b.Warnings));

        var history = await store.AuditHistoryAsync("B.EXAMPLE", 10);
        Assert.Equal([ids[2], ids[3], ids[0]], history.Select(a => a.Id));
        Assert.Equal([warn], history[2].Findings);
        Assert.Equal([ids[2]], (await store.AuditHistoryAsync("b.example", 1)).Select(a => a.Id));
        Assert.Empty(await store.AuditHistoryAsync("c.example", 5));
    }

    /// <summary>Listings (filters, paging, domain-restricted sessions), one report by store id, its raw JSON, the filter values.</summary>
    public static async Task BrowseAsync(SqlReportStore store)
    {
        await using var ingestor = new ReportIngestor(store);
        var payloads = new Dictionary<string, string>();
        for (var i = 0; i < 12; i++)
        {
            var json = ReportTestData.Json(i, ok: 10 + i, failed: i % 3, domain: i % 2 == 0 ? "a.example" : "b.example", sender: i % 4 == 0 ? "yahoo.com" : "google.com");
            payloads["gen-" + i] = json;
            Assert.Equal(IngestStatus.Imported, Assert.Single(await ingestor.IngestAsync(ReportTestData.Gzip(json), ReportSource.Api())).Status);
        }

        // A second revision of gen-3: only the new one is listed and counted.
        var revised = ReportTestData.Json(3, ok: 99, failed: 0, domain: "b.example", sender: "google.com");
        Assert.Equal(IngestStatus.Imported, Assert.Single(await ingestor.IngestAsync(ReportTestData.Gzip(revised), ReportSource.Api())).Status);
        payloads["gen-3"] = revised;

        var all = await store.ListReportsAsync(new ReportListQuery(Limit: 100));
        Assert.Equal(12, all.Total);
        Assert.Equal(all.Items.OrderByDescending(r => r.Start).ThenByDescending(r => r.StoreId).Select(r => r.StoreId), all.Items.Select(r => r.StoreId));
        Assert.Equal(99, all.Items.Single(r => r.ReportId == "gen-3").SuccessfulSessions);
        Assert.Equal(2, all.Items.Single(r => r.ReportId == "gen-3").Revision);

        foreach (var domain in new[] { "a.example", "B.Example." })
        {
            var page = await store.ListReportsAsync(new ReportListQuery(Domain: domain, Limit: 100));
            var summary = await store.SummaryAsync(new SummaryQuery(domain));
            Assert.Equal(summary.Reports, page.Total);
            Assert.Equal((summary.SuccessfulSessions, summary.FailedSessions), (page.Items.Sum(r => r.SuccessfulSessions), page.Items.Sum(r => r.FailedSessions)));
        }

        var paged = new List<long>();
        for (var offset = 0; offset < 12; offset += 5)
        {
            paged.AddRange((await store.ListReportsAsync(new ReportListQuery(Offset: offset, Limit: 5))).Items.Select(r => r.StoreId));
        }

        Assert.Equal(all.Items.Select(r => r.StoreId), paged);
        var yahoo = await store.ListReportsAsync(new ReportListQuery(Sender: "yahoo.com"));
        Assert.Equal(3, yahoo.Total);
        Assert.All(yahoo.Items, r => Assert.Equal("yahoo.com", r.Sender));
        var failing = await store.ListReportsAsync(new ReportListQuery(ResultType: "certificate-expired"));
        Assert.Equal(12, failing.Total); // every generated report has a certificate-expired failure detail (some with 0 sessions)
        Assert.Equal(0, (await store.ListReportsAsync(new ReportListQuery(ResultType: "starttls-not-supported"))).Total);
        Assert.All(failing.Items, r => Assert.Equal(["certificate-expired"], r.ResultTypes));
        var since = await store.ListReportsAsync(new ReportListQuery(Since: new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero)));
        Assert.Equal(all.Items.Count(r => r.Start >= new DateTimeOffset(2026, 1, 10, 0, 0, 0, TimeSpan.Zero)), since.Total);

        var one = all.Items.Single(r => r.ReportId == "gen-5");
        var stored = await store.GetReportAsync(one.StoreId);
        Assert.Equal(Assert.Single(await store.FindAsync("gen-5")), stored, new StoredReportComparer());
        Assert.Equal(payloads["gen-5"], await store.RawJsonAsync(one.StoreId));
        Assert.Null(await store.GetReportAsync(999_999));
        Assert.Null(await store.RawJsonAsync(999_999));

        var values = await store.FilterValuesAsync();
        Assert.Equal(["a.example", "b.example"], values.Domains);
        Assert.Equal(["google.com", "yahoo.com"], values.Senders);
        Assert.Equal(["certificate-expired"], values.ResultTypes);
    }

    /// <summary>Stored reports compare by their key fields, totals and policy count (lists inside are reference types).</summary>
    private sealed class StoredReportComparer : IEqualityComparer<StoredReport?>
    {
        public bool Equals(StoredReport? x, StoredReport? y) => x is not null && y is not null
            && (x.StoreId, x.Sender, x.ReportId, x.Start, x.End, x.Revision, x.ContentSha256, x.Policies.Count, x.Policies.Sum(p => p.FailedSessions))
            == (y.StoreId, y.Sender, y.ReportId, y.Start, y.End, y.Revision, y.ContentSha256, y.Policies.Count, y.Policies.Sum(p => p.FailedSessions));

        public int GetHashCode(StoredReport? obj) => obj?.StoreId.GetHashCode() ?? 0;
    }
}
