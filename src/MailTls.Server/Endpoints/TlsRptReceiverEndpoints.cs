using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailTls.Reports;
using MailTls.Server.Operations;
using MailTls.Server.Receiver;
using MailTls.TlsRpt;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace MailTls.Server.Endpoints;

/// <summary>
/// The TLS-RPT HTTPS receiver (RFC 8460 §3, §5.4): <c>POST https://&lt;tlsrpt.host&gt;/&lt;tenant path&gt;</c> with an
/// <c>application/tlsrpt+gzip</c> or <c>application/tlsrpt+json</c> body. The content decides, not the label
/// (<see cref="TlsRptReportReader.Sniff"/>): a mislabelled gzip or JSON body is accepted. The answer is 200 only
/// after the report is committed to the tenant's store (or was already there); never 2xx on a failure.
/// <list type="table">
/// <item><term>200</term><description>stored now or before (a retry): <c>{"status":"imported"|"duplicate","report_id","revision"}</c></description></item>
/// <item><term>400</term><description>empty body</description></item>
/// <item><term>403</term><description>no policy-domain of the report is one of the tenant's <c>domains</c></description></item>
/// <item><term>405</term><description>not POST (<c>Allow: POST</c>)</description></item>
/// <item><term>413</term><description>over <see cref="Limits.TlsRptMaxCompressedBytes"/>, or decompresses past <see cref="Limits.TlsRptMaxDecompressedBytes"/> (a bomb), or too many JSON elements</description></item>
/// <item><term>415</term><description>a media type other than tlsrpt+gzip/+json and a body that is neither gzip, zip nor JSON</description></item>
/// <item><term>422</term><description>gzip/JSON that is not a usable report: kept in the quarantine table with the reason</description></item>
/// <item><term>429</term><description>the tenant's rate is exceeded; <c>Retry-After</c> says when to retry</description></item>
/// <item><term>503</term><description>the tenant's store is unavailable; <c>Retry-After</c></description></item>
/// </list>
/// Refusals carry an RFC 9457 <c>application/problem+json</c> body and are logged. Anything that is not a tenant path
/// (another path, a query string, plain HTTP) gets the same empty 404 as every unknown request: nothing tells a
/// stranger that a receiver is there.
/// </summary>
public static class TlsRptReceiverEndpoints
{
    public const string GzipMediaType = "application/tlsrpt+gzip";
    public const string JsonMediaType = "application/tlsrpt+json";

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly StringValues AllowPost = new("POST");

    /// <summary>Pipeline refusals that are size limits (413); the other refusal is a domain outside the tenant's (403).</summary>
    private static readonly HashSet<string> SizeCodes = new(StringComparer.Ordinal)
    {
        TlsRptFindings.ReportTooLarge.Code,
        TlsRptFindings.ReportDecompressedTooLarge.Code,
        TlsRptFindings.ReportTooManyElements.Code,
        TlsRptFindings.MessageTooLarge.Code,
    };

    /// <summary>Adds the receiver to the policy listeners' pipeline (before the final 404).</summary>
    public static IApplicationBuilder MapTlsRptReceiver(this IApplicationBuilder app, ServeRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(runtime);
        return runtime.Receiver is { } receiver
            ? app.Use((context, next) => ReceiveAsync(context, next, runtime.Metrics, receiver))
            : app;
    }

