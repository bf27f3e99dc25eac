using System.Security.Cryptography.X509Certificates;
using MailTls.Reports.Storage;
using MailTls.Server.Configuration;
using MailTls.Server.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailTls.Server.Dashboard;

/// <summary>
/// The dashboard's Kestrel server (a third one beside the policy and admin listeners, so its pages never appear on
/// the public policy ports): security headers on every answer, the login gate, the pages, the API and the assets.
/// </summary>
public static class DashboardApp
{
    /// <summary>Every answer: no inline script or style, no framing, no sniffing, no referrer, no caching of data.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static WebApplication Build(DashboardSettings settings, ServeRuntime runtime, SqlReportStore store, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "mailtls-serve-dashboard" });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddRoutingCore();
        DashboardAuth.AddServices(builder.Services, settings);
        X509Certificate2? certificate = settings.Tls is { } tls ? X509Certificate2.CreateFromPemFile(tls.CertPath, tls.KeyPath) : null;
        builder.WebHost.UseKestrelCore();
        if (certificate is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestHeadersTotalSize = Limits.DashboardMaxRequestHeadersBytes;
            k.Limits.MaxRequestLineSize = Limits.DashboardMaxRequestLineBytes;
            k.Limits.MaxRequestBodySize = Limits.DashboardMaxRequestBodyBytes;
            k.Limits.KeepAliveTimeout = Limits.ServeKeepAliveTimeout;
            k.Limits.RequestHeadersTimeout = Limits.ServeRequestHeadersTimeout;
            k.Limits.MaxConcurrentUpgradedConnections = 0;
            foreach (var ep in settings.Listen)
            {
                k.Listen(ep, lo =>
                {
                    lo.Protocols = certificate is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                    if (certificate is not null)
                    {
                        lo.UseHttps(certificate);
                    }
                });
            }
        });

        var app = builder.Build();
        var auth = new DashboardAuth(settings, loggerFactory.CreateLogger("MailTls.Server.Dashboard"), runtime.Time);
        var data = new DashboardData(store, runtime);
        app.Use((context, next) => HeadersAsync(context, next, auth));
        app.UseRouting();
        app.UseAuthentication();
        app.Use((context, next) => auth.GateAsync(context, next));
        app.MapDashboardAssets();
        auth.Map(app, (context, section) => DashboardPages.Context(context, data, section));
        app.MapDashboardApi(data);
        app.MapDashboardPages(data);
        return app;
    }

    private static Task HeadersAsync(HttpContext context, RequestDelegate next, DashboardAuth auth)
    {
        var h = context.Response.Headers;
        h.ContentSecurityPolicy = ContentSecurityPolicy;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "no-referrer";
        h["Cross-Origin-Opener-Policy"] = "same-origin";
        h["Cross-Origin-Resource-Policy"] = "same-origin";
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        h.CacheControl = "no-store";
        if (context.Request.IsHttps)
        {
            h.StrictTransportSecurity = "max-age=31536000";
        }

        // Without a login the dashboard trusts only this machine; a page of another site whose name resolves to
        // 127.0.0.1 (DNS rebinding) must not read it, so the Host must name loopback too.
        if (!auth.Required && !DashboardAuth.IsLoopbackHost(context.Request.Host))
        {
            context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync("This dashboard has no login and answers only to a loopback Host (localhost, 127.0.0.1, [::1]).");
        }

        return next(context);
    }
}
