using System.Text.RegularExpressions;
using MailTls.Reports;
using MailTls.Tests.Shared;
using Microsoft.Playwright;

namespace MailTls.Browser.Tests;

/// <summary>
/// The dashboard in a real browser (Debian's Chromium through Playwright) against a store of known reports: the
/// numbers each page shows equal the store's summary for the same filters, filters and links work by clicking,
/// login and logout work, every page passes axe (no serious or critical violation), no CSP violation is reported,
/// the pages fit a 360 px phone and read without JavaScript. Screenshots go to bin/…/artifacts/screenshots.
/// </summary>
[Collection("browser")]
[Trait("Category", "Browser")]
public sealed class DashboardBrowserTests(BrowserFixture f)
{
    private DashboardHarness H => f.Open;

    private static async Task<(long Reports, long Ok, long Failed)> MetricsAsync(IPage page, string scope)
    {
        async Task<long> M(string name) => BrowserFixture.Number(await page.Locator($"[data-scope={scope}] [data-metric={name}]").TextContentAsync());
        return (await M("reports"), await M("successful_sessions"), await M("failed_sessions"));
    }

    [Fact]
    public async Task Overview_shows_the_numbers_of_the_summary_for_every_domain()
    {
        var (context, page, console) = await f.NewPageAsync(H);
        await using var _ = context;
        var response = await page.GotoAsync("/");
        Assert.Equal(200, response!.Status);
        await Assertions.Expect(page).ToHaveTitleAsync("Overview · mailtls");

        var since = H.Now.AddDays(-30);
        var totals = await H.Store.SummaryAsync(new SummaryQuery(Since: since));
        Assert.Equal((totals.Reports, totals.SuccessfulSessions, totals.FailedSessions), await MetricsAsync(page, "totals"));

        var rows = page.Locator("#domains tbody tr");
        var domains = await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.domain)");
        Assert.Superset(DashboardSeed.Domains.ToHashSet(), domains.ToHashSet());
        foreach (var domain in domains)
        {
            var s = await H.Store.SummaryAsync(new SummaryQuery(domain, since));
            var row = page.Locator($"#domains tr[data-domain='{domain}']");
            async Task<long> Cell(string col) => BrowserFixture.Number(await row.Locator($"[data-col={col}]").TextContentAsync());
            Assert.Equal((s.Reports, s.SuccessfulSessions, s.FailedSessions), (await Cell("reports"), await Cell("successful_sessions"), await Cell("failed_sessions")));
        }

        // Mode and audit verdict from the stored audits; the alert of the failing domain is listed.
        var failing = page.Locator($"#domains tr[data-domain='{DashboardSeed.Failing}']");
        await Assertions.Expect(failing).ToContainTextAsync("testing");
        await Assertions.Expect(failing).ToContainTextAsync("1 error");
        await Assertions.Expect(page.Locator($"#domains tr[data-domain='{DashboardSeed.Healthy}']")).ToContainTextAsync("enforce");
        await Assertions.Expect(page.Locator(".alerts")).ToContainTextAsync("smtp.cert.name-mismatch");

        // Small multiples: one chart per domain with traffic, drawn by uPlot from the daily table beside it.
        await Assertions.Expect(page.Locator(".multiple .uplot canvas")).ToHaveCountAsync(DashboardSeed.Domains.Length);
        foreach (var domain in DashboardSeed.Domains)
        {
            var daily = await H.Store.DailyAsync(new SummaryQuery(domain, since));
            var table = page.Locator($".multiple[data-domain='{domain}'] table tbody tr");
            await Assertions.Expect(table).ToHaveCountAsync(daily.Count);
        }

