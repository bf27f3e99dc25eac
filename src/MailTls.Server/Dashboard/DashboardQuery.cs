using System.Globalization;
using MailTls.Dns;
using MailTls.Reports;
using Microsoft.AspNetCore.Http;

namespace MailTls.Server.Dashboard;

/// <summary>A report list request as parsed from the query string (the same for the page and <c>/api/reports</c>).</summary>
public sealed record ReportListRequest(string? Domain, string? Sender, string? Since, string? ResultType, int Page, int PerPage, ReportListQuery Query);

/// <summary>Query-string parameters of the pages and the API; a bad value is a 400 with the reason, never a guess.</summary>
public static class DashboardQuery
{
    public static bool TryDays(HttpRequest request, out int days, out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        error = null;
        days = Limits.DashboardDefaultDays;
        var text = Param(request, "days");
        if (text is not null && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out days) || days is < 1 or > Limits.DashboardMaxDays))
        {
            error = $"days: expected a number of days from 1 to {Limits.DashboardMaxDays}";
            return false;
        }

        return true;
    }

    public static bool TryPage(HttpRequest request, out int page, out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        error = null;
        page = 1;
        var text = Param(request, "page");
        if (text is not null && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1))
        {
            error = "page: expected a page number from 1";
            return false;
        }

        return true;
    }

    /// <summary>A domain from the route or the query: normalised (lower case, no trailing dot), or null when it is not a domain name.</summary>
    public static string? Domain(string? text) => text is null ? null : DnsName.TryNormalize(text) is { } n && n.Contains('.', StringComparison.Ordinal) ? n : null;

    public static bool TryReportList(HttpRequest request, DateTimeOffset now, out ReportListRequest? list, out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        list = null;
        var domainText = Param(request, "domain");
        var domain = Domain(domainText);
        if (domainText is not null && domain is null)
        {
            error = $"domain: \"{domainText}\" is not a domain name";
            return false;
        }

        var sinceText = Param(request, "since");
        DateTimeOffset? since = null;
        if (sinceText is not null)
        {
            if (!ReportJson.TryParseSince(sinceText, now, out var s))
            {
                error = "since: expected Nd, Nh or YYYY-MM-DD (as reports summary --since)";
                return false;
            }

            since = s;
        }

        if (!TryPage(request, out var page, out error))
        {
            return false;
        }

        var perPage = Limits.DashboardReportsPageSize;
        var perPageText = Param(request, "per_page");
        if (perPageText is not null && (!int.TryParse(perPageText, NumberStyles.None, CultureInfo.InvariantCulture, out perPage) || perPage is < 1 or > Limits.DashboardReportsMaxPageSize))
        {
            error = $"per_page: expected 1 to {Limits.DashboardReportsMaxPageSize}";
            return false;
        }

        var sender = Param(request, "sender");
        var resultType = Param(request, "result_type");
        var offset = (long)(page - 1) * perPage;
        if (offset > int.MaxValue)
        {
            error = "page: too far";
            return false;
        }

        list = new ReportListRequest(domain, sender, sinceText, resultType, page, perPage,
            new ReportListQuery(domain, sender, since, resultType, (int)offset, perPage));
        return true;
    }

    /// <summary>The <c>reports summary</c> options as query parameters: domain, since, policy_type, by.</summary>
    public static bool TrySummary(HttpRequest request, DateTimeOffset now, out SummaryQuery? query, out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        query = null;
        error = null;
        var domainText = Param(request, "domain");
        var domain = Domain(domainText);
        if (domainText is not null && domain is null)
        {
            error = $"domain: \"{domainText}\" is not a domain name";
            return false;
        }

        DateTimeOffset? since = null;
        if (Param(request, "since") is { } s)
        {
            if (!ReportJson.TryParseSince(s, now, out var value))
            {
                error = "since: expected Nd, Nh or YYYY-MM-DD (as reports summary --since)";
                return false;
            }

            since = value;
        }

        var type = Param(request, "policy_type");
        if (!ReportJson.IsPolicyType(type))
        {
            error = "policy_type: expected sts, tlsa or no-policy-found";
            return false;
        }

        if (!ReportJson.TryParseGrouping(Param(request, "by"), out var by))
        {
            error = $"by: expected {string.Join(", ", ReportJson.GroupingWords)}";
            return false;
        }

        query = new SummaryQuery(domain, since, type, by);
        return true;
    }

    /// <summary>A query parameter, null when absent or empty (an empty form field means "any").</summary>
    public static string? Param(HttpRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Query.TryGetValue(name, out var v) && v.Count > 0 && !string.IsNullOrWhiteSpace(v[0]) ? v[0]!.Trim() : null;
    }
}
