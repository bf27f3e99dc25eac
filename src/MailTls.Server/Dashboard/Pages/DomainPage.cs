using System.Globalization;
using MailTls.Findings;
using MailTls.Reports;

namespace MailTls.Server.Dashboard.Pages;

/// <summary>One domain: traffic over time, failures by type / sender / MX / IP, policies, readiness and the latest audit.</summary>
public static class DomainPage
{
    public static string Render(PageContext context, DomainDetail d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var h = new HtmlWriter();
        var days = d.Days.ToString(CultureInfo.InvariantCulture);
        var rate = DashboardData.Rate(d.Summary.SuccessfulSessions, d.Summary.FailedSessions);
        h.Add($"""
            <nav class="crumbs" aria-label="Breadcrumb"><a href="/">Overview</a> <span aria-hidden="true">›</span> <span aria-current="page">{d.Domain}</span></nav>
            <div class="page-head">
            <div>
            <h1>{d.Domain}</h1>
            <p class="lede">Published MTA-STS mode {Layout.ModeBadge(d.Published)}{(d.Served ? Layout.Badge("served here", "info") : SafeHtml.Empty)}{PublishedSource(d.Published)}</p>
            <p class="lede">Last {d.Days} days (since {Layout.Day(d.Since)}), as <code>mailtls reports summary --domain {d.Domain} --since {d.Days}d</code></p>
            </div>
            {Layout.WindowForm("/domains/" + d.Domain, d.Days)}
            </div>
            <div class="metrics" data-scope="domain">
            {Layout.Metric("reports", "Reports", d.Summary.Reports)}
            {Layout.Metric("successful_sessions", "Successful sessions", d.Summary.SuccessfulSessions, "ok")}
            {Layout.Metric("failed_sessions", "Failed sessions", d.Summary.FailedSessions, d.Summary.FailedSessions > 0 ? "fail" : null)}
            {Layout.RateMetric("failure_rate", "Failure rate", rate)}
            </div>
            """);

        h.Raw(Readiness(d));
        h.Add($"""
            <section class="panel" aria-labelledby="daily-h">
            <h2 id="daily-h">Sessions per day</h2>
            <p class="quiet legend-line"><span class="key key-ok" aria-hidden="true"></span> successful <span class="key key-fail" aria-hidden="true"></span> failed (stacked) · UTC days of each report's start</p>
            <div class="chart chart-main" data-chart="daily" data-table="daily-table" data-from="{Layout.DayStart(d.Since)}" data-to="{Layout.DayStart(d.Now) + 86400}" data-label="Chart of successful and failed sessions per day; the table below has the same numbers"></div>
            {(d.Daily.Count == 0 ? HtmlWriter.Of($"<p class=\"quiet\">No reports in this window.</p>") : HtmlWriter.Of($"<details class=\"numbers\" open data-close-with-chart><summary>Daily numbers</summary>{OverviewPage.DailyTable("daily-table", "Sessions per day for " + d.Domain, d.Daily)}</details>"))}
            </section>
            <div class="grid-2">
            """);
        h.Raw(ByResultType(d));
        h.Raw(BySender(d));
        h.Raw(ByPlace(d, "mx", "Failures by receiving MX host", d.ByMx));
        h.Raw(ByPlace(d, "ip", "Failures by receiving IP address", d.ByIp));
        h.Add($"""</div>""");
        h.Raw(Policies(d));
        h.Raw(Audit(d));
        h.Add($"""<p><a class="button-link" href="/reports{Layout.Query(("domain", d.Domain), ("since", days + "d"))}">Reports about {d.Domain} →</a></p>""");
        return Layout.Page(context, d.Domain, h.ToHtml());
    }

    private static SafeHtml PublishedSource(PublishedPolicy? p) => p switch
    {
        { Source: "audit", At: { } at } => HtmlWriter.Of($" from the audit of {Layout.Time(at)}"),
        { Source: "served" } => HtmlWriter.Of($" from the policy this server serves (no audit stored)"),
        _ => SafeHtml.Empty,
    };

    private static SafeHtml Readiness(DomainDetail d)
    {
        var r = d.Readiness;
        var h = new HtmlWriter();
        h.Add($"""
            <section class="panel readiness {(r.Ready ? "ready" : "not-ready")}" aria-labelledby="ready-h">
            <h2 id="ready-h">Ready for enforce? <span class="verdict" data-ready="{(r.Ready ? "true" : "false")}">{(r.Ready ? "Yes: ready for enforce" : "No: not ready for enforce")}</span></h2>
            <p class="quiet">The evidence of the last {d.ReadinessDays} days, compared with the {(d.Published?.Policy is null ? "newest policy senders reported (no published policy known)" : "published policy")}: the same verdict as <code>mailtls reports readiness {d.Domain} --days {d.ReadinessDays}</code>.</p>
            <ul class="findings">
            """);
        foreach (var f in r.Reasons.OrderByDescending(f => f.Severity))
        {
            h.Add($"""<li class="finding finding-{Layout.SeverityName(f.Severity)}">{Layout.SeverityBadge(f.Severity)} <code>{f.Code}</code><p>{f.Message}</p>{(f.Severity == Severity.Info ? SafeHtml.Empty : HtmlWriter.Of($"<p class=\"fix\"><strong>Fix:</strong> {f.Fix}</p>"))}</li>""");
        }

        h.Add($"""</ul></section>""");
        return h.ToHtml();
    }

