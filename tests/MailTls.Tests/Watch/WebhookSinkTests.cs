using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MailTls.Findings;
using MailTls.Watch;

namespace MailTls.Tests.Watch;

/// <summary>The webhook sink against a real HTTP listener on loopback (System.Net.HttpListener).</summary>
public sealed class WebhookSinkTests
{
    private sealed record Request(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);

    /// <summary>An HTTP server on 127.0.0.1 that records requests and answers with the status (and delay) the script gives per request number.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly HttpListener listener = new();
        private readonly Task loop;
        private readonly Func<int, (int Status, TimeSpan Delay)> script;

        public Receiver(Func<int, (int Status, TimeSpan Delay)> script)
        {
            this.script = script;
            Port = FreePort();
            listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            listener.Start();
            loop = Task.Run(LoopAsync);
        }

        public int Port { get; }

        public List<Request> Requests { get; } = [];

        public Uri Url => new($"http://127.0.0.1:{Port}/hooks/mailtls");

        private async Task LoopAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using var body = new MemoryStream();
                    await ctx.Request.InputStream.CopyToAsync(body);
                    int n;
                    lock (Requests)
                    {
                        Requests.Add(new Request(ctx.Request.HttpMethod, ctx.Request.Url!.AbsolutePath,
                            ctx.Request.Headers.AllKeys.ToDictionary(k => k!, k => ctx.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase), body.ToArray()));
                        n = Requests.Count;
                    }

