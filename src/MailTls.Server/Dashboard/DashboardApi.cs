using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailTls.Audit;
using MailTls.Findings;
using MailTls.Reports;
using MailTls.Server.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MailTls.Server.Dashboard;

/// <summary>
/// The JSON API behind the pages (docs/dashboard.md): <c>/api/summary</c> is <c>reports summary --json</c> with the
/// options as query parameters; <c>/api/reports/{id}</c> is one object of <c>reports show --json</c> plus the raw
/// report; <c>/api/domains</c> and <c>/api/domains/{domain}</c> are the overview and the domain page as data.
/// </summary>
public static class DashboardApi
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app, DashboardData data)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(data);
        app.MapGet("/api/summary", async context =>
        {
            if (!DashboardQuery.TrySummary(context.Request, data.Time.GetUtcNow(), out var query, out var error))
            {
                await BadRequestAsync(context, error!);
                return;
            }

            var result = await data.Store.SummaryAsync(query!, context.RequestAborted);
            await WriteAsync(context, ReportJson.Summary(query!.By, result));
        });

        app.MapGet("/api/domains", async context =>
        {
            if (!DashboardQuery.TryDays(context.Request, out var days, out var error) || !DashboardQuery.TryPage(context.Request, out var page, out error))
            {
                await BadRequestAsync(context, error!);
                return;
            }

            await WriteAsync(context, OverviewJson(await data.OverviewAsync(days, page, context.RequestAborted)));
        });

        app.MapGet("/api/domains/{domain}", async context =>
        {
            var domain = DashboardQuery.Domain(context.Request.RouteValues["domain"] as string);
            if (domain is null)
            {
                await NotFoundAsync(context, "not a domain name");
                return;
            }

            if (!DashboardQuery.TryDays(context.Request, out var days, out var error))
            {
                await BadRequestAsync(context, error!);
                return;
            }

            await WriteAsync(context, DomainJson(await data.DomainAsync(domain, days, context.RequestAborted)));
        });

        app.MapGet("/api/reports", async context =>
        {
            if (!DashboardQuery.TryReportList(context.Request, data.Time.GetUtcNow(), out var request, out var error))
            {
                await BadRequestAsync(context, error!);
                return;
            }

            var page = await data.Store.ListReportsAsync(request!.Query, context.RequestAborted);
            await WriteAsync(context, new JsonObject
            {
                ["total"] = page.Total,
                ["page"] = request.Page,
                ["per_page"] = request.PerPage,
                ["reports"] = new JsonArray([.. page.Items.Select(i => (JsonNode)ListItemJson(i))]),
            });
        });

        app.MapGet("/api/reports/{id:long}", async context =>
        {
            var id = long.Parse((string)context.Request.RouteValues["id"]!, CultureInfo.InvariantCulture);
            var report = await data.Store.GetReportAsync(id, context.RequestAborted);
            if (report is null)
            {
                await NotFoundAsync(context, "no stored report with this id");
                return;
            }

            var json = ReportJson.Report(report);
            json["id"] = report.StoreId;
            var raw = await data.Store.RawJsonAsync(id, context.RequestAborted);
            json["raw"] = raw is null ? null : ParseOrText(raw);
            await WriteAsync(context, json);
        });
        return app;
    }

    public static JsonObject OverviewJson(Overview o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new JsonObject
        {
            ["days"] = o.Days,
            ["since"] = ReportJson.Time(o.Since),
            ["totals"] = ReportJson.Summary(SummaryGrouping.None, o.Totals),
            ["alerts"] = new JsonArray([.. o.Alerts.Select(a => (JsonNode)new JsonObject
            {
                ["domain"] = a.Domain,
                ["code"] = a.Finding.Code,
                ["severity"] = SeverityName(a.Finding.Severity),
                ["subject"] = a.Finding.Subject,
                ["message"] = a.Finding.Message,
                ["source"] = a.Kind is null ? "audit" : "watch",
                ["opened_at"] = a.OpenedAt is { } opened ? ReportJson.Time(opened) : null,
            })]),
            ["domain_count"] = o.DomainCount,
            ["page"] = o.Page,
            ["pages"] = o.Pages,
            ["domains"] = new JsonArray([.. o.Domains.Select(d => (JsonNode)new JsonObject
            {
                ["domain"] = d.Domain,
                ["served"] = d.Served,
                ["published"] = PublishedJson(d.Published),
                ["last_audit"] = AuditJson(d.LastAudit, withFindings: false),
                ["reports"] = d.Summary.Reports,
                ["successful_sessions"] = d.Summary.SuccessfulSessions,
                ["failed_sessions"] = d.Summary.FailedSessions,
                ["failure_rate"] = d.FailureRate,
                ["daily"] = DailyJson(d.Daily),
                ["alerts"] = StoredFindingsJson(d.Alerts),
            })]),
        };
    }

    public static JsonObject DomainJson(DomainDetail d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new JsonObject
        {
            ["domain"] = d.Domain,
            ["days"] = d.Days,
            ["since"] = ReportJson.Time(d.Since),
            ["served"] = d.Served,
            ["summary"] = ReportJson.Summary(SummaryGrouping.None, d.Summary),
            ["failure_rate"] = DashboardData.Rate(d.Summary.SuccessfulSessions, d.Summary.FailedSessions),
            ["daily"] = DailyJson(d.Daily),
            ["by_result_type"] = ReportJson.Summary(SummaryGrouping.ResultType, d.ByResultType)["rows"]!.DeepClone(),
            ["by_sender"] = ReportJson.Summary(SummaryGrouping.Sender, d.BySender)["rows"]!.DeepClone(),
            ["by_mx"] = ReportJson.Summary(SummaryGrouping.Mx, d.ByMx)["rows"]!.DeepClone(),
            ["by_ip"] = ReportJson.Summary(SummaryGrouping.Ip, d.ByIp)["rows"]!.DeepClone(),
            ["published"] = PublishedJson(d.Published),
            ["reported_policies"] = new JsonArray([.. d.Reported.Select(p => (JsonNode)new JsonObject
            {
                ["sender"] = p.Sender,
                ["mode"] = p.Mode,
                ["max_age"] = p.MaxAge,
                ["mx"] = new JsonArray([.. p.Mx.Select(m => (JsonNode)JsonValue.Create(m))]),
                ["reports"] = p.Reports,
                ["last_day"] = new DailyPoint(p.LastDay, 0, 0).Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["matches_published"] = d.Published?.Policy is null ? null : MatchesPublished(p, d.Published),
            })]),
            ["readiness"] = new JsonObject
            {
                ["domain"] = d.Readiness.Domain,
                ["days"] = d.ReadinessDays,
                ["ready"] = d.Readiness.Ready,
                ["reasons"] = AdminEndpoints.FindingsJson(d.Readiness.Reasons),
            },
            ["audit"] = AuditJson(d.Audit, withFindings: true),
        };
    }

    /// <summary>True when a reported policy is the published one (mode, max_age and the set of mx patterns), as readiness compares them.</summary>
    public static bool MatchesPublished(SeenPolicy seen, PublishedPolicy published)
    {
        ArgumentNullException.ThrowIfNull(seen);
        ArgumentNullException.ThrowIfNull(published);
        var p = published.Policy;
        return p is not null && seen.Mode == published.Mode && seen.MaxAge == p.MaxAge
            && seen.Mx.Order(StringComparer.OrdinalIgnoreCase).SequenceEqual(p.Mx.Select(m => m.Text).Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
    }

    public static JsonObject ListItemJson(ReportListItem i)
    {
        ArgumentNullException.ThrowIfNull(i);
        return new JsonObject
        {
            ["id"] = i.StoreId,
            ["report_id"] = i.ReportId,
            ["sender"] = i.Sender,
            ["organization_name"] = i.OrganizationName,
            ["start"] = ReportJson.Time(i.Start),
            ["end"] = ReportJson.Time(i.End),
            ["revision"] = i.Revision,
            ["domains"] = new JsonArray([.. i.Domains.Select(x => (JsonNode)JsonValue.Create(x))]),
            ["successful_sessions"] = i.SuccessfulSessions,
            ["failed_sessions"] = i.FailedSessions,
            ["result_types"] = new JsonArray([.. i.ResultTypes.Select(x => (JsonNode)JsonValue.Create(x))]),
            ["deviations"] = i.Deviations,
        };
    }

    private static JsonArray DailyJson(IReadOnlyList<DailyPoint> daily) => new([.. daily.Select(p => (JsonNode)new JsonObject
    {
        ["day"] = p.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["successful_sessions"] = p.SuccessfulSessions,
        ["failed_sessions"] = p.FailedSessions,
    })]);

    private static JsonObject? PublishedJson(PublishedPolicy? p) => p is null ? null : new JsonObject
    {
        ["source"] = p.Source,
        ["mode"] = p.Mode,
        ["discovery"] = p.Discovery,
        ["max_age"] = p.Policy?.MaxAge,
        ["mx"] = p.Policy is null ? null : new JsonArray([.. p.Policy.Mx.Select(m => (JsonNode)JsonValue.Create(m.Text))]),
        ["at"] = p.At is { } at ? ReportJson.Time(at) : null,
    };

    private static JsonObject? AuditJson(AuditRecord? a, bool withFindings)
    {
        if (a is null)
        {
            return null;
        }

        var o = new JsonObject
        {
            ["audited_at"] = ReportJson.Time(a.AuditedAt),
            ["completed"] = a.Completed,
            ["summary"] = a.Summary,
            ["errors"] = a.Errors,
            ["warnings"] = a.Warnings,
        };
        if (withFindings)
        {
            o["findings"] = StoredFindingsJson(a.Findings);
        }

        return o;
    }

    private static string SeverityName(Severity severity) => severity switch { Severity.Error => "error", Severity.Warning => "warning", _ => "info" };

    private static JsonArray StoredFindingsJson(IEnumerable<StoredFinding> findings) => new([.. findings.Select(f => (JsonNode)new JsonObject
    {
        ["code"] = f.Code,
        ["severity"] = SeverityName(f.Severity),
        ["subject"] = f.Subject,
        ["message"] = f.Message,
    })]);

    private static JsonNode ParseOrText(string raw)
    {
        try
        {
            return JsonNode.Parse(raw, documentOptions: new JsonDocumentOptions { MaxDepth = Limits.JsonMaxDepth }) ?? JsonValue.Create(raw);
        }
        catch (JsonException)
        {
            return JsonValue.Create(raw);
        }
    }

    private static Task WriteAsync(HttpContext context, JsonNode json)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(json.ToJsonString(JsonOptions), context.RequestAborted);
    }

    internal static Task BadRequestAsync(HttpContext context, string error)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return WriteAsync(context, new JsonObject { ["error"] = error });
    }

    internal static Task NotFoundAsync(HttpContext context, string error)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return WriteAsync(context, new JsonObject { ["error"] = error });
    }
}
