using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailTls.Reports;

namespace MailTls.Server.Dashboard.Pages;

/// <summary>The report list (filters, paging) and one report (normalised data, deviations, raw JSON).</summary>
public static class ReportPages
{
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string List(PageContext context, ReportListRequest request, ReportListPage page, ReportFilterValues values)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(values);
        var h = new HtmlWriter();
        h.Add($"""
            <div class="page-head"><div><h1>Reports</h1>
            <p class="lede">TLS-RPT reports in the store (current revisions), newest first. Sessions are those of the reports' policies for the chosen domain.</p></div></div>
            <form class="filters panel" method="get" action="/reports" aria-label="Filter reports">
            {Select("f-domain", "domain", "Domain", request.Domain, values.Domains)}
            {Select("f-sender", "sender", "Sender", request.Sender, values.Senders)}
            <div class="field"><label for="f-since">Since</label><input id="f-since" name="since" value="{request.Since ?? ""}" placeholder="30d or 2026-01-01" inputmode="text" autocomplete="off" aria-describedby="f-since-help"><small id="f-since-help">Nd, Nh or YYYY-MM-DD</small></div>
            {Select("f-type", "result_type", "Result type", request.ResultType, values.ResultTypes)}
            <div class="field actions"><button type="submit">Apply filters</button> <a href="/reports">Reset</a></div>
            </form>
            """);
        var pages = (int)Math.Max(1, (page.Total + request.PerPage - 1) / request.PerPage);
        h.Add($"""<p class="count" role="status"><strong data-metric="total" data-value="{page.Total}">{Layout.Num(page.Total)}</strong> report(s) match{(page.Total > 0 ? $" · page {request.Page} of {pages}" : "")}.</p>""");
        if (page.Items.Count > 0)
        {
            var t = new HtmlWriter();
            t.Add($"""
                <table class="data" id="reports">
                <caption class="sr-only">Reports matching the filters</caption>
                <thead><tr><th scope="col">Start (UTC)</th><th scope="col">Sender</th><th scope="col">Report ID</th><th scope="col">Domains</th><th scope="col" class="num">Successful</th><th scope="col" class="num">Failed</th><th scope="col">Result types</th><th scope="col" class="num">Deviations</th></tr></thead>
                <tbody>
                """);
            foreach (var r in page.Items)
            {
                t.Add($"""
                    <tr data-id="{r.StoreId}" data-ok="{r.SuccessfulSessions}" data-failed="{r.FailedSessions}">
                    <td class="nowrap">{Layout.Day(r.Start)}</td>
                    <td>{r.OrganizationName ?? r.Sender}<span class="sub">{r.Sender}</span></td>
                    <th scope="row" class="mono"><a href="/reports/{r.StoreId}">{r.ReportId}</a>{(r.Revision > 1 ? HtmlWriter.Of($" <span class=\"sub\">revision {r.Revision}</span>") : SafeHtml.Empty)}</th>
                    <td>{string.Join(", ", r.Domains)}</td>
                    <td class="num">{Layout.Num(r.SuccessfulSessions)}</td>
                    <td class="num{(r.FailedSessions > 0 ? " fail" : "")}">{Layout.Num(r.FailedSessions)}</td>
                    <td>{Types(r.ResultTypes)}</td>
                    <td class="num">{(r.Deviations > 0 ? Layout.Badge(r.Deviations.ToString(CultureInfo.InvariantCulture), "warn") : HtmlWriter.Of($"0"))}</td>
                    </tr>
                    """);
            }

            t.Add($"""</tbody></table>""");
            h.Raw(Layout.TableWrap("Reports", t.ToHtml()));
        }

        if (pages > 1)
        {
            (string, string?)[] Q(int p) =>
            [
                ("domain", request.Domain), ("sender", request.Sender), ("since", request.Since), ("result_type", request.ResultType),
                ("per_page", request.PerPage == Limits.DashboardReportsPageSize ? null : request.PerPage.ToString(CultureInfo.InvariantCulture)),
                ("page", p.ToString(CultureInfo.InvariantCulture)),
            ];
            h.Add($"""<nav class="pager" aria-label="Report pages">""");
            if (request.Page > 1)
            {
                h.Add($"""<a href="/reports{Layout.Query(Q(request.Page - 1))}" rel="prev">← Previous</a>""");
            }

            h.Add($"""<span>Page {request.Page} of {pages}</span>""");
            if (request.Page < pages)
            {
                h.Add($"""<a href="/reports{Layout.Query(Q(request.Page + 1))}" rel="next">Next →</a>""");
            }

            h.Add($"""</nav>""");
        }