        await BrowserFixture.ScreenshotAsync(page, "overview", "dashboard-overview.png");
        await BrowserFixture.AssertAccessibleAsync(page);
        Assert.Empty(console);
    }

    [Fact]
    public async Task Domain_page_with_failures_shows_the_summary_breakdowns_chart_and_readiness()
    {
        var (context, page, console) = await f.NewPageAsync(H);
        await using var _ = context;
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = DashboardSeed.Failing, Exact = true }).First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/domains/example\\.net$"));

        var since = H.Now.AddDays(-30);
        var s = await H.Store.SummaryAsync(new SummaryQuery(DashboardSeed.Failing, since));
        Assert.Equal((s.Reports, s.SuccessfulSessions, s.FailedSessions), await MetricsAsync(page, "domain"));
        Assert.True(s.FailedSessions > 0);

        var daily = await H.Store.DailyAsync(new SummaryQuery(DashboardSeed.Failing, since));
        var cells = await page.Locator("#daily-table tbody tr").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.day + ' ' + r.dataset.ok + ' ' + r.dataset.failed)");
        Assert.Equal(daily.Select(p => $"{p.Date:yyyy-MM-dd} {p.SuccessfulSessions} {p.FailedSessions}"), cells);
        await Assertions.Expect(page.Locator(".chart-main .uplot canvas")).ToHaveCountAsync(1);

        var byType = await H.Store.SummaryAsync(new SummaryQuery(DashboardSeed.Failing, since, By: SummaryGrouping.ResultType));
        var shown = await page.Locator("#by-result-type tbody tr").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.key + ' ' + r.dataset.failed)");
        Assert.Equal(byType.Rows.Select(r => $"{r.Key} {r.FailedSessions}"), shown);
        var byMx = await H.Store.SummaryAsync(new SummaryQuery(DashboardSeed.Failing, since, By: SummaryGrouping.Mx));
        Assert.Equal(byMx.Rows.Sum(r => r.FailedSessions), (await page.Locator("#by-mx tbody tr").EvaluateAllAsync<long[]>("rs => rs.map(r => Number(r.dataset.failed))")).Sum());
        var bySender = await H.Store.SummaryAsync(new SummaryQuery(DashboardSeed.Failing, since, By: SummaryGrouping.Sender));
        Assert.Equal(bySender.Rows.Count, await page.Locator("#by-sender tbody tr").CountAsync());

        await Assertions.Expect(page.Locator(".readiness .verdict")).ToHaveAttributeAsync("data-ready", "false");
        await Assertions.Expect(page.Locator(".readiness")).ToContainTextAsync("reports.readiness.failures");
        await Assertions.Expect(page.Locator("#reported-policies")).ToContainTextAsync("differs");
        await Assertions.Expect(page.Locator("#audit-h + p")).ToContainTextAsync("1 error");

        await BrowserFixture.ScreenshotAsync(page, "domain-example.net", "dashboard-domain.png");
        await BrowserFixture.AssertAccessibleAsync(page);

        // A result type links to the matching reports.
        await page.Locator("#by-result-type a", new() { HasText = "certificate-host-mismatch" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("result_type=certificate-host-mismatch"));
        var expected = await H.Store.ListReportsAsync(new ReportListQuery(DashboardSeed.Failing, Since: since, ResultType: "certificate-host-mismatch"));
        Assert.Equal(expected.Total, BrowserFixture.Number(await page.Locator("[data-metric=total]").TextContentAsync()));
        Assert.Empty(console);
    }

    [Fact]
    public async Task Report_filters_paging_and_a_report_page_work_by_clicking()
    {
        var (context, page, console) = await f.NewPageAsync(H);
        await using var _ = context;
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Reports", Exact = true }).ClickAsync();
        var all = await H.Store.ListReportsAsync(new ReportListQuery());
        Assert.Equal(all.Total, BrowserFixture.Number(await page.Locator("[data-metric=total]").TextContentAsync()));
        await BrowserFixture.AssertAccessibleAsync(page);

        await page.GetByLabel("Domain").SelectOptionAsync(DashboardSeed.Failing);
        await page.GetByLabel("Sender").SelectOptionAsync("google.com");
        await page.GetByLabel("Since").FillAsync("30d");
        await page.GetByLabel("Result type").SelectOptionAsync("certificate-host-mismatch");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("domain=example\\.net.*sender=google\\.com.*since=30d.*result_type=certificate-host-mismatch"));
        var filtered = await H.Store.ListReportsAsync(new ReportListQuery(DashboardSeed.Failing, "google.com", H.Now.AddDays(-30), "certificate-host-mismatch"));
        Assert.Equal(6, filtered.Total); // one Google report a day since the certificate went wrong
        Assert.Equal(filtered.Total, BrowserFixture.Number(await page.Locator("[data-metric=total]").TextContentAsync()));
        Assert.Equal(filtered.Items.Select(i => i.StoreId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            await page.Locator("#reports tbody tr").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.id)"));
        await BrowserFixture.ScreenshotAsync(page, "reports-filtered");

        // Open the newest report: normalised data, failure details, raw JSON.
        var first = filtered.Items[0];
        await page.Locator("#reports tbody tr").First.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/reports/{first.StoreId}$"));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(first.ReportId);
        await Assertions.Expect(page.Locator("[data-scope=report] [data-metric=failed_sessions]")).ToHaveAttributeAsync("data-value", (await H.Store.GetReportAsync(first.StoreId))!.Policies.Sum(p => p.FailedSessions).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator(".raw code")).ToContainTextAsync("\"report-id\": \"" + first.ReportId + "\"");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("backup.example.net");
        await BrowserFixture.ScreenshotAsync(page, "report");
        await BrowserFixture.AssertAccessibleAsync(page);

        // Paging: 25 per page over every report, Next and Previous keep the filters.
        await page.GotoAsync("/reports?per_page=25&since=30d");
        var window = await H.Store.ListReportsAsync(new ReportListQuery(Since: H.Now.AddDays(-30), Limit: 25));
        Assert.True(window.Total > 25);
        await page.GetByRole(AriaRole.Link, new() { Name = "Next →" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("since=30d.*per_page=25.*page=2"));
        var second = await H.Store.ListReportsAsync(new ReportListQuery(Since: H.Now.AddDays(-30), Offset: 25, Limit: 25));
        Assert.Equal(second.Items.Select(i => i.StoreId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            await page.Locator("#reports tbody tr").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.id)"));
        Assert.Empty(console);
    }

    [Fact]
    public async Task The_window_selector_changes_every_number_to_the_new_window()
    {
        var (context, page, _) = await f.NewPageAsync(H);
        await using var c = context;
        await page.GotoAsync("/");
        await page.GetByLabel("Window").SelectOptionAsync("7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("\\?days=7$"));
        var s = await H.Store.SummaryAsync(new SummaryQuery(Since: H.Now.AddDays(-7)));
        Assert.Equal((s.Reports, s.SuccessfulSessions, s.FailedSessions), await MetricsAsync(page, "totals"));
    }

    [Fact]
    public async Task Keyboard_users_skip_to_the_content()
    {
        var (context, page, _) = await f.NewPageAsync(H);
        await using var c = context;
        await page.GotoAsync("/domains/example.net");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.Locator(".skip")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        Assert.EndsWith("#main", page.Url, StringComparison.Ordinal);
        await page.Keyboard.PressAsync("Tab");
        var focused = await page.EvaluateAsync<string>("() => document.activeElement.closest('main') ? 'main' : document.activeElement.tagName");
        Assert.Equal("main", focused);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/domains/example.net")]
    [InlineData("/reports")]
    public async Task Pages_fit_a_360_px_phone(string path)
    {
        var (context, page, console) = await f.NewPageAsync(H, width: 360, height: 740);
        await using var c = context;
        await page.GotoAsync(path);
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        var wide = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 360 && !e.closest('.table-wrap, .raw'))
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
            """);
        Assert.True(width <= 360, $"{path}: the page is {width} px wide on a 360 px screen (wide tables must scroll inside their box): {string.Join(", ", wide)}");
        await BrowserFixture.ScreenshotAsync(page, "phone" + (path == "/" ? "-overview" : path.Replace('/', '-')));
        await BrowserFixture.AssertAccessibleAsync(page);
        Assert.Empty(console);
    }

    [Fact]
    public async Task Without_javascript_the_tables_carry_every_number()
    {
        var (context, page, _) = await f.NewPageAsync(H, javaScript: false);
        await using var c = context;
        await page.GotoAsync($"/domains/{DashboardSeed.Failing}");
        var since = H.Now.AddDays(-30);
        var s = await H.Store.SummaryAsync(new SummaryQuery(DashboardSeed.Failing, since));
        Assert.Equal((s.Reports, s.SuccessfulSessions, s.FailedSessions), await MetricsAsync(page, "domain"));
        Assert.Equal(0, await page.Locator("canvas").CountAsync());
        var daily = await H.Store.DailyAsync(new SummaryQuery(DashboardSeed.Failing, since));
        var failedShown = await page.Locator("#daily-table tbody tr td:nth-child(3)").AllTextContentsAsync();
        Assert.Equal(daily.Select(p => p.FailedSessions), failedShown.Select(BrowserFixture.Number));
        await BrowserFixture.ScreenshotAsync(page, "domain-no-javascript");
    }

    [Fact]
    public async Task Login_and_logout_on_a_dashboard_bound_beyond_loopback()
    {
        var locked = f.Locked;
        var (context, page, console) = await f.NewPageAsync(locked);
        await using var c = context;
        var first = await page.GotoAsync($"/domains/{DashboardSeed.Failing}");
        Assert.Equal(401, first!.Status);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Log in");
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "login");

        await page.GetByLabel("Password or access token").FillAsync("wrong password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("not right");

        await page.GetByLabel("Password or access token").FillAsync(DashboardHarness.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/domains/example\\.net$"));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(DashboardSeed.Failing);
        var cookie = (await context.CookiesAsync()).Single(x => x.Name == MailTls.Server.Dashboard.DashboardAuth.SessionCookie);
        Assert.True(cookie.HttpOnly);
        Assert.True(cookie.Secure);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal(1, await page.EvaluateAsync<int>("() => document.cookie.includes('mailtls_session') ? 0 : 1")); // HttpOnly: not readable by scripts
        var s = await locked.Store.SummaryAsync(new SummaryQuery(DashboardSeed.Failing, locked.Now.AddDays(-30)));
        Assert.Equal((s.Reports, s.SuccessfulSessions, s.FailedSessions), await MetricsAsync(page, "domain"));

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Overview" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Overview");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/login$"));
        var again = await page.GotoAsync("/");
        Assert.Equal(401, again!.Status);
        Assert.DoesNotContain(await context.CookiesAsync(), x => x.Name == MailTls.Server.Dashboard.DashboardAuth.SessionCookie);
        Assert.True(console.All(m => m.Contains("401", StringComparison.Ordinal)), string.Join("\n", console)); // the browser logs the 401 answers, nothing else
    }
}
