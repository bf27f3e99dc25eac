using System.Globalization;
using MailTls.Audit;
using MailTls.Findings;
using MailTls.Reports;

namespace MailTls.Server.Dashboard.Pages;

/// <summary>What every page needs besides its content: the navigation state and the logout form's token.</summary>
/// <param name="Section">overview, domain, reports, report, login or error: marks the current navigation link.</param>
/// <param name="LogoutToken">The antiforgery token of the logout form; null when no login is in use.</param>
/// <param name="Now">When the page is made (the dashboard's clock).</param>
public sealed record PageContext(string Section, string? LogoutToken, DateTimeOffset Now);

/// <summary>The page shell (skip link, header, navigation, logout, footer) and the small pieces pages share.</summary>
public static class Layout
{
    private static readonly int[] WindowChoices = [7, 14, 30, 90, 365];

    public static string Page(PageContext context, string title, SafeHtml content)
    {
        ArgumentNullException.ThrowIfNull(context);
        var h = new HtmlWriter();
        h.Add($"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <link rel="icon" href="data:,">
            <title>{title} · mailtls</title>
            <link rel="stylesheet" href="/assets/uPlot.min.css">
            <link rel="stylesheet" href="/assets/dashboard.css">
            <script src="/assets/uPlot.iife.min.js" defer></script>
            <script src="/assets/dashboard.js" defer></script>
            </head>
            <body>
            <a class="skip" href="#main">Skip to content</a>
            <header class="top">
            <div class="wrap top-inner">
            <a class="brand" href="/"><span class="brand-mark" aria-hidden="true">✉</span> mailtls <span class="brand-sub">transport security</span></a>
            """);
        if (context.Section != "login")
        {
            h.Add($"""
                <nav aria-label="Main">
                <a href="/"{Current(context, "overview")}>Overview</a>
                <a href="/reports"{Current(context, "reports")}>Reports</a>
                </nav>
                """);
        }

        if (context.LogoutToken is { } token)
        {
            h.Add($"""
                <form class="logout" method="post" action="/logout">
                <input type="hidden" name="{DashboardAuth.FormField}" value="{token}">
                <button type="submit" class="button-quiet">Log out</button>
                </form>
                """);
        }

        h.Add($"""
            </div>
            </header>
            <main id="main" class="wrap" tabindex="-1">
            {content}
            </main>
            <footer class="wrap foot">
            <p>mailtls dashboard · numbers as <code>mailtls reports summary</code> prints them · page made {Time(context.Now)}</p>
            </footer>
            </body>
            </html>
            """);
        return h.ToString();
    }

    // "page" on the section's own page; "true" on the pages under it (a domain under the overview, a report under the list).
    private static SafeHtml Current(PageContext context, string section) =>
        context.Section == section ? new SafeHtml(" aria-current=\"page\"")
        : (section, context.Section) is ("overview", "domain") or ("reports", "report") ? new SafeHtml(" aria-current=\"true\"")
        : SafeHtml.Empty;

    public static string Num(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Pct(double? rate) => rate is not { } r ? "—"
        : r == 0 ? "0 %"
        : r < 0.0001 ? "< 0.01 %"
        : (r * 100).ToString(r < 0.1 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " %";

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Day(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Unix time of the start of the UTC day of <paramref name="t"/> (reports are bucketed by UTC day).</summary>
    public static long DayStart(DateTimeOffset t) => MailTls.Reports.NormalizedReport.DayOf(t) * 86400;

    public static string Day(DailyPoint p) => p.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A coloured label; <paramref name="kind"/> is ok, fail, warn, info or neutral.</summary>
    public static SafeHtml Badge(string text, string kind) => HtmlWriter.Of($"<span class=\"badge badge-{kind}\">{text}</span>");

    public static SafeHtml ModeBadge(PublishedPolicy? p) => p switch
    {
        null => Badge("unknown", "neutral"),
        { Mode: "enforce" } => Badge("enforce", "ok"),
        { Mode: "testing" } => Badge("testing", "warn"),
        { Mode: "none" } => Badge("none", "neutral"),
        { Mode: null, Discovery: { } d } => Badge("no policy (" + d + ")", "fail"),
        _ => Badge(p.Mode ?? "no policy", "neutral"),
    };

    public static SafeHtml AuditBadge(AuditRecord? a) => a switch
    {
        null => Badge("no audit", "neutral"),
        { Completed: false } => Badge("incomplete", "warn"),
        { Errors: > 0 } => Badge(a.Errors == 1 ? "1 error" : $"{a.Errors} errors", "fail"),
        { Warnings: > 0 } => Badge(a.Warnings == 1 ? "1 warning" : $"{a.Warnings} warnings", "warn"),
        _ => Badge("pass", "ok"),
    };

    public static SafeHtml SeverityBadge(Severity s) => s switch
    {
        Severity.Error => Badge("error", "fail"),
        Severity.Warning => Badge("warning", "warn"),
        _ => Badge("info", "info"),
    };

    public static SafeHtml SeverityBadge(string s) => s switch
    {
        "error" => Badge("error", "fail"),
        "warning" => Badge("warning", "warn"),
        _ => Badge(s, "info"),
    };

    /// <summary>A key number: <c>data-metric</c> names it for tests and scripts; <c>data-value</c> holds the exact value.</summary>
    public static SafeHtml Metric(string name, string label, long value, string? kind = null) =>
        HtmlWriter.Of($"""<div class="metric{(kind is null ? "" : " metric-" + kind)}"><div class="metric-label">{label}</div><div class="metric-value" data-metric="{name}" data-value="{value}">{Num(value)}</div></div>""");

    public static SafeHtml RateMetric(string name, string label, double? rate) =>
        HtmlWriter.Of($"""<div class="metric{(rate > 0 ? " metric-fail" : "")}"><div class="metric-label">{label}</div><div class="metric-value" data-metric="{name}" data-value="{rate?.ToString("R", CultureInfo.InvariantCulture) ?? ""}">{Pct(rate)}</div></div>""");

    /// <summary>A scrollable, keyboard-focusable wrapper for a wide table (phone width).</summary>
    public static SafeHtml TableWrap(string label, SafeHtml table) =>
        HtmlWriter.Of($"""<div class="table-wrap" role="region" aria-label="{label}" tabindex="0">{table}</div>""");

    /// <summary>A small proportional bar for a table cell (SVG attributes, no inline style: the CSP forbids it).</summary>
    public static SafeHtml Bar(long value, long max, string kind)
    {
        var width = max <= 0 ? 0 : Math.Max(value > 0 ? 2 : 0, (int)Math.Round(80.0 * value / max));
        return HtmlWriter.Of($"""<svg class="bar" width="80" height="8" aria-hidden="true" focusable="false"><rect class="bar-bg" width="80" height="8" rx="2"></rect><rect class="bar-{kind}" width="{width}" height="8" rx="2"></rect></svg>""");
    }

    /// <summary>The window selector (GET form: works without JavaScript).</summary>
    public static SafeHtml WindowForm(string action, int days, IEnumerable<(string Name, string Value)>? hidden = null)
    {
        var h = new HtmlWriter();
        h.Add($"""<form class="window" method="get" action="{action}"><label for="days">Window</label><select id="days" name="days">""");
        foreach (var d in WindowChoices.Append(days).Distinct().Order())
        {
            h.Add($"""<option value="{d}"{(d == days ? new SafeHtml(" selected") : SafeHtml.Empty)}>last {d} days</option>""");
        }

        h.Add($"""</select>""");
        foreach (var (name, value) in hidden ?? [])
        {
            h.Add($"""<input type="hidden" name="{name}" value="{value}">""");
        }

        h.Add($"""<button type="submit">Show</button></form>""");
        return h.ToHtml();
    }

    public static SafeHtml Findings(IEnumerable<StoredFinding> findings)
    {
        var h = new HtmlWriter();
        h.Add($"""<ul class="findings">""");
        foreach (var f in findings.OrderByDescending(f => f.Severity))
        {
            h.Add($"""<li class="finding finding-{SeverityName(f.Severity)}">{SeverityBadge(f.Severity)} <code>{f.Code}</code> <span class="finding-subject">{f.Subject}</span><p>{f.Message}</p></li>""");
        }

        h.Add($"""</ul>""");
        return h.ToHtml();
    }

    public static string SeverityName(Severity s) => s switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "info",
    };

    public static string Query(params (string Name, string? Value)[] parameters)
    {
        var parts = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => Uri.EscapeDataString(p.Name) + "=" + Uri.EscapeDataString(p.Value!)).ToList();
        return parts.Count == 0 ? string.Empty : "?" + string.Join("&", parts);
    }
}
