using System.Text.Json.Nodes;
using MailTls.Findings;
using MailTls.Reports;
using MailTls.Tests.Shared;
using MailTls.Watch;

namespace MailTls.Server.Tests.Dashboard;

/// <summary>
/// The JSON API through a real Kestrel on loopback, against a seeded store: every number equals what the library
/// queries of <c>reports summary</c> (<see cref="IReportStore.SummaryAsync"/>, <see cref="IReportStore.DailyAsync"/>)
/// give for the same filters, in the same JSON shape (<see cref="ReportJson"/>).
/// </summary>
public sealed class DashboardApiTests : IAsyncLifetime
{
    private DashboardHarness h = null!;

    public async Task InitializeAsync() => h = await DashboardHarness.StartAsync();

    public async Task DisposeAsync() => await h.DisposeAsync();

    private async Task<JsonNode> GetAsync(string path)
    {
        using var client = h.Client();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return JsonNode.Parse(body)!;
    }

    public static TheoryData<string, string?, string?, string?, string?> SummaryFilters => new()
    {
        { "no filter", null, null, null, null },
        { "since 30d", null, "30d", null, null },
        { "domain", DashboardSeed.Failing, null, null, null },
        { "domain since", DashboardSeed.Failing, "30d", null, null },
        { "date since", null, "2024-01-01", null, null },
        { "by result type", null, null, null, "result-type" },
        { "by result type since", null, "7d", null, "result-type" },
        { "domain by mx", DashboardSeed.Failing, "30d", null, "mx" },
        { "domain by ip", DashboardSeed.Failing, "30d", null, "ip" },
        { "by sender", null, "30d", null, "sender" },
        { "by day", DashboardSeed.Healthy, "14d", null, "day" },
        { "by policy", null, null, null, "policy" },
        { "tlsa", null, "30d", "tlsa", "result-type" },
        { "sts domain", DashboardSeed.Healthy, "30d", "sts", "sender" },
        { "unknown domain", "nothing.example", null, null, null },
    };

    [Theory]
    [MemberData(nameof(SummaryFilters))]
    public async Task Summary_is_reports_summary_json_for_the_same_filters(string name, string? domain, string? since, string? policyType, string? by)
    {
        _ = name;
        var q = new List<string>();
        if (domain is not null)
        {
            q.Add("domain=" + domain);
        }

        if (since is not null)
        {
            q.Add("since=" + since);
        }

        if (policyType is not null)
        {
            q.Add("policy_type=" + policyType);
        }

        if (by is not null)
        {
            q.Add("by=" + by);
        }

        var api = await GetAsync("/api/summary" + (q.Count == 0 ? "" : "?" + string.Join("&", q)));
        Assert.True(ReportJson.TryParseGrouping(by, out var grouping));
        DateTimeOffset? sinceTime = since is null ? null : ReportJson.TryParseSince(since, h.Now, out var s) ? s : throw new InvalidOperationException();
        var expected = ReportJson.Summary(grouping, await h.Store.SummaryAsync(new SummaryQuery(domain, sinceTime, policyType, grouping)));
        Assert.True(JsonNode.DeepEquals(expected, api), $"expected {expected.ToJsonString()}\n     got {api.ToJsonString()}");
    }

    [Fact]
    public async Task The_seed_has_failures_and_the_summary_sees_them()
    {
        var all = await h.Store.SummaryAsync(new SummaryQuery(DashboardSeed.Failing, h.Now.AddDays(-30)));
        Assert.True(all.FailedSessions > 500, $"{all.FailedSessions} failed sessions");
        Assert.True(all.SuccessfulSessions > 10_000, $"{all.SuccessfulSessions} successful sessions");
        Assert.True(h.Generated > 100);
    }