    private static async Task ReceiveAsync(HttpContext context, RequestDelegate next, ServeMetrics metrics, ReportReceiver receiver)
    {
        var host = MtaStsPolicyEndpoints.HostName(context.Request.Headers.Host);
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var tls = context.Features.Get<ITlsHandshakeFeature>();
        if (!string.Equals(host, receiver.Settings.Host, StringComparison.OrdinalIgnoreCase)
            || tls is null
            || !receiver.TryGetTenant(rawTarget, out var tenant))
        {
            await next(context);
            return;
        }

        var request = context.Request;
        var response = context.Response;
        if (!string.Equals(tls.HostName?.TrimEnd('.'), receiver.Settings.Host, StringComparison.OrdinalIgnoreCase))
        {
            response.StatusCode = StatusCodes.Status421MisdirectedRequest;
            return;
        }

        var name = tenant.Settings.Name;
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "?";
        var logger = receiver.Logger;
        if (!HttpMethods.IsPost(request.Method))
        {
            response.Headers.Allow = AllowPost;
            CloseIfBodyUnread(context);
            await RefuseAsync(context, metrics, logger, name, remote, StatusCodes.Status405MethodNotAllowed, "method_not_allowed",
                $"{request.Method} is not accepted here: reports are POSTed (RFC 8460 §3).");
            return;
        }

        if (!tenant.Limiter.TryAcquire(name, out var retryAfter))
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            CloseIfBodyUnread(context);
            await RefuseAsync(context, metrics, logger, name, remote, StatusCodes.Status429TooManyRequests, "rate_limited",
                $"More than {tenant.Settings.RatePerMinute} reports per minute (burst {tenant.Settings.Burst}) for this receiver; retry after {seconds} s.");
            return;
        }

        var mediaType = request.ContentType;
        if (request.ContentLength is > Limits.TlsRptMaxCompressedBytes)
        {
            CloseIfBodyUnread(context);
            await RefuseAsync(context, metrics, logger, name, remote, StatusCodes.Status413PayloadTooLarge, "too_large",
                $"The body is {request.ContentLength} bytes; the limit is {Limits.TlsRptMaxCompressedBytes} (RFC 8460 §5.2 suggests 10 MB).");
            return;
        }

        await receiver.Bodies.WaitAsync(context.RequestAborted);
        try
        {
            var body = await ReadBodyAsync(context);
            if (body is null)
            {
                await RefuseAsync(context, metrics, logger, name, remote, StatusCodes.Status413PayloadTooLarge, "too_large",
                    $"The body is larger than {Limits.TlsRptMaxCompressedBytes} bytes (RFC 8460 §5.2 suggests 10 MB).");
                return;
            }

            if (body.Length == 0)
            {
                await RefuseAsync(context, metrics, logger, name, remote, StatusCodes.Status400BadRequest, "bad_request",
                    "The body is empty; POST the report (gzip or JSON).");
                return;
            }

            var declared = MediaTypeOf(mediaType);
            var format = TlsRptReportReader.Sniff(body);
            if (format == TlsRptPayloadFormat.Unknown)
            {
                if (declared is GzipMediaType or JsonMediaType)
                {
                    await RefuseAsync(context, metrics, logger, name, remote, StatusCodes.Status400BadRequest, "bad_request",
                        $"The body is labelled {declared} but is neither gzip nor a JSON object.");
                }
                else
                {
                    await RefuseAsync(context, metrics, logger, name, remote, StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                        $"Content-Type \"{mediaType}\" is not {GzipMediaType} or {JsonMediaType}, and the body is neither gzip nor a JSON object.");
                }

                return;
            }

            if (!IsLabelled(declared, format))
            {
                logger.LogInformation("tlsrpt {Tenant}: body labelled {MediaType} is {Format}; read as {Format}", name, mediaType ?? "(none)", format, format);
            }

            var source = new ReportSource("https", $"{name} POST from {remote}", name, MediaType: mediaType);
            // A bare payload (sniffed above): exactly one item, a report, unreadable input for the quarantine, or a refusal.
            var items = await ReportPipeline.DecodeAsync(body, source, tenant.Options, context.RequestAborted);
            var item = items.Single();
            if (item is RefusedItem refused)
            {
                var tooLarge = refused.Codes.Any(SizeCodes.Contains);
                await RefuseAsync(context, metrics, logger, name, remote,
                    tooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status403Forbidden, tooLarge ? "too_large" : "refused_domain", refused.Reason);
                return;
            }

            var ingestor = await tenant.Store.GetAsync(context.RequestAborted);
            if (ingestor is null)
            {
                await UnavailableAsync(context, metrics, logger, name, remote);
                return;
            }

            IngestOutcome outcome;
            try
            {
                outcome = (await ingestor.SubmitAsync(items, context.RequestAborted))[0];
                tenant.Store.Report(null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
            {
                tenant.Store.Report(e);
                await UnavailableAsync(context, metrics, logger, name, remote);
                return;
            }

            switch (outcome.Status)
            {
                case IngestStatus.Imported or IngestStatus.Duplicate:
                    var status = outcome.Status == IngestStatus.Imported ? "imported" : "duplicate";
                    metrics.CountReport(name, status);
                    var report = ((ReportItem)item).Report;
                    logger.LogInformation("tlsrpt {Tenant}: report {ReportId} from {Sender} {Status} (revision {Revision}; {Ok} successful, {Failed} failed sessions)",
                        name, outcome.ReportId, report.Sender, status, outcome.Revision, report.SuccessfulSessions, report.FailedSessions);
                    response.StatusCode = StatusCodes.Status200OK;
                    response.ContentType = "application/json; charset=utf-8";
                    await response.WriteAsync(new JsonObject
                    {
                        ["status"] = status,
                        ["report_id"] = outcome.ReportId,
                        ["revision"] = outcome.Revision,
                    }.ToJsonString(JsonOptions), context.RequestAborted);
                    break;
                case IngestStatus.Quarantined:
                    await RefuseAsync(context, metrics, logger, name, remote, StatusCodes.Status422UnprocessableEntity, "quarantined",
                        $"Not a usable TLS-RPT report ({outcome.Reason}); it was kept in quarantine for inspection.");
                    break;
                default:
                    await RefuseAsync(context, metrics, logger, name, remote, StatusCodes.Status403Forbidden, "refused", outcome.Reason ?? "refused");
                    break;
            }
        }
        finally
        {
            receiver.Bodies.Release();
        }
    }

    /// <summary>Reads the body, at most <see cref="Limits.TlsRptMaxCompressedBytes"/>; null when it is larger.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = Limits.TlsRptMaxCompressedBytes; // the policy listeners accept no body otherwise
        }