                    var (status, delay) = script(n);
                    try
                    {
                        await Task.Delay(delay);
                        ctx.Response.StatusCode = status;
                        ctx.Response.Close();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                        // the client gave up first
                    }
                });
            }
        }

        public async ValueTask DisposeAsync()
        {
            listener.Stop();
            listener.Close();
            await loop;
        }
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static readonly WatchAlert Alert = new()
    {
        Id = 42,
        Domain = "example.com",
        Kind = "mx-not-covered",
        Subject = "mx3.example.com",
        Severity = Severity.Error,
        Codes = ["sts.mx.not-covered"],
        Message = "MX host mx3.example.com matches none of the policy's mx patterns.",
        OpenedAt = WatchTestData.T0,
        LastSeenAt = WatchTestData.T0.AddHours(1),
        OpenedAuditId = 7,
    };

    private static WatchNotice Notice(long id, NoticeEvent e = NoticeEvent.Opened) =>
        new(id, "ops", e, e == NoticeEvent.Opened ? Alert : Alert with { ResolvedAt = WatchTestData.T0.AddHours(2), ResolvedAuditId = 9 }, WatchTestData.T0, 0, NoticeState.Pending, null);

    private static WebhookSink Sink(Uri url, TimeSpan? timeout = null, byte[]? secret = null, int attempts = 3) =>
        new(new WebhookSinkOptions { Name = "ops", Url = url, Timeout = timeout ?? TimeSpan.FromSeconds(5), Attempts = attempts }, secret) { RetryDelay = TimeSpan.FromMilliseconds(20) };

    [Fact]
    public async Task Posts_one_signed_json_notice_per_event()
    {
        await using var receiver = new Receiver(_ => (204, TimeSpan.Zero));
        var secret = Encoding.UTF8.GetBytes("s3cret");
        using var sink = Sink(receiver.Url, secret: secret);
        var sentAt = WatchTestData.T0.AddHours(3);
        var outcomes = await sink.DeliverAsync([Notice(1), Notice(2, NoticeEvent.Resolved)], sentAt);
        Assert.Equal([(1L, NoticeState.Delivered), (2L, NoticeState.Delivered)], outcomes.Select(o => (o.NoticeId, o.State)).ToArray());

        Assert.Equal(2, receiver.Requests.Count);
        var first = receiver.Requests.Single(r => r.Headers["X-Mailtls-Delivery"] == "1");
        Assert.Equal(("POST", "/hooks/mailtls", "application/json; charset=utf-8", "opened"), (first.Method, first.Path, first.Headers["Content-Type"], first.Headers["X-Mailtls-Event"]));
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, first.Body)), first.Headers["X-Mailtls-Signature"]);
        Assert.StartsWith("mailtls-watch/", first.Headers["User-Agent"], StringComparison.Ordinal);

        var json = JsonNode.Parse(first.Body)!;
        Assert.Equal(("mailtls.watch.notice/1", 1L, "opened", "ops", "2026-03-01T15:00:00Z"),
            (json["schema"]!.GetValue<string>(), json["notice_id"]!.GetValue<long>(), json["event"]!.GetValue<string>(), json["sink"]!.GetValue<string>(), json["sent_at"]!.GetValue<string>()));
        var alert = json["alert"]!;
        Assert.Equal((42L, "example.com", "mx-not-covered", "MX host not covered by the MTA-STS policy", "mx3.example.com", "error", "sts.mx.not-covered"),
            (alert["id"]!.GetValue<long>(), alert["domain"]!.GetValue<string>(), alert["kind"]!.GetValue<string>(), alert["title"]!.GetValue<string>(),
             alert["subject"]!.GetValue<string>(), alert["severity"]!.GetValue<string>(), alert["codes"]![0]!.GetValue<string>()));
        Assert.Equal(("2026-03-01T12:00:00Z", "2026-03-01T13:00:00Z", null, 7L),
            (alert["opened_at"]!.GetValue<string>(), alert["last_seen_at"]!.GetValue<string>(), alert["resolved_at"], alert["opened_audit_id"]!.GetValue<long>()));
        Assert.Equal(FindingCatalog.Find("sts.mx.not-covered")!.Fix, alert["fix"]!.GetValue<string>());

        var second = JsonNode.Parse(receiver.Requests.Single(r => r.Headers["X-Mailtls-Delivery"] == "2").Body)!;
        Assert.Equal(("resolved", "2026-03-01T14:00:00Z", 9L), (second["event"]!.GetValue<string>(), second["alert"]!["resolved_at"]!.GetValue<string>(), second["alert"]!["resolved_audit_id"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Server_errors_are_retried_within_the_pass()
    {
        await using var receiver = new Receiver(n => (n < 3 ? 503 : 200, TimeSpan.Zero));
        using var sink = Sink(receiver.Url);
        var outcome = Assert.Single(await sink.DeliverAsync([Notice(5)], WatchTestData.T0));
        Assert.Equal(NoticeState.Delivered, outcome.State);
        Assert.Equal(3, receiver.Requests.Count);
        Assert.All(receiver.Requests, r => Assert.Equal("5", r.Headers["X-Mailtls-Delivery"]));
    }

    [Fact]
    public async Task A_client_error_is_final()
    {
        await using var receiver = new Receiver(_ => (400, TimeSpan.Zero));
        using var sink = Sink(receiver.Url);
        var outcome = Assert.Single(await sink.DeliverAsync([Notice(5)], WatchTestData.T0));
        Assert.Equal(NoticeState.Failed, outcome.State);
        Assert.Contains("HTTP 400", outcome.Error, StringComparison.Ordinal);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task A_slow_receiver_hits_the_deadline_and_stays_pending()
    {
        await using var receiver = new Receiver(_ => (200, TimeSpan.FromSeconds(3)));
        using var sink = Sink(receiver.Url, timeout: TimeSpan.FromMilliseconds(300), attempts: 2);
        var outcome = Assert.Single(await sink.DeliverAsync([Notice(5)], WatchTestData.T0));
        Assert.Equal(NoticeState.Pending, outcome.State);
        Assert.Contains("no answer within 0.3 s (after 2 attempt(s))", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(2, receiver.Requests.Count);
    }

    [Fact]
    public async Task A_closed_port_stays_pending()
    {
        using var sink = Sink(new Uri($"http://127.0.0.1:{FreePort()}/x"), attempts: 2);
        var outcome = Assert.Single(await sink.DeliverAsync([Notice(5)], WatchTestData.T0));
        Assert.Equal(NoticeState.Pending, outcome.State);
        Assert.Contains("ConnectionError", outcome.Error, StringComparison.Ordinal);
    }
}