    private static SafeHtml ByResultType(DomainDetail d)
    {
        var h = new HtmlWriter();
        h.Add($"""<section class="panel" aria-labelledby="types-h"><h2 id="types-h">Failures by result type</h2>""");
        if (d.ByResultType.Rows.Count == 0)
        {
            h.Add($"""<p class="quiet">No failure details in this window.</p></section>""");
            return h.ToHtml();
        }

        var max = d.ByResultType.Rows.Max(r => r.FailedSessions);
        var t = new HtmlWriter();
        t.Add($"""<table class="data" id="by-result-type"><caption class="sr-only">Failed sessions by result type</caption><thead><tr><th scope="col">Result type and likely fix</th><th scope="col" class="num">Reports</th><th scope="col" class="num">Failed sessions</th></tr></thead><tbody>""");
        foreach (var row in d.ByResultType.Rows.Take(Limits.DashboardTableRows))
        {
            t.Add($"""<tr data-key="{row.Key}" data-failed="{row.FailedSessions}"><th scope="row"><a href="/reports{Layout.Query(("domain", d.Domain), ("result_type", row.Key), ("since", d.Days.ToString(CultureInfo.InvariantCulture) + "d"))}">{row.Key}</a><span class="sub fixcell">{ReadinessAnalyzer.FixFor(row.Key)}</span></th><td class="num">{Layout.Num(row.Reports)}</td><td class="num fail">{Layout.Bar(row.FailedSessions, max, "fail")} {Layout.Num(row.FailedSessions)}</td></tr>""");
        }

        t.Add($"""</tbody></table>""");
        h.Raw(Layout.TableWrap("Failures by result type", t.ToHtml()));
        h.Raw(More(d.ByResultType.Rows.Count, d, "result-type"));
        h.Add($"""</section>""");
        return h.ToHtml();
    }

    private static SafeHtml BySender(DomainDetail d)
    {
        var h = new HtmlWriter();
        h.Add($"""<section class="panel" aria-labelledby="senders-h"><h2 id="senders-h">By sending organisation</h2>""");
        if (d.BySender.Rows.Count == 0)
        {
            h.Add($"""<p class="quiet">No reports in this window.</p></section>""");
            return h.ToHtml();
        }

        var rows = d.BySender.Rows.OrderByDescending(r => r.FailedSessions).ThenBy(r => r.Key, StringComparer.Ordinal).ToList();
        var max = rows.Max(r => r.FailedSessions);
        var t = new HtmlWriter();
        t.Add($"""<table class="data" id="by-sender"><caption class="sr-only">Sessions by sending organisation</caption><thead><tr><th scope="col">Sender</th><th scope="col" class="num">Reports</th><th scope="col" class="num">Successful</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Rate</th></tr></thead><tbody>""");
        foreach (var row in rows.Take(Limits.DashboardTableRows))
        {
            t.Add($"""<tr data-key="{row.Key}" data-failed="{row.FailedSessions}"><th scope="row"><a href="/reports{Layout.Query(("domain", d.Domain), ("sender", row.Key), ("since", d.Days.ToString(CultureInfo.InvariantCulture) + "d"))}">{row.Key}</a></th><td class="num">{Layout.Num(row.Reports)}</td><td class="num">{Layout.Num(row.SuccessfulSessions)}</td><td class="num{(row.FailedSessions > 0 ? " fail" : "")}">{(row.FailedSessions > 0 ? Layout.Bar(row.FailedSessions, max, "fail") : SafeHtml.Empty)} {Layout.Num(row.FailedSessions)}</td><td class="num">{Layout.Pct(DashboardData.Rate(row.SuccessfulSessions, row.FailedSessions))}</td></tr>""");
        }

        t.Add($"""</tbody></table>""");
        h.Raw(Layout.TableWrap("Sessions by sending organisation", t.ToHtml()));
        h.Raw(More(rows.Count, d, "sender"));
        h.Add($"""</section>""");
        return h.ToHtml();
    }

