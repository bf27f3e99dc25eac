using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MailTls.Server.Dashboard;

/// <summary>
/// The dashboard's CSS and scripts, embedded in the assembly at build time (ours, and uPlot vendored from npm; see
/// Dashboard/Assets/vendor/uplot/README.md): nothing is fetched from a CDN at run time. Served at
/// <c>/assets/{name}</c> without login (the login page needs its stylesheet; nothing here is secret), revalidated by ETag.
/// </summary>
public static class DashboardAssets
{
    private const string Prefix = "assets/";

    private static readonly Lazy<FrozenDictionary<string, (byte[] Body, string Type, string ETag)>> All = new(Load);

    public static IReadOnlyCollection<string> Names => All.Value.Keys;

    public static IEndpointRouteBuilder MapDashboardAssets(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/assets/{name}", context =>
        {
            var name = context.Request.RouteValues["name"] as string;
            if (name is null || !All.Value.TryGetValue(name, out var asset))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            context.Response.Headers.ETag = asset.ETag;
            context.Response.Headers.CacheControl = "no-cache";
            if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }

            context.Response.ContentType = asset.Type;
            context.Response.ContentLength = asset.Body.Length;
            return context.Response.Body.WriteAsync(asset.Body, context.RequestAborted).AsTask();
        }).AllowAnonymous();
        return app;
    }

    private static FrozenDictionary<string, (byte[] Body, string Type, string ETag)> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var map = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var ms = new MemoryStream();
            stream.CopyTo(ms);
            var body = ms.ToArray();
            var name = resource[Prefix.Length..];
            var type = Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            map[name] = (body, type, "\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..16] + "\"");
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
