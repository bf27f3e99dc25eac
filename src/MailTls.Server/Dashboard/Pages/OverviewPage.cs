using MailTls.Reports;

namespace MailTls.Server.Dashboard.Pages;

/// <summary>The overview: store totals, alerts, every domain with its mode, audit verdict and traffic, and small multiples.</summary>
public static class OverviewPage
{
    public static string Render(PageContext context, Overview o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var h = new HtmlWriter();
        h.Add($"""
            <div class="page-head">
            <div>
            <h1>Overview</h1>
            <p class="lede">{o.DomainCount} domain(s) · TLS-RPT sessions of the last {o.Days} days (since {Layout.Day(o.Since)}), as <code>mailtls reports summary --since {o.Days}d</code></p>
            </div>
            {Layout.WindowForm("/", o.Days)}
            </div>
            <section aria-labelledby="totals-h">
            <h2 id="totals-h" class="sr-only">Totals</h2>
            <div class="metrics" data-scope="totals">
            {Layout.Metric("reports", "Reports", o.Totals.Reports)}
            {Layout.Metric("successful_sessions", "Successful sessions", o.Totals.SuccessfulSessions, "ok")}
            {Layout.Metric("failed_sessions", "Failed sessions", o.Totals.FailedSessions, o.Totals.FailedSessions > 0 ? "fail" : null)}
            {Layout.RateMetric("failure_rate", "Failure rate", DashboardData.Rate(o.Totals.SuccessfulSessions, o.Totals.FailedSessions))}
            </div>
            </section>
            """);

        h.Add($"""<section aria-labelledby="alerts-h" class="panel"><h2 id="alerts-h">Alerts</h2>""");
        if (o.Alerts.Count == 0)
        {
            h.Add($"""<p class="quiet">No open watch alerts and no error findings in the latest audits{(o.Domains.Any(d => d.LastAudit is not null) ? "" : " (no audits stored yet: mailtls watch writes them)")}.</p>""");
        }
        else
        {
            h.Add($"""<ul class="alerts">""");
            foreach (var (domain, f, kind, opened) in o.Alerts)
            {
                h.Add($"""<li class="alert"><a href="/domains/{domain}">{domain}</a> <code>{f.Code}</code> <span>{f.Message}</span>""");
                if (kind is not null && opened is { } t)
                {
                    h.Add($""" <span class="quiet">(watch alert on {f.Subject}, open since {Layout.Time(t)})</span>""");
                }

                h.Add($"""</li>""");
            }

            h.Add($"""</ul>""");
        }

        h.Add($"""</section>""");
        h.Add($"""
            <section aria-labelledby="domains-h" class="panel">
            <h2 id="domains-h">Domains</h2>
            """);
        if (o.Domains.Count == 0)
        {
            h.Add($"""<p class="quiet">No domains yet: import reports (<code>mailtls reports import</code>), receive them, or store audits.</p>""");
        }
        else
        {
            var table = new HtmlWriter();
            table.Add($"""
                <table class="data" id="domains">
                <caption class="sr-only">Domains with their published MTA-STS mode, latest audit and TLS-RPT sessions of the last {o.Days} days</caption>
                <thead><tr><th scope="col">Domain</th><th scope="col">Published mode</th><th scope="col">Latest audit</th><th scope="col" class="num">Reports</th><th scope="col" class="num">Successful</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Failure rate</th></tr></thead>
                <tbody>
                """);
            foreach (var d in o.Domains)
            {
                table.Add($"""
                    <tr data-domain="{d.Domain}">
                    <th scope="row"><a href="/domains/{d.Domain}{Layout.Query(("days", o.Days == Limits.DashboardDefaultDays ? null : o.Days.ToString(System.Globalization.CultureInfo.InvariantCulture)))}">{d.Domain}</a>{(d.Served ? Layout.Badge("served here", "info") : SafeHtml.Empty)}</th>
                    <td>{Layout.ModeBadge(d.Published)}</td>
                    <td>{Layout.AuditBadge(d.LastAudit)}{(d.LastAudit is { } a ? HtmlWriter.Of($"<span class=\"sub\">{Layout.Time(a.AuditedAt)}</span>") : SafeHtml.Empty)}</td>
                    <td class="num" data-col="reports">{Layout.Num(d.Summary.Reports)}</td>
                    <td class="num" data-col="successful_sessions">{Layout.Num(d.Summary.SuccessfulSessions)}</td>
                    <td class="num{(d.Summary.FailedSessions > 0 ? " fail" : "")}" data-col="failed_sessions">{Layout.Num(d.Summary.FailedSessions)}</td>
                    <td class="num{(d.FailureRate > 0 ? " fail" : "")}" data-col="failure_rate">{Layout.Pct(d.FailureRate)}</td>
                    </tr>
                    """);
            }

            table.Add($"""</tbody></table>""");
            h.Raw(Layout.TableWrap("Domains table", table.ToHtml()));
            if (o.Pages > 1)
            {
                h.Add($"""<nav class="pager" aria-label="Domain pages">""");
                if (o.Page > 1)
                {
                    h.Add($"""<a href="/{Layout.Query(("days", o.Days.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("page", (o.Page - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)))}" rel="prev">← Previous</a>""");
                }

                h.Add($"""<span>Page {o.Page} of {o.Pages}</span>""");
                if (o.Page < o.Pages)
                {
                    h.Add($"""<a href="/{Layout.Query(("days", o.Days.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("page", (o.Page + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)))}" rel="next">Next →</a>""");
                }

                h.Add($"""</nav>""");
            }
        }

        h.Add($"""</section>""");
        var withTraffic = o.Domains.Where(d => d.Summary.Reports > 0).ToList();
        if (withTraffic.Count > 0)
        {
            h.Add($"""
                <section aria-labelledby="multiples-h" class="panel">
                <h2 id="multiples-h">Sessions per day, per domain</h2>
                <p class="quiet legend-line"><span class="key key-ok" aria-hidden="true"></span> successful <span class="key key-fail" aria-hidden="true"></span> failed · each chart has its own scale; the numbers are under “Daily numbers”</p>
                <div class="multiples">
                """);
            foreach (var d in withTraffic)
            {
                h.Raw(SmallMultiple(o, d));
            }

            h.Add($"""</div></section>""");
        }

        return Layout.Page(context, "Overview", h.ToHtml());
    }

