using MailTls.Server.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace MailTls.Server.Endpoints;

/// <summary>
/// The MTA-STS policy feature (RFC 8461 §3.3): <c>GET</c>/<c>HEAD /.well-known/mta-sts.txt</c> on
/// <c>mta-sts.&lt;configured domain&gt;</c>, nothing else. The request target must be exactly that path as sent
/// (no dot segments, no percent-encoding, no query): Kestrel would normalise <c>/a/../</c> and <c>%2e%2e</c>, and a
/// strict host answers what was asked. The Host header must name a configured policy host and, over TLS, agree
/// with SNI (otherwise 421): a connection never gets another domain's policy. Never a redirect.
/// </summary>
public static class MtaStsPolicyEndpoints
{
    public const string PolicyPath = "/.well-known/mta-sts.txt";

    private static readonly StringValues ContentType = new("text/plain; charset=utf-8");
    private static readonly StringValues Allow = new("GET, HEAD");

    /// <summary>Adds the policy feature to the policy listeners' pipeline (a plain middleware: no routing on the hot path).</summary>
    public static IApplicationBuilder MapMtaStsPolicy(this IApplicationBuilder app, ServeRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(runtime);
        var cacheControl = new StringValues(runtime.Settings.CacheControl);
        return app.Use((context, next) => ServeAsync(context, next, runtime, cacheControl));
    }

    /// <summary>The end of the policy listeners' pipeline: anything no feature answered is 404 (never a redirect).</summary>
    public static IApplicationBuilder MapNotFound(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use((RequestDelegate _) => context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    private static async Task ServeAsync(HttpContext context, RequestDelegate next, ServeRuntime runtime, StringValues cacheControl)
    {
        var catalog = runtime.Policies;
        var host = HostName(context.Request.Headers.Host);
        var label = host is not null && catalog.TryGet(host, out var known) ? known.Host
            : runtime.Receiver is { } receiver && string.Equals(host, receiver.Settings.Host, StringComparison.OrdinalIgnoreCase) ? receiver.Settings.Host
            : ServeMetrics.OtherHost;
        try
        {
            if (!string.Equals(context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget, PolicyPath, StringComparison.Ordinal))
            {
                await next(context);
                return;
            }

            var response = context.Response;
            if (host is null)
            {
                response.StatusCode = StatusCodes.Status400BadRequest; // HTTP/1.0 without Host, or an unusable Host
                return;
            }

            if (!catalog.TryGet(host, out var policy))
            {
                response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            if (context.Features.Get<ITlsHandshakeFeature>() is { } tls && !string.Equals(tls.HostName?.TrimEnd('.'), policy.Host, StringComparison.OrdinalIgnoreCase))
            {
                response.StatusCode = StatusCodes.Status421MisdirectedRequest;
                return;
            }

            var method = context.Request.Method;
            var head = HttpMethods.IsHead(method);
            if (!head && !HttpMethods.IsGet(method))
            {
                response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                response.Headers.Allow = Allow;
                return;
            }

            if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
            {
                response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            response.StatusCode = StatusCodes.Status200OK;
            var headers = response.Headers;
            headers.ContentType = ContentType;
            headers.CacheControl = cacheControl;
            headers.ContentLength = policy.ContentLength;
            if (!head)
            {
                await response.BodyWriter.WriteAsync(policy.Body, context.RequestAborted);
            }
        }
        finally
        {
            runtime.Metrics.CountRequest(label, context.Response.StatusCode);
        }
    }

    /// <summary>The host part of a Host header (port removed, trailing dot removed), or null when absent or not a name.</summary>
    internal static string? HostName(StringValues values)
    {
        if (values.Count != 1 || values[0] is not { Length: > 0 } value)
        {
            return null;
        }

        var colon = value.LastIndexOf(':');
        var name = colon >= 0 && !value.Contains(']', StringComparison.Ordinal) ? value[..colon] : value;
        name = name.EndsWith('.') ? name[..^1] : name;
        return name.Length == 0 || name.StartsWith('[') ? null : name;
    }
}
