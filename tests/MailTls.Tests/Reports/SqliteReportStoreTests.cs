using System.Diagnostics;
using MailTls.Reports;
using MailTls.Reports.Storage;

namespace MailTls.Tests.Reports;

public sealed class SqliteReportStoreTests
{
    private static async Task<SqlReportStore> FreshAsync() =>
        await ReportDatabase.OpenAsync(Path.Combine(ReportTestData.TempDir(), "r.db"));

    [Fact]
    public Task Golden_samples_import_with_exact_totals_and_codes_then_duplicate() => ReportStoreContract.GoldenSamplesAsync(FreshAsync);

    [Fact]
    public async Task Audit_history_stores_and_reads_audits()
    {
        await using var store = await FreshAsync();
        await ReportStoreContract.AuditHistoryAsync(store);
    }

    [Fact]
    public async Task Browsing_lists_filters_pages_and_reads_raw_reports()
    {
        await using var store = await FreshAsync();
        await ReportStoreContract.BrowseAsync(store);
    }

    [Fact]
    public async Task Five_hundred_concurrent_callers_store_each_report_once()
    {
        await using var store = await FreshAsync();
        await ReportStoreContract.ConcurrentCallersAsync(store);
    }

    [Fact]
    public async Task Revisions_and_quarantine()
    {
        await using var store = await FreshAsync();
        await ReportStoreContract.RevisionsAndQuarantineAsync(store);
    }

    [Fact]
    public async Task Migrations_are_versioned_and_idempotent()
    {
        var path = Path.Combine(ReportTestData.TempDir(), "m.db");
        await using (var a = await ReportDatabase.OpenAsync(path))
        {
            await a.MigrateAsync();
            Assert.Equal(ReportSchema.Migrations.Select(m => (long)m.Version), await a.SchemaVersionsAsync());
        }

        await using var b = await ReportDatabase.OpenAsync(path);
        Assert.Equal(ReportSchema.Migrations.Select(m => (long)m.Version), await b.SchemaVersionsAsync());
    }

    [Fact]
    public async Task Whole_sample_directory_twice_is_all_duplicates()
    {
        await using var store = await FreshAsync();
        await using var ingestor = new ReportIngestor(store);
        var dir = TestPaths.TestData("TlsRpt");
        var first = await ReportFileImporter.ImportAsync(ingestor, [dir]);
        Assert.Equal(0, first.Rejected);
        var second = await ReportFileImporter.ImportAsync(ingestor, [dir]);
        Assert.Equal((0L, first.Imported + first.Duplicates, 0L), (second.Imported, second.Duplicates, second.Rejected));
    }

    [Fact]
    public void Default_location_follows_design_section_4()
    {
        Assert.Equal("/x/y.db", ReportDatabase.DefaultLocation(n => n == "MAILTLS_DB" ? "/x/y.db" : null));
        Assert.Equal("/xdg/mailtls/mailtls.db", ReportDatabase.DefaultLocation(n => n switch { "XDG_DATA_HOME" => "/xdg", "HOME" => "/home/u", _ => null }));
        Assert.Equal("/home/u/.local/share/mailtls/mailtls.db", ReportDatabase.DefaultLocation(n => n == "HOME" ? "/home/u" : null));
        var pg = ReportDatabase.PostgresConnectionString("postgres://mailtls:p%40ss@127.54.32.1:5432/mailtls");
        Assert.Equal(("mailtls", "p@ss", "127.54.32.1", 5432, "mailtls"), (pg.Username, pg.Password, pg.Host, pg.Port, pg.Database));
        Assert.Equal("postgres://mailtls:***@h/db", ReportDatabase.Redact("postgres://mailtls:secret@h/db"));
    }

    [Fact]
    public async Task Import_killed_with_sigkill_repeatedly_then_rerun_stores_every_report_once()
    {
        var db = Path.Combine(ReportTestData.TempDir(), "crash.db");
        await CrashSafety.RunAsync(db, async () => await ReportDatabase.OpenAsync(db));
    }
}

/// <summary>Runs the real CLI over many files, SIGKILLs it at random moments, re-runs it, and checks exactly-once storage.</summary>
/// <remarks>
/// Enough files that the import itself, not the process start, takes most of a run (an import does ~20,000 reports
/// a second), so the kills land while reports are being decoded and committed.
/// </remarks>
internal static class CrashSafety
{
    public static async Task RunAsync(string db, Func<Task<SqlReportStore>> open, int files = 12_000, int kills = 6)
    {
        var dir = ReportTestData.TempDir();
        for (var i = 0; i < files; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, $"r{i:0000}.json.gz"), ReportTestData.Gzip(ReportTestData.Json(i, ok: i, failed: 1)));
        }

        // Kill times are drawn from the duration of an uninterrupted import of the same files into a scratch
        // database, so the kills land mid-import however fast or loaded the machine is.
        var scratch = Path.Combine(ReportTestData.TempDir(), "scratch.db");
        var clock = Stopwatch.StartNew();
        using (var reference = Start(dir, scratch))
        {
            await reference.WaitForExitAsync();
        }

        var full = (int)clock.ElapsedMilliseconds;
        var random = new Random(8460);
        var killed = 0;
        for (var k = 0; k < kills; k++)
        {
            using var p = Start(dir, db);
            var exited = p.WaitForExit(random.Next(full / 5, full * 9 / 10));
            if (!exited)
            {
                p.Kill(entireProcessTree: true); // SIGKILL
                killed++;
            }

            await p.WaitForExitAsync();
        }

        using (var final = Start(dir, db))
        {
            await final.WaitForExitAsync();
            Assert.True(final.ExitCode == 0, "final import failed: " + await final.StandardError.ReadToEndAsync());
        }

        await using var store = await open();
        var counts = await store.CountsAsync();
        var summary = await store.SummaryAsync(new SummaryQuery());
        Assert.Equal(files, counts.Reports);
        Assert.Equal((long)files, summary.Reports);
        Assert.Equal(Enumerable.Range(0, files).Sum(i => (long)i), summary.SuccessfulSessions);
        Assert.Equal(files, summary.FailedSessions);
        Assert.True(killed > 0, "no run was killed mid-way; the test did not exercise a crash");
    }

    private static Process Start(string dir, string db)
    {
        var cli = CliDll();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { cli, "reports", "import", dir, "--db", db, "--json" })
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi) ?? throw new InvalidOperationException("could not start the CLI");
    }

    private static string CliDll()
    {
        var config = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        var path = Path.Combine(TestPaths.RepoRoot, "src", "MailTls.Cli", "bin", config, "net10.0", "MailTls.Cli.dll");
        Assert.True(File.Exists(path), $"{path} missing: build the solution first (dotnet build mailtls.slnx -c {config})");
        return path;
    }
}

public sealed class ReportContentHashTests
{
    [Fact]
    public void Insignificant_whitespace_and_line_endings_do_not_change_the_hash()
    {
        const string lf = "{\n  \"report-id\": \"a\",\n  \"policies\": [ ]\n}";
        var crlf = lf.Replace("\n", "\r\n", StringComparison.Ordinal);
        var compact = "{\"report-id\":\"a\",\"policies\":[]}";
        Assert.Equal(ReportNormalizer.ContentHash(lf), ReportNormalizer.ContentHash(crlf));
        Assert.Equal(ReportNormalizer.ContentHash(lf), ReportNormalizer.ContentHash(compact));
        Assert.NotEqual(ReportNormalizer.ContentHash(lf), ReportNormalizer.ContentHash("{\"report-id\":\"b\",\"policies\":[]}"));
    }
}