    private static SafeHtml SmallMultiple(Overview o, DomainOverview d)
    {
        var id = "daily-" + d.Domain.Replace('.', '-');
        return HtmlWriter.Of($"""
            <figure class="multiple" data-domain="{d.Domain}">
            <figcaption><a href="/domains/{d.Domain}">{d.Domain}</a> <span class="{(d.FailureRate > 0 ? "fail" : "ok")}">{Layout.Pct(d.FailureRate)} failed</span></figcaption>
            <div class="chart chart-spark" data-chart="spark" data-table="{id}" data-from="{Layout.DayStart(o.Since)}" data-to="{Layout.DayStart(o.Now) + 86400}" data-label="Sessions per day for {d.Domain}: the table below has the numbers"></div>
            <details class="numbers" open data-close-with-chart><summary>Daily numbers</summary>
            {DailyTable(id, "Sessions per day for " + d.Domain, d.Daily)}
            </details>
            </figure>
            """);
    }

    /// <summary>The table a daily chart is drawn from (rows carry the exact values for the chart script).</summary>
    public static SafeHtml DailyTable(string id, string caption, IReadOnlyList<DailyPoint> daily)
    {
        var t = new HtmlWriter();
        t.Add($"""
            <table class="data daily" id="{id}">
            <caption class="sr-only">{caption}</caption>
            <thead><tr><th scope="col">Day (UTC)</th><th scope="col" class="num">Successful</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Failure rate</th></tr></thead>
            <tbody>
            """);
        foreach (var p in daily)
        {
            var rate = DashboardData.Rate(p.SuccessfulSessions, p.FailedSessions);
            t.Add($"""<tr data-day="{Layout.Day(p)}" data-ok="{p.SuccessfulSessions}" data-failed="{p.FailedSessions}"><th scope="row">{Layout.Day(p)}</th><td class="num">{Layout.Num(p.SuccessfulSessions)}</td><td class="num{(p.FailedSessions > 0 ? " fail" : "")}">{Layout.Num(p.FailedSessions)}</td><td class="num">{Layout.Pct(rate)}</td></tr>""");
        }

        t.Add($"""</tbody></table>""");
        return Layout.TableWrap(caption, t.ToHtml());
    }
}
