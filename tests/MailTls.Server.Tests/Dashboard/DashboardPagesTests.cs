using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MailTls.Reports;
using MailTls.Server.Dashboard;
using MailTls.Tests.Shared;

namespace MailTls.Server.Tests.Dashboard;

/// <summary>
/// Pages without a browser: they render on an empty and a seeded store, encode whatever senders put in reports,
/// refuse foreign Host headers when there is no login, and serve the vendored uPlot files unchanged.
/// </summary>
public sealed partial class DashboardPagesTests
{
    [Fact]
    public async Task Pages_render_on_an_empty_store()
    {
        await using var h = await DashboardHarness.StartAsync(seed: false);
        using var client = h.Client();
        foreach (var path in new[] { "/", "/reports", "/domains/example.com", "/api/domains", "/api/summary" })
        {
            using var r = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(r.StatusCode == HttpStatusCode.OK, $"{path}: {(int)r.StatusCode}");
        }

        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("No domains yet", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_fields_are_html_encoded_on_every_page()
    {
        await using var h = await DashboardHarness.StartAsync(seed: false);
        const string Evil = "<script>alert(1)</script>";
        var json = $$"""
            {"organization-name":"{{Evil}}","date-range":{"start-datetime":"{{h.Now.AddDays(-2):yyyy-MM-dd}}T00:00:00Z","end-datetime":"{{h.Now.AddDays(-2):yyyy-MM-dd}}T23:59:59Z"},
             "contact-info":"x@evil.example","report-id":"\"><img src=x onerror=alert(2)>",
             "policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: <b>mx</b>","max_age: 86400"],"policy-domain":"evil.example"},
               "summary":{"total-successful-session-count":1,"total-failure-session-count":1},
               "failure-details":[{"result-type":"<i>odd</i>","receiving-mx-hostname":"<svg onload=alert(3)>","failed-session-count":1,"additional-information":"<a href=javascript:alert(4)>x</a>"}]}]}
            """;
        await using (var ingestor = new ReportIngestor(h.Store))
        {
            Assert.Equal(IngestStatus.Imported, Assert.Single(await ingestor.IngestAsync(DashboardSeed.Gzip(json), ReportSource.Api("xss"))).Status);
        }

        using var client = h.Client();
        var id = (await h.Store.ListReportsAsync(new ReportListQuery())).Items.Single().StoreId;
        foreach (var path in new[] { "/", "/reports", "/domains/evil.example", $"/reports/{id}" })
        {
            var html = await client.GetStringAsync(new Uri(path, UriKind.Relative));
            Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<svg onload", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<a href=javascript", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<i>odd</i>", html, StringComparison.Ordinal);
            Assert.Empty(InlineScript().Matches(html)); // every script is a file of ours (CSP script-src 'self')
        }

        var report = await client.GetStringAsync(new Uri($"/reports/{id}", UriKind.Relative));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_login_only_loopback_host_names_are_answered()
    {
        await using var h = await DashboardHarness.StartAsync(seed: false);
        using var client = h.Client();
        foreach (var (host, status) in new[] { ("127.0.0.1", 200), ("localhost", 200), ("[::1]", 200), ("attacker.example", 421), ("192.0.2.1", 421) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/summary", UriKind.Relative));
            request.Headers.Host = host + ":" + h.BaseUri.Port;
            using var r = await client.SendAsync(request);
            Assert.True(status == (int)r.StatusCode, $"Host {host}: {(int)r.StatusCode}");
        }
    }

    [Fact]
    public async Task Assets_are_served_from_the_build_and_revalidated_by_etag()
    {
        await using var h = await DashboardHarness.StartAsync(seed: false);
        using var client = h.Client();
        Assert.Equal(["dashboard.css", "dashboard.js", "uPlot.iife.min.js", "uPlot.min.css"], DashboardAssets.Names.Order(StringComparer.Ordinal));
        using var js = await client.GetAsync(new Uri("/assets/uPlot.iife.min.js", UriKind.Relative));
        Assert.Equal("text/javascript; charset=utf-8", js.Content.Headers.ContentType?.ToString());
        var body = await js.Content.ReadAsByteArrayAsync();
        Assert.StartsWith("/*! https://github.com/leeoniya/uPlot (v1.6.32) */", System.Text.Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri("/assets/uPlot.iife.min.js", UriKind.Relative));
        again.Headers.TryAddWithoutValidation("If-None-Match", js.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("/assets/nothing.js", UriKind.Relative))).StatusCode);
    }

    /// <summary>The vendored npm files are exactly the ones the README records (version, integrity, sha256 per file).</summary>
    [Fact]
    public void Vendored_uplot_matches_its_readme()
    {
        var dir = Path.Combine(Path.GetDirectoryName(DashboardHarness.SamplesDirectory())!, "..", "..", "..", "src", "MailTls.Server", "Dashboard", "Assets", "vendor", "uplot");
        var readme = File.ReadAllText(Path.Combine(dir, "README.md"));
        Assert.Contains("`uplot@1.6.32`", readme, StringComparison.Ordinal);
        foreach (var file in new[] { "uPlot.iife.min.js", "uPlot.min.css", "LICENSE" })
        {
            var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, file))));
            Assert.Matches($"`{Regex.Escape(file)}`.*sha256 `{sha}`", readme);
        }

        Assert.Contains("MIT License", File.ReadAllText(Path.Combine(dir, "LICENSE")), StringComparison.Ordinal);
    }

    [GeneratedRegex("<script(?![^>]*\\bsrc=\"/assets/)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}