    [Fact]
    public async Task Domains_give_every_domain_with_the_numbers_of_the_summary_of_the_last_30_days()
    {
        var api = await GetAsync("/api/domains");
        var since = h.Now.AddDays(-30);
        var totals = await h.Store.SummaryAsync(new SummaryQuery(Since: since));
        Assert.True(JsonNode.DeepEquals(ReportJson.Summary(SummaryGrouping.None, totals), api["totals"]));
        var domains = api["domains"]!.AsArray();
        var names = domains.Select(d => (string)d!["domain"]!).ToList();
        foreach (var d in DashboardSeed.Domains)
        {
            Assert.Contains(d, names);
        }

        Assert.Contains("company-y.example", names); // from the samples (old reports: zero in the window)
        foreach (var d in domains)
        {
            var name = (string)d!["domain"]!;
            var s = await h.Store.SummaryAsync(new SummaryQuery(name, since));
            Assert.Equal((s.Reports, s.SuccessfulSessions, s.FailedSessions), ((long)d["reports"]!, (long)d["successful_sessions"]!, (long)d["failed_sessions"]!));
            var daily = await h.Store.DailyAsync(new SummaryQuery(name, since));
            Assert.Equal(daily.Sum(p => p.FailedSessions), d["daily"]!.AsArray().Sum(p => (long)p!["failed_sessions"]!));
            Assert.Equal(daily.Count, d["daily"]!.AsArray().Count);
        }

        var failing = domains.Single(d => (string)d!["domain"]! == DashboardSeed.Failing)!;
        Assert.Equal("testing", (string)failing["published"]!["mode"]!);
        Assert.Equal("audit", (string)failing["published"]!["source"]!);
        Assert.Equal(1, (int)failing["last_audit"]!["errors"]!);
        Assert.Equal("smtp.cert.name-mismatch", (string)Assert.Single(failing["alerts"]!.AsArray())!["code"]!);
        var alert = Assert.Single(api["alerts"]!.AsArray())!;
        Assert.Equal((DashboardSeed.Failing, "smtp.cert.name-mismatch"), ((string)alert["domain"]!, (string)alert["code"]!));
        var healthy = domains.Single(d => (string)d!["domain"]! == DashboardSeed.Healthy)!;
        Assert.Equal("enforce", (string)healthy["published"]!["mode"]!);
        Assert.Empty(healthy["alerts"]!.AsArray());
    }