        var declared = context.Request.ContentLength;
        using var buffer = new MemoryStream(declared is { } n ? (int)n : 16 * 1024);
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > Limits.TlsRptMaxCompressedBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return buffer.ToArray();
    }

    private static string? MediaTypeOf(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() : null;

    private static bool IsLabelled(string? declared, TlsRptPayloadFormat format) => format switch
    {
        TlsRptPayloadFormat.Gzip => declared == GzipMediaType,
        TlsRptPayloadFormat.Json => declared == JsonMediaType,
        _ => false,
    };

    /// <summary>503: the store is down (its error is logged by the store, not told to the sender).</summary>
    private static Task UnavailableAsync(HttpContext context, ServeMetrics metrics, ILogger logger, string tenant, string remote)
    {
        context.Response.Headers.RetryAfter = ((int)Limits.ReportReceiverStoreRetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return RefuseAsync(context, metrics, logger, tenant, remote, StatusCodes.Status503ServiceUnavailable, "store_unavailable",
            "The report store is unavailable; nothing was stored. Retry later.", LogLevel.Error);
    }

    /// <summary>
    /// A refusal sent before the body was read ends an HTTP/1.x connection (<c>Connection: close</c>): the unread body
    /// would otherwise have to be drained before the connection could carry another request, and a client that reuses
    /// it while the server gives up draining sees its next request fail. HTTP/2 resets just the stream.
    /// </summary>
    private static void CloseIfBodyUnread(HttpContext context)
    {
        var request = context.Request;
        var hasBody = request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody && (HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol)))
        {
            context.Response.Headers.Connection = "close";
        }
    }

    /// <summary>Answers a refusal with an RFC 9457 problem body, counts it and logs it.</summary>
    private static async Task RefuseAsync(HttpContext context, ServeMetrics metrics, ILogger logger, string tenant, string remote, int status, string outcome, string detail,
        LogLevel level = LogLevel.Warning)
    {
        metrics.CountReport(tenant, outcome);
        logger.Log(level, "tlsrpt {Tenant}: refused a report from {Remote} with {Status} {Outcome}: {Detail}", tenant, remote, status, outcome, detail);
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/problem+json; charset=utf-8";
        await response.WriteAsync(new JsonObject
        {
            ["type"] = "about:blank",
            ["title"] = ReasonPhrase(status),
            ["status"] = status,
            ["detail"] = detail,
        }.ToJsonString(JsonOptions), context.RequestAborted);
    }

    private static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        403 => "Forbidden",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Error",
    };
}
