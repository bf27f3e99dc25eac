using System.Globalization;
using MailTls.Server.Dashboard.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MailTls.Server.Dashboard;

/// <summary>The HTML pages: <c>/</c> (overview), <c>/domains/{domain}</c>, <c>/reports</c>, <c>/reports/{id}</c>, and a 404 page.</summary>
public static class DashboardPages
{
    public static IEndpointRouteBuilder MapDashboardPages(this IEndpointRouteBuilder app, DashboardData data)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(data);
        app.MapGet("/", async context =>
        {
            if (!DashboardQuery.TryDays(context.Request, out var days, out var error) || !DashboardQuery.TryPage(context.Request, out var page, out error))
            {
                await ErrorAsync(context, data, StatusCodes.Status400BadRequest, error!);
                return;
            }

            var overview = await data.OverviewAsync(days, page, context.RequestAborted);
            await HtmlAsync(context, OverviewPage.Render(Context(context, data, "overview"), overview));
        });

        app.MapGet("/domains/{domain}", async context =>
        {
            var domain = DashboardQuery.Domain(context.Request.RouteValues["domain"] as string);
            if (domain is null)
            {
                await ErrorAsync(context, data, StatusCodes.Status404NotFound, "That is not a domain name.");
                return;
            }

            if (!DashboardQuery.TryDays(context.Request, out var days, out var error))
            {
                await ErrorAsync(context, data, StatusCodes.Status400BadRequest, error!);
                return;
            }

            var detail = await data.DomainAsync(domain, days, context.RequestAborted);
            await HtmlAsync(context, DomainPage.Render(Context(context, data, "domain"), detail));
        });

        app.MapGet("/reports", async context =>
        {
            if (!DashboardQuery.TryReportList(context.Request, data.Time.GetUtcNow(), out var request, out var error))
            {
                await ErrorAsync(context, data, StatusCodes.Status400BadRequest, error!);
                return;
            }

            var page = await data.Store.ListReportsAsync(request!.Query, context.RequestAborted);
            var values = await data.Store.FilterValuesAsync(context.RequestAborted);
            await HtmlAsync(context, ReportPages.List(Context(context, data, "reports"), request, page, values));
        });

        app.MapGet("/reports/{id:long}", async context =>
        {
            var id = long.Parse((string)context.Request.RouteValues["id"]!, CultureInfo.InvariantCulture);
            var report = await data.Store.GetReportAsync(id, context.RequestAborted);
            if (report is null)
            {
                await ErrorAsync(context, data, StatusCodes.Status404NotFound, "No stored report has this id.");
                return;
            }

            var raw = await data.Store.RawJsonAsync(id, context.RequestAborted);
            await HtmlAsync(context, ReportPages.Report(Context(context, data, "report"), report, raw));
        });

        app.MapFallback(context => ErrorAsync(context, data, StatusCodes.Status404NotFound, "There is no page here."));
        return app;
    }

    public static PageContext Context(HttpContext context, DashboardData data, string section)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new PageContext(section, DashboardAuth.LogoutToken(context), data.Time.GetUtcNow());
    }

    private static Task HtmlAsync(HttpContext context, string html)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(html, context.RequestAborted);
    }

    private static Task ErrorAsync(HttpContext context, DashboardData data, int status, string message)
    {
        context.Response.StatusCode = status;
        var title = status == StatusCodes.Status404NotFound ? "Not found" : "Bad request";
        var body = HtmlWriter.Of($"""<div class="panel"><h1>{title}</h1><p>{message}</p><p><a href="/">Back to the overview</a></p></div>""");
        return HtmlAsync(context, Layout.Page(Context(context, data, "error"), title, body));
    }
}
