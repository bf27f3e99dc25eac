using System.Security.Cryptography;
using System.Text;

namespace MailTls.Watch;

/// <summary>
/// POSTs one JSON notice per alert event (<see cref="AlertPayload.Notice"/>) to a URL, each attempt within a deadline;
/// network errors, timeouts, 408, 429 and 5xx are retried with a doubling delay, other answers are final. Headers:
/// <c>X-Mailtls-Event</c>, <c>X-Mailtls-Delivery</c> (the notice id: receivers de-duplicate on it, since a notice
/// may be delivered again after a crash between the POST and the store update) and, with a secret,
/// <c>X-Mailtls-Signature: sha256=HEX</c> (HMAC-SHA256 of the body).
/// </summary>
public sealed class WebhookSink : IAlertSink, IDisposable
{
    private readonly WebhookSinkOptions options;
    private readonly HttpClient http;
    private readonly byte[]? secret;

    public WebhookSink(WebhookSinkOptions options, byte[]? secret = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        this.secret = secret;
        http = handler is null
            ? new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = options.Timeout, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            : new HttpClient(handler, disposeHandler: false);
        http.Timeout = Timeout.InfiniteTimeSpan;
        http.DefaultRequestHeaders.UserAgent.ParseAdd("mailtls-watch/1");
    }

    public string Name => options.Name;

    /// <summary>Delay before the second attempt; it doubles for each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = Limits.WatchSinkRetryDelay;

    public void Dispose() => http.Dispose();

    public async Task<IReadOnlyList<NoticeOutcome>> DeliverAsync(IReadOnlyList<WatchNotice> notices, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notices);
        var outcomes = new List<NoticeOutcome>();
        foreach (var n in notices)
        {
            outcomes.Add(await DeliverAsync(n, now, cancellationToken).ConfigureAwait(false));
        }

        return outcomes;
    }

    private async Task<NoticeOutcome> DeliverAsync(WatchNotice notice, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(AlertPayload.Notice(notice, now).ToJsonString());
        string? signature = secret is null ? null : "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body));
        var error = "no attempt";
        for (var attempt = 1; attempt <= options.Attempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(RetryDelay * Math.Pow(2, attempt - 2), cancellationToken).ConfigureAwait(false);
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.Timeout);
            using var request = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.Add("X-Mailtls-Event", AlertPayload.EventName(notice.Event));
            request.Headers.Add("X-Mailtls-Delivery", notice.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (signature is not null)
            {
                request.Headers.Add("X-Mailtls-Signature", signature);
            }

            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (status is >= 200 and < 300)
                {
                    return NoticeOutcome.Delivered(notice.Id);
                }

                error = $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
                if (!(status is 408 or 429 || status >= 500))
                {
                    return NoticeOutcome.Refused(notice.Id, error + " (not retried)");
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                error = $"no answer within {options.Timeout.TotalSeconds:0.#} s";
            }
            catch (HttpRequestException e)
            {
                error = e.HttpRequestError == HttpRequestError.Unknown ? e.Message : $"{e.HttpRequestError}: {e.Message}";
            }
        }

        return NoticeOutcome.Retry(notice.Id, $"{error} (after {options.Attempts} attempt(s))");
    }
}
