using MailTls.Reports;
using MailTls.Reports.Storage;
using MailTls.Tests.Reports;
using MailTls.Watch;

namespace MailTls.Tests.Watch;

public sealed class TlsRptJumpTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 20, 9, 0, 0, TimeSpan.Zero);

    private static DailyPoint Day(DateOnly d, long ok, long failed) =>
        new(d.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber, ok, failed);

    private static readonly DateOnly Today = DateOnly.FromDateTime(Now.UtcDateTime);

    private static List<DailyPoint> Baseline(long ok = 990, long failed = 10) =>
        [.. Enumerable.Range(2, 14).Select(i => Day(Today.AddDays(-i), ok, failed))];

    [Fact]
    public void A_window_rate_three_times_the_baseline_fires()
    {
        var points = Baseline();
        points.Add(Day(Today.AddDays(-1), 800, 200));
        var r = TlsRptJump.Evaluate("example.com", points, Now, new TlsRptJumpSettings());
        Assert.True(r.Evaluated);
        Assert.Equal((1000L, 200L, 14_000L, 140L), (r.WindowSessions, r.WindowFailures, r.BaselineSessions, r.BaselineFailures));
        var f = Assert.IsType<MailTls.Findings.Finding>(r.Finding);
        Assert.Equal(("watch.tlsrpt.failure-rate-jump", "example.com"), (f.Code, f.Subject));
        Assert.Contains("20 % failed sessions over 2026-03-19..2026-03-20 (200 of 1000), against 1 % over the 14 days before (140 of 14000)", f.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(960, 40, false)]   // 4 % vs 1 %: over three times fires
    [InlineData(975, 25, true)]    // 2.5 %: under the factor
    [InlineData(1000, 0, true)]
    public void The_factor_is_a_lower_bound(long ok, long failed, bool quiet)
    {
        var points = Baseline();
        points.Add(Day(Today, ok, failed));
        var r = TlsRptJump.Evaluate("example.com", points, Now, new TlsRptJumpSettings());
        Assert.True(r.Evaluated);
        Assert.Equal(quiet, r.Finding is null);
    }

    [Fact]
    public void A_clean_baseline_needs_the_minimum_rate()
    {
        var points = Baseline(1000, 0);
        points.Add(Day(Today, 995, 5)); // 0.5 %: infinitely more than 0, but under 1 %
        Assert.Null(TlsRptJump.Evaluate("example.com", points, Now, new TlsRptJumpSettings()).Finding);
        points.Add(Day(Today.AddDays(-1), 980, 20));
        Assert.NotNull(TlsRptJump.Evaluate("example.com", points, Now, new TlsRptJumpSettings()).Finding);
    }

    [Fact]
    public void Too_few_sessions_is_not_evaluated()
    {
        var points = Baseline();
        points.Add(Day(Today, 10, 30));
        var r = TlsRptJump.Evaluate("example.com", points, Now, new TlsRptJumpSettings());
        Assert.False(r.Evaluated);
        Assert.Null(r.Finding);
        Assert.False(TlsRptJump.Evaluate("example.com", [Day(Today, 100, 100)], Now, new TlsRptJumpSettings()).Evaluated);
    }

    [Fact]
    public void Days_outside_the_window_and_baseline_are_ignored()
    {
        List<DailyPoint> points = [Day(Today.AddDays(1), 0, 1000), Day(Today.AddDays(-16), 0, 1000), .. Baseline()];
        points.Add(Day(Today, 1000, 0));
        var r = TlsRptJump.Evaluate("example.com", points, Now, new TlsRptJumpSettings());
        Assert.Equal((1000L, 0L, 14_000L, 140L), (r.WindowSessions, r.WindowFailures, r.BaselineSessions, r.BaselineFailures));
    }

    [Fact]
    public async Task Reads_the_daily_totals_of_the_domain_from_the_store()
    {
        await using var store = await ReportDatabase.OpenAsync(Path.Combine(ReportTestData.TempDir(), "w.db"));
        await using var ingestor = new ReportIngestor(store);
        var n = 0;
        for (var i = 2; i <= 15; i++)
        {
            await ingestor.IngestAsync(ReportTestData.Gzip(WatchTestData.Report("example.com", Today.AddDays(-i), 99, 1, "b" + n++)), ReportSource.Api("t", null));
        }

        await ingestor.IngestAsync(ReportTestData.Gzip(WatchTestData.Report("other.example", Today, 0, 500, "o" + n++)), ReportSource.Api("t", null));
        var quiet = await TlsRptJump.EvaluateAsync(store, "example.com", Now, new TlsRptJumpSettings());
        Assert.Equal((0L, 14 * 100L, 14L), (quiet.WindowSessions, quiet.BaselineSessions, quiet.BaselineFailures));
        Assert.False(quiet.Evaluated);

        await ingestor.IngestAsync(ReportTestData.Gzip(WatchTestData.Report("example.com", Today.AddDays(-1), 60, 40, "w" + n++)), ReportSource.Api("t", null));
        var jump = await TlsRptJump.EvaluateAsync(store, "example.com", Now, new TlsRptJumpSettings());
        Assert.True(jump.Evaluated);
        Assert.Equal((100L, 40L), (jump.WindowSessions, jump.WindowFailures));
        Assert.NotNull(jump.Finding);
    }
}