    private static SafeHtml ByPlace(DomainDetail d, string name, string title, SummaryResult result)
    {
        var h = new HtmlWriter();
        h.Add($"""<section class="panel" aria-labelledby="{name}-h"><h2 id="{name}-h">{title}</h2>""");
        if (result.Rows.Count == 0)
        {
            h.Add($"""<p class="quiet">No failure details in this window.</p></section>""");
            return h.ToHtml();
        }

        var max = result.Rows.Max(r => r.FailedSessions);
        var t = new HtmlWriter();
        t.Add($"""<table class="data" id="by-{name}"><caption class="sr-only">{title}</caption><thead><tr><th scope="col">{(name == "mx" ? "MX host" : "IP address")}</th><th scope="col">Result type</th><th scope="col" class="num">Reports</th><th scope="col" class="num">Failed</th></tr></thead><tbody>""");
        foreach (var row in result.Rows.Take(Limits.DashboardTableRows))
        {
            t.Add($"""<tr data-key="{row.Key}" data-failed="{row.FailedSessions}"><th scope="row" class="mono">{row.Key}</th><td>{row.ResultType}</td><td class="num">{Layout.Num(row.Reports)}</td><td class="num fail">{Layout.Bar(row.FailedSessions, max, "fail")} {Layout.Num(row.FailedSessions)}</td></tr>""");
        }

        t.Add($"""</tbody></table>""");
        h.Raw(Layout.TableWrap(title, t.ToHtml()));
        h.Raw(More(result.Rows.Count, d, name));
        h.Add($"""</section>""");
        return h.ToHtml();
    }

    private static SafeHtml More(int rows, DomainDetail d, string by) => rows <= Limits.DashboardTableRows
        ? SafeHtml.Empty
        : HtmlWriter.Of($"""<p class="quiet">{Limits.DashboardTableRows} of {rows} rows; all of them: <a href="/api/summary{Layout.Query(("domain", d.Domain), ("since", d.Days.ToString(CultureInfo.InvariantCulture) + "d"), ("by", by))}">/api/summary?by={by}</a></p>""");

    private static SafeHtml Policies(DomainDetail d)
    {
        var h = new HtmlWriter();
        var p = d.Published;
        h.Add($"""<section class="panel" aria-labelledby="policy-h"><h2 id="policy-h">Policy: published and as senders reported it</h2><div class="policy-published"><h3>Published</h3>""");
        if (p?.Policy is { } policy)
        {
            h.Add($"""
                <dl class="kv">
                <dt>mode</dt><dd>{Layout.ModeBadge(p)}</dd>
                <dt>max_age</dt><dd class="mono">{policy.MaxAge} s ({(policy.MaxAge / 86400.0).ToString("0.#", CultureInfo.InvariantCulture)} days)</dd>
                <dt>mx</dt><dd class="mono">{string.Join(", ", policy.Mx.Select(m => m.Text))}</dd>
                <dt>source</dt><dd>{(p.Source == "audit" ? "latest audit (what senders fetch)" : "the policy this server serves")}</dd>
                </dl>
                """);
        }
        else
        {
            h.Add($"""<p class="quiet">{(p is null ? "Unknown: no audit stored and this server does not serve the domain." : $"No policy published (discovery: {p.Discovery ?? "unknown"}).")}</p>""");
        }

        h.Add($"""</div><h3>Reported by senders</h3>""");
        if (d.Reported.Count == 0)
        {
            h.Add($"""<p class="quiet">No sts policy in the reports of this window.</p>""");
        }
        else
        {
            var t = new HtmlWriter();
            t.Add($"""<table class="data" id="reported-policies"><caption class="sr-only">MTA-STS policies as senders reported applying them</caption><thead><tr><th scope="col">Sender</th><th scope="col">mode</th><th scope="col" class="num">max_age</th><th scope="col">mx</th><th scope="col" class="num">Reports</th><th scope="col">Last day</th><th scope="col">Published?</th></tr></thead><tbody>""");
            foreach (var s in d.Reported)
            {
                var same = p?.Policy is null ? (bool?)null : DashboardApi.MatchesPublished(s, p);
                t.Add($"""<tr><th scope="row">{s.Sender}</th><td>{s.Mode ?? "?"}</td><td class="num">{s.MaxAge?.ToString(CultureInfo.InvariantCulture) ?? "?"}</td><td class="mono">{string.Join(", ", s.Mx)}</td><td class="num">{Layout.Num(s.Reports)}</td><td>{new DailyPoint(s.LastDay, 0, 0).Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}</td><td>{(same switch { true => Layout.Badge("same", "ok"), false => Layout.Badge("differs", "fail"), null => Layout.Badge("unknown", "neutral") })}</td></tr>""");
            }

            t.Add($"""</tbody></table>""");
            h.Raw(Layout.TableWrap("Reported policies", t.ToHtml()));
        }

        h.Add($"""</section>""");
        return h.ToHtml();
    }

    private static SafeHtml Audit(DomainDetail d)
    {
        var h = new HtmlWriter();
        h.Add($"""<section class="panel" aria-labelledby="audit-h"><h2 id="audit-h">Latest audit</h2>""");
        if (d.Audit is not { } a)
        {
            h.Add($"""<p class="quiet">No audit stored for {d.Domain} (<code>mailtls watch</code> stores them).</p></section>""");
            return h.ToHtml();
        }

        h.Add($"""<p>{Layout.AuditBadge(a)} {Layout.Time(a.AuditedAt)} · {a.Summary}</p>""");
        h.Raw(a.Findings.Count == 0 ? HtmlWriter.Of($"<p class=\"quiet\">No findings.</p>") : Layout.Findings(a.Findings));
        h.Add($"""</section>""");
        return h.ToHtml();
    }
}