    [Fact]
    public async Task Open_watch_alerts_replace_a_domains_audit_findings_on_the_overview()
    {
        var opened = h.Now.AddHours(-5);
        var alert = new WatchAlert
        {
            Domain = DashboardSeed.Healthy,
            Kind = "mx-cert-expiring",
            Subject = "mx1." + DashboardSeed.Healthy,
            Severity = Severity.Warning,
            Codes = ["smtp.cert.expiring"],
            Message = "the certificate of mx1 expires in 9 days",
            OpenedAt = opened,
            LastSeenAt = opened,
        };
        await h.Store.ReconcileAsync(DashboardSeed.Healthy, (_, _) => new WatchDecision(new AlertChanges([alert], [], [], []), null), []);

        var api = await GetAsync("/api/domains?days=30");
        var alerts = api["alerts"]!.AsArray().Select(a => a!).ToList();
        var watch = Assert.Single(alerts, a => (string)a["source"]! == "watch");
        Assert.Equal((DashboardSeed.Healthy, "mx-cert-expiring", "warning", alert.Subject, alert.Message, ReportJson.Time(opened)),
            ((string)watch["domain"]!, (string)watch["code"]!, (string)watch["severity"]!, (string)watch["subject"]!, (string)watch["message"]!, (string)watch["opened_at"]!));
        var audit = Assert.Single(alerts, a => (string)a["source"]! == "audit");
        Assert.Equal((DashboardSeed.Failing, "smtp.cert.name-mismatch", "error"), ((string)audit["domain"]!, (string)audit["code"]!, (string)audit["severity"]!));

        using var client = h.Client();
        var page = await client.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("<code>mx-cert-expiring</code>", page, StringComparison.Ordinal);
        Assert.Contains("open since " + opened.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture), page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_domain_gives_its_breakdowns_readiness_and_audit_from_the_same_queries()
    {
        var api = await GetAsync($"/api/domains/{DashboardSeed.Failing}?days=14");
        var since = h.Now.AddDays(-14);
        SummaryQuery Q(SummaryGrouping by) => new(DashboardSeed.Failing, since, By: by);
        Assert.True(JsonNode.DeepEquals(ReportJson.Summary(SummaryGrouping.None, await h.Store.SummaryAsync(Q(SummaryGrouping.None))), api["summary"]));
        foreach (var (key, by) in new[] { ("by_result_type", SummaryGrouping.ResultType), ("by_sender", SummaryGrouping.Sender), ("by_mx", SummaryGrouping.Mx), ("by_ip", SummaryGrouping.Ip) })
        {
            var expected = ReportJson.Summary(by, await h.Store.SummaryAsync(Q(by)))["rows"];
            Assert.True(JsonNode.DeepEquals(expected, api[key]), $"{key}: expected {expected!.ToJsonString()} got {api[key]!.ToJsonString()}");
        }

        Assert.Equal("certificate-host-mismatch", (string)api["by_result_type"]![0]!["result_type"]!);
        Assert.Equal("backup.example.net", (string)api["by_mx"]![0]!["mx"]!);

        // Readiness: ReadinessAnalyzer over the default window, compared with the audit's published policy.
        var published = MailTls.MtaSts.StsPolicyParser.Parse("version: STSv1\nmode: testing\nmx: mail.example.net\nmx: backup.example.net\nmax_age: 604800\n").Policy;
        var data = await h.Store.ReadinessDataAsync(DashboardSeed.Failing, h.Now.AddDays(-Limits.ReadinessDefaultDays));
        var readiness = ReadinessAnalyzer.Analyze(DashboardSeed.Failing, data, Limits.ReadinessDefaultDays, h.Now, published);
        Assert.False(readiness.Ready);
        Assert.False((bool)api["readiness"]!["ready"]!);
        Assert.Equal(readiness.Reasons.Select(r => r.Code + " " + r.Message), api["readiness"]!["reasons"]!.AsArray().Select(r => (string)r!["code"]! + " " + (string)r["message"]!));
        Assert.Contains(api["reported_policies"]!.AsArray(), p => (long)p!["max_age"]! == 86400 && (bool)p["matches_published"]! == false);
        Assert.Contains(api["reported_policies"]!.AsArray(), p => (long)p!["max_age"]! == 604800 && (bool)p["matches_published"]!);
        Assert.Equal(2, api["audit"]!["findings"]!.AsArray().Count);
    }

    [Fact]
    public async Task Report_list_pages_add_up_to_the_summary_of_the_same_domain_and_window()
    {
        var since = h.Now.AddDays(-30);
        var expected = await h.Store.SummaryAsync(new SummaryQuery(DashboardSeed.Healthy, since));
        long reports = 0, ok = 0, failed = 0;
        var ids = new HashSet<long>();
        for (var page = 1; ; page++)
        {
            var api = await GetAsync($"/api/reports?domain={DashboardSeed.Healthy}&since=30d&per_page=7&page={page}");
            Assert.Equal(expected.Reports, (long)api["total"]!);
            var items = api["reports"]!.AsArray();
            if (items.Count == 0)
            {
                break;
            }

            foreach (var r in items)
            {
                Assert.True(ids.Add((long)r!["id"]!), "a report on two pages");
                reports++;
                ok += (long)r["successful_sessions"]!;
                failed += (long)r["failed_sessions"]!;
            }
        }

        Assert.Equal((expected.Reports, expected.SuccessfulSessions, expected.FailedSessions), (reports, ok, failed));
    }

    [Fact]
    public async Task Report_list_filters_by_sender_and_result_type()
    {
        var api = await GetAsync("/api/reports?result_type=certificate-host-mismatch&sender=microsoft.com&per_page=500");
        var items = api["reports"]!.AsArray();
        Assert.Equal(6, items.Count); // Microsoft reports the mismatch on each of the last six days
        Assert.All(items, r =>
        {
            Assert.Equal("microsoft.com", (string)r!["sender"]!);
            Assert.Contains("certificate-host-mismatch", r["result_types"]!.AsArray().Select(t => (string)t!));
        });
        var none = await GetAsync("/api/reports?result_type=certificate-expired&domain=example.com&since=30d");
        Assert.Equal(0, (long)none["total"]!);
    }

    [Fact]
    public async Task A_report_is_reports_show_json_plus_its_raw_json()
    {
        var list = await GetAsync("/api/reports?sender=google.com&result_type=certificate-host-mismatch&per_page=1");
        var id = (long)list["reports"]![0]!["id"]!;
        var api = await GetAsync($"/api/reports/{id}");
        var stored = await h.Store.GetReportAsync(id);
        var expected = ReportJson.Report(stored!);
        expected["id"] = id;
        var raw = api.AsObject()["raw"]!.DeepClone();
        api.AsObject().Remove("raw");
        Assert.True(JsonNode.DeepEquals(expected, api), $"expected {expected.ToJsonString()}\n     got {api.ToJsonString()}");
        Assert.Equal(stored!.ReportId, (string)raw["report-id"]!);
        Assert.Equal(stored.Policies.Sum(p => p.FailedSessions), raw["policies"]!.AsArray().Sum(p => (long)p!["summary"]!["total-failure-session-count"]!));
    }

    [Theory]
    [InlineData("/api/summary?by=week", 400)]
    [InlineData("/api/summary?since=yesterday", 400)]
    [InlineData("/api/summary?policy_type=smtp", 400)]
    [InlineData("/api/summary?domain=not_a_domain", 400)]
    [InlineData("/api/domains?days=0", 400)]
    [InlineData("/api/reports?per_page=100000", 400)]
    [InlineData("/api/reports?page=0", 400)]
    [InlineData("/api/reports/999999", 404)]
    [InlineData("/api/domains/not_a_domain", 404)]
    [InlineData("/api/nothing", 404)]
    public async Task Bad_requests_are_named_not_guessed(string path, int status)
    {
        using var client = h.Client();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(status, (int)response.StatusCode);
    }
}