        return Layout.Page(context, "Reports", h.ToHtml());
    }

    public static string Report(PageContext context, StoredReport r, string? raw)
    {
        ArgumentNullException.ThrowIfNull(r);
        var h = new HtmlWriter();
        var ok = r.Policies.Sum(p => p.SuccessfulSessions);
        var failed = r.Policies.Sum(p => p.FailedSessions);
        h.Add($"""
            <nav class="crumbs" aria-label="Breadcrumb"><a href="/reports">Reports</a> <span aria-hidden="true">›</span> <span aria-current="page">{r.ReportId}</span></nav>
            <div class="page-head"><div><h1 class="mono-title">{r.ReportId}</h1>
            <p class="lede">from <strong>{r.OrganizationName ?? r.Sender}</strong> · {Layout.Time(r.Start)} – {Layout.Time(r.End)}{(r.IsCurrent ? SafeHtml.Empty : HtmlWriter.Of($" · {Layout.Badge("superseded", "warn")}"))}</p></div></div>
            <div class="metrics" data-scope="report">
            {Layout.Metric("successful_sessions", "Successful sessions", ok, "ok")}
            {Layout.Metric("failed_sessions", "Failed sessions", failed, failed > 0 ? "fail" : null)}
            {Layout.RateMetric("failure_rate", "Failure rate", DashboardData.Rate(ok, failed))}
            </div>
            <section class="panel" aria-labelledby="meta-h"><h2 id="meta-h">Report</h2>
            <dl class="kv">
            <dt>organization-name</dt><dd>{r.OrganizationName ?? "(none)"}</dd>
            <dt>contact-info</dt><dd>{r.ContactInfo ?? "(none)"}</dd>
            <dt>sender key</dt><dd class="mono">{r.Sender}</dd>
            <dt>date-range</dt><dd>{Layout.Time(r.Start)} – {Layout.Time(r.End)}</dd>
            <dt>revision</dt><dd>{r.Revision}{(r.IsCurrent ? " (current)" : " (superseded by a later revision: not counted)")}</dd>
            <dt>received</dt><dd>{Layout.Time(r.ReceivedAt)} via {r.SourceKind}{(r.SourceName is null ? "" : " " + r.SourceName)}</dd>
            <dt>content SHA-256</dt><dd class="mono break">{r.ContentSha256}</dd>
            </dl></section>
            """);

        foreach (var (p, i) in r.Policies.Select((p, i) => (p, i)))
        {
            h.Add($"""
                <section class="panel" aria-labelledby="policy-{i}-h"><h2 id="policy-{i}-h">Policy {i + 1}: <code>{p.PolicyType}</code> {p.PolicyDomain ?? "(no policy-domain)"}</h2>
                <dl class="kv">
                <dt>sessions</dt><dd><span class="ok">{Layout.Num(p.SuccessfulSessions)} successful</span>, <span class="{(p.FailedSessions > 0 ? "fail" : "")}">{Layout.Num(p.FailedSessions)} failed</span></dd>
                """);
            if (p.StsMode is not null)
            {
                h.Add($"""<dt>mode</dt><dd>{p.StsMode}</dd><dt>max_age</dt><dd class="mono">{p.StsMaxAge}</dd><dt>mx</dt><dd class="mono">{string.Join(", ", p.StsMx ?? [])}</dd>""");
            }

            if (p.TlsaRecords is { Count: > 0 } tlsa)
            {
                h.Add($"""<dt>TLSA</dt><dd class="mono break">{string.Join(" | ", tlsa)}</dd>""");
            }

            if (p.MxHosts is { Count: > 0 } hosts)
            {
                h.Add($"""<dt>mx-host</dt><dd class="mono">{string.Join(", ", hosts)}</dd>""");
            }

            h.Add($"""</dl>""");
            if (p.Failures.Count > 0)
            {
                var t = new HtmlWriter();
                t.Add($"""<table class="data"><caption class="sr-only">Failure details of policy {i + 1}</caption><thead><tr><th scope="col">Result type</th><th scope="col" class="num">Sessions</th><th scope="col">Receiving MX</th><th scope="col">Receiving IP</th><th scope="col">Sending MTA</th><th scope="col">Reason code</th><th scope="col">Additional information</th></tr></thead><tbody>""");
                foreach (var f in p.Failures)
                {
                    t.Add($"""<tr><th scope="row">{f.ResultType}</th><td class="num fail">{Layout.Num(f.FailedSessions)}</td><td class="mono">{f.ReceivingMxHostname ?? "—"}{(f.ReceivingMxHelo is null ? SafeHtml.Empty : HtmlWriter.Of($"<span class=\"sub\">HELO {f.ReceivingMxHelo}</span>"))}</td><td class="mono">{f.ReceivingIp ?? "—"}</td><td class="mono">{f.SendingMtaIp ?? "—"}</td><td>{f.FailureReasonCode ?? "—"}</td><td class="break">{f.AdditionalInformation ?? "—"}</td></tr>""");
                }

                t.Add($"""</tbody></table>""");
                h.Raw(Layout.TableWrap("Failure details", t.ToHtml()));
                h.Add($"""<ul class="fixes">""");
                foreach (var type in p.Failures.Select(f => f.ResultType).Distinct(StringComparer.Ordinal))
                {
                    h.Add($"""<li><code>{type}</code>: {ReadinessAnalyzer.FixFor(type)}</li>""");
                }

                h.Add($"""</ul>""");
            }

            h.Add($"""</section>""");
        }

        h.Add($"""<section class="panel" aria-labelledby="dev-h"><h2 id="dev-h">Deviations</h2>""");
        if (r.Deviations.Count == 0)
        {
            h.Add($"""<p class="quiet">None: the report follows RFC 8460 as read.</p>""");
        }
        else
        {
            h.Add($"""<ul class="findings">""");
            foreach (var d in r.Deviations)
            {
                h.Add($"""<li class="finding finding-{d.Severity}">{Layout.SeverityBadge(d.Severity)} <code>{d.Code}</code><p>{d.Message}</p></li>""");
            }

            h.Add($"""</ul>""");
        }

        h.Add($"""</section><section class="panel" aria-labelledby="raw-h"><h2 id="raw-h">Raw JSON</h2>""");
        if (raw is null)
        {
            h.Add($"""<p class="quiet">The stored payload could not be decoded.</p>""");
        }
        else
        {
            var text = PrettyJson(raw);
            var cut = text.Length > Limits.DashboardRawJsonMaxChars;
            h.Add($"""<div class="raw" role="region" aria-label="Raw report JSON" tabindex="0"><pre><code>{(cut ? text[..Limits.DashboardRawJsonMaxChars] : text)}</code></pre></div>""");
            h.Add($"""<p class="quiet">{(cut ? "Shortened here; " : "")}as JSON: <a href="/api/reports/{r.StoreId}">/api/reports/{r.StoreId}</a></p>""");
        }

        h.Add($"""</section>""");
        return Layout.Page(context, "Report " + r.ReportId, h.ToHtml());
    }

    private static string PrettyJson(string raw)
    {
        try
        {
            return JsonNode.Parse(raw, documentOptions: new JsonDocumentOptions { MaxDepth = Limits.JsonMaxDepth })?.ToJsonString(Pretty) ?? raw;
        }
        catch (JsonException)
        {
            return raw;
        }
    }

    private static SafeHtml Types(IReadOnlyList<string> types)
    {
        var h = new HtmlWriter();
        foreach (var t in types)
        {
            h.Raw(Layout.Badge(t, "fail"));
            h.Add($" ");
        }

        return h.ToHtml();
    }

    private static SafeHtml Select(string id, string name, string label, string? value, IReadOnlyList<string> options)
    {
        var h = new HtmlWriter();
        h.Add($"""<div class="field"><label for="{id}">{label}</label><select id="{id}" name="{name}"><option value="">any</option>""");
        foreach (var o in options.Append(value).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            h.Add($"""<option value="{o}"{(o == value ? new SafeHtml(" selected") : SafeHtml.Empty)}>{o}</option>""");
        }

        h.Add($"""</select></div>""");
        return h.ToHtml();
    }
}
