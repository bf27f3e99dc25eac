using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MailTls.Reports;
using MailTls.Reports.Storage;
using MailTls.Tests.Shared;

namespace MailTls.Server.Tests.Receiver;

/// <summary>
/// The TLS-RPT HTTPS receiver of <c>mailtls serve</c> (RFC 8460 §3), through a real Kestrel on loopback with TLS:
/// the golden samples stored exactly, the answers to every kind of bad input, and the store's failures.
/// </summary>
public sealed class ReceiverTests
{
    private static string TempDir() => Directory.CreateTempSubdirectory("mailtls-receiver-test-").FullName;

    [Fact]
    public async Task Golden_samples_post_with_exact_totals_and_codes_and_a_second_post_is_a_duplicate()
    {
        // One tenant (and one fresh store) per body, as each sample file would be imported into a fresh database.
        var dir = TempDir();
        var bodies = ReceiverSupport.GoldenBodies();
        Assert.Equal(TlsRptGolden.Samples.Length * 2 + TlsRptGolden.Messages.Length, bodies.Count);
        var tenants = bodies.Select((b, i) => (Body: b, Name: $"t{i}", Path: "/tlsrpt/" + ReceiverSupport.Token(), Db: Path.Combine(dir, $"t{i}.db"))).ToList();
        await using var server = await ReceiverSupport.StartAsync(ReceiverSupport.Config(tenants.Select(t => ReceiverSupport.Tenant(t.Name, t.Path, t.Db))));
        using var client = ReceiverSupport.Client(server.TlsPort, server.Pki.Ca);
        foreach (var (body, _, path, db) in tenants)
        {
            var (status, json, response) = await ReceiverSupport.PostAsync(client, path, body.Bytes, body.MediaType);
            response.Dispose();
            Assert.True(status == HttpStatusCode.OK, $"{body.Name}: {status} {json}");
            Assert.Equal("imported", json.GetProperty("status").GetString());
            Assert.Equal(body.Expected.ReportId, json.GetProperty("report_id").GetString());

            (status, json, response) = await ReceiverSupport.PostAsync(client, path, body.Bytes, body.MediaType);
            response.Dispose();
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("duplicate", json.GetProperty("status").GetString());

            await using var store = await ReportDatabase.OpenAsync(db);
            var summary = await store.SummaryAsync(new SummaryQuery());
            Assert.Equal((1L, body.Expected.Ok, body.Expected.Failed), (summary.Reports, summary.SuccessfulSessions, summary.FailedSessions));
            var stored = Assert.Single(await store.FindAsync(body.Expected.ReportId));
            Assert.Equal(body.Expected.Codes, stored.Deviations.Select(d => d.Code).ToArray());
            Assert.Equal(body.Expected.Policies, stored.Policies.Count);
            Assert.Equal((1L, 0L), ((await store.CountsAsync()).Reports, (await store.CountsAsync()).Quarantined));
        }
    }

    [Fact]
    public async Task Mislabelled_bodies_are_read_by_their_content()
    {
        var dir = TempDir();
        var path = "/reports/" + ReceiverSupport.Token();
        await using var server = await ReceiverSupport.StartAsync(ReceiverSupport.Config([ReceiverSupport.Tenant("a", path, Path.Combine(dir, "a.db"))]));
        using var client = ReceiverSupport.Client(server.TlsPort, server.Pki.Ca);
        var cases = new (byte[] Body, string? Type)[]
        {
            (ReceiverSupport.Gzip(Encoding.UTF8.GetBytes(ReceiverSupport.Report(1, 5))), "application/tlsrpt+json"),
            (ReceiverSupport.Gzip(Encoding.UTF8.GetBytes(ReceiverSupport.Report(2, 5))), "application/octet-stream"),
            (Encoding.UTF8.GetBytes(ReceiverSupport.Report(3, 5)), "text/plain; charset=utf-8"),
            (Encoding.UTF8.GetBytes(ReceiverSupport.Report(4, 5)), null),
            (Encoding.UTF8.GetBytes(ReceiverSupport.Report(5, 5)), "application/tlsrpt+gzip"),
        };
        foreach (var (body, type) in cases)
        {
            var (status, json, response) = await ReceiverSupport.PostAsync(client, path, body, type);
            response.Dispose();
            Assert.True(status == HttpStatusCode.OK, $"{type}: {status} {json}");
            Assert.Equal("imported", json.GetProperty("status").GetString());
        }

        await using var store = await ReportDatabase.OpenAsync(Path.Combine(dir, "a.db"));
        Assert.Equal(5, (await store.CountsAsync()).Reports);
        Assert.Contains(server.Logs.Lines, l => l.Message.Contains("body labelled application/octet-stream is Gzip", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Http2_posts_are_received_too()
    {
        var dir = TempDir();
        var path = "/tlsrpt/" + ReceiverSupport.Token();
        await using var server = await ReceiverSupport.StartAsync(ReceiverSupport.Config([ReceiverSupport.Tenant("a", path, Path.Combine(dir, "a.db"))]));
        using var client = ReceiverSupport.Client(server.TlsPort, server.Pki.Ca, version: HttpVersion.Version20);
        var (status, json, response) = await ReceiverSupport.PostAsync(client, path, ReceiverSupport.Gzip(Encoding.UTF8.GetBytes(ReceiverSupport.Report(1, 3))), "application/tlsrpt+gzip");
        Assert.Equal(HttpVersion.Version20, response.Version);
        response.Dispose();
        Assert.Equal((HttpStatusCode.OK, "imported"), (status, json.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Unknown_paths_get_the_404_every_unknown_request_gets()
    {
        var dir = TempDir();
        var path = "/tlsrpt/" + ReceiverSupport.Token();
        await using var server = await ReceiverSupport.StartAsync(ReceiverSupport.Config([ReceiverSupport.Tenant("a", path, Path.Combine(dir, "a.db"))]));
        var body = ReceiverSupport.Gzip(Encoding.UTF8.GetBytes(ReceiverSupport.Report(1, 3)));

        // The reference: a POST to a path nobody configured, on a policy host.
        var reference = await RawPostAsync(server.TlsPort, "mta-sts.example.com", "/tlsrpt/" + ReceiverSupport.Token(), body);
        Assert.Equal(404, reference.Status);
        Assert.Empty(reference.Body);

        var probes = new (int Port, string? Sni, string Host, string Target)[]
        {
            (server.TlsPort, ReceiverSupport.Host, ReceiverSupport.Host, "/tlsrpt/" + ReceiverSupport.Token()),   // a wrong token
            (server.TlsPort, ReceiverSupport.Host, ReceiverSupport.Host, path[..^1]),                              // one character short
            (server.TlsPort, ReceiverSupport.Host, ReceiverSupport.Host, path + "/"),
            (server.TlsPort, ReceiverSupport.Host, ReceiverSupport.Host, path + "?x=1"),
            (server.TlsPort, ReceiverSupport.Host, ReceiverSupport.Host, path.ToUpperInvariant()),
            (server.TlsPort, ReceiverSupport.Host, ReceiverSupport.Host, "/tlsrpt/%2e%2e" + path),
            (server.TlsPort, ReceiverSupport.Host, ReceiverSupport.Host, "/"),
            (server.TlsPort, "mta-sts.example.com", "mta-sts.example.com", path),                                 // the right path on another host
            (server.HttpPort, null, ReceiverSupport.Host, path),                                                  // plain HTTP: HTTPS only
        };
        foreach (var (port, sni, host, target) in probes)
        {
            var r = await RawPostAsync(port, sni, target, body, host);
            Assert.True(r.Status == 404, $"{host}{target}: {r.Status}");
            Assert.Empty(r.Body);
            Assert.Equal(HeaderNames(reference), HeaderNames(r));
        }

        await using var store = await ReportDatabase.OpenAsync(Path.Combine(dir, "a.db"));
        Assert.Equal(0, (await store.CountsAsync()).Reports);
        var metrics = await server.AdminGetAsync("/metrics");
        Assert.Contains($"mailtls_serve_requests_total{{host=\"{ReceiverSupport.Host}\",status=\"404\"}} 8\n", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("mailtls_serve_tlsrpt_reports_total{", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusals_have_their_status_a_problem_body_a_log_line_and_a_metric()
    {
        var dir = TempDir();
        var a = "/tlsrpt/" + ReceiverSupport.Token();
        var scoped = "/tlsrpt/" + ReceiverSupport.Token();
        await using var server = await ReceiverSupport.StartAsync(ReceiverSupport.Config(
        [
            ReceiverSupport.Tenant("a", a, Path.Combine(dir, "a.db")),
            ReceiverSupport.Tenant("scoped", scoped, Path.Combine(dir, "a.db"), "domains: [example.org]"),
        ]));
        using var client = ReceiverSupport.Client(server.TlsPort, server.Pki.Ca);

        // Neither labelled as a report nor looking like one.
        await ExpectAsync(client, a, Encoding.UTF8.GetBytes("<html>hello</html>"), "text/html", HttpStatusCode.UnsupportedMediaType, "is not application/tlsrpt+gzip");
        // Labelled as a report, but neither gzip nor JSON.
        await ExpectAsync(client, a, Encoding.UTF8.GetBytes("not a report"), "application/tlsrpt+json", HttpStatusCode.BadRequest, "neither gzip nor a JSON object");
        await ExpectAsync(client, a, [], "application/tlsrpt+gzip", HttpStatusCode.BadRequest, "empty");
        // A gzip bomb: 100 KB that inflates past the 20 MiB cap.
        await ExpectAsync(client, a, ReceiverSupport.Gzip(new byte[Limits.TlsRptMaxDecompressedBytes + 1024]), "application/tlsrpt+gzip", HttpStatusCode.RequestEntityTooLarge,
            "decompresses to more than");
        // JSON that is not a report: kept in quarantine, 422.
        await ExpectAsync(client, a, Encoding.UTF8.GetBytes("{\"hello\": \"world\"}"), "application/tlsrpt+json", (HttpStatusCode)422, "kept in quarantine");
        // A report for a domain the tenant does not accept.
        await ExpectAsync(client, scoped, ReceiverSupport.Gzip(Encoding.UTF8.GetBytes(ReceiverSupport.Report(9, 1, domain: "example.com"))), "application/tlsrpt+gzip",
            HttpStatusCode.Forbidden, "accepted domain");
        // Another method.
        using (var get = await client.GetAsync(new Uri(a, UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
            Assert.Equal("POST", string.Join(",", get.Content.Headers.Allow));
        }

        await using (var store = await ReportDatabase.OpenAsync(Path.Combine(dir, "a.db")))
        {
            var counts = await store.CountsAsync();
            Assert.Equal((0L, 1L), (counts.Reports, counts.Quarantined));
        }

        var metrics = await server.AdminGetAsync("/metrics");
        foreach (var (tenant, outcome, n) in new[]
        {
            ("a", "unsupported_media_type", 1), ("a", "bad_request", 2), ("a", "too_large", 1), ("a", "quarantined", 1), ("scoped", "refused_domain", 1), ("a", "method_not_allowed", 1),
        })
        {
            Assert.Contains($"mailtls_serve_tlsrpt_reports_total{{tenant=\"{tenant}\",outcome=\"{outcome}\"}} {n}\n", metrics, StringComparison.Ordinal);
        }

        Assert.Equal(7, server.Logs.Lines.Count(l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning && l.Message.Contains("refused a report", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Oversize_bodies_are_413_whether_announced_or_chunked()
    {
        var dir = TempDir();
        var path = "/tlsrpt/" + ReceiverSupport.Token();
        await using var server = await ReceiverSupport.StartAsync(ReceiverSupport.Config([ReceiverSupport.Tenant("a", path, Path.Combine(dir, "a.db"))]));
        var big = new byte[Limits.TlsRptMaxCompressedBytes + 1];
        big[0] = 0x1F;
        big[1] = 0x8B;

        // Announced by Content-Length: refused before the body is read (with Expect: 100-continue the client then
        // never sends it, as curl does for large bodies).
        using (var client = ReceiverSupport.Client(server.TlsPort, server.Pki.Ca))
        {
            client.DefaultRequestHeaders.ExpectContinue = true;
            await ExpectAsync(client, path, big, "application/tlsrpt+gzip", HttpStatusCode.RequestEntityTooLarge, "the limit is");
        }

        // No length (HTTP/2 DATA frames): refused once the body passes the cap; HTTP/2 lets the answer arrive while
        // the client is still sending.
        using (var h2 = ReceiverSupport.Client(server.TlsPort, server.Pki.Ca, version: HttpVersion.Version20))
        {
            using var content = new StreamContent(new NoLengthStream(big));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/tlsrpt+gzip");
            using var response = await h2.PostAsync(new Uri(path, UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Null(content.Headers.ContentLength);
        }

        Assert.Equal(2, server.Host.Runtime.Metrics.Reports("a", "too_large"));
        await using var store = await ReportDatabase.OpenAsync(Path.Combine(dir, "a.db"));
        Assert.Equal((0L, 0L), ((await store.CountsAsync()).Reports, (await store.CountsAsync()).Quarantined));
    }

    [Fact]
    public async Task Rate_limited_posts_get_429_with_retry_after_and_are_not_stored()
    {
        var dir = TempDir();
        var path = "/tlsrpt/" + ReceiverSupport.Token();
        var other = "/tlsrpt/" + ReceiverSupport.Token();
        await using var server = await ReceiverSupport.StartAsync(ReceiverSupport.Config(
        [
            ReceiverSupport.Tenant("slow", path, Path.Combine(dir, "a.db"), "rate_per_minute: 1, burst: 2"),
            ReceiverSupport.Tenant("other", other, Path.Combine(dir, "a.db"), "rate_per_minute: 1, burst: 2"),
        ]));
        using var client = ReceiverSupport.Client(server.TlsPort, server.Pki.Ca);
        for (var i = 0; i < 2; i++)
        {
            var (status, _, r) = await ReceiverSupport.PostAsync(client, path, ReceiverSupport.Gzip(Encoding.UTF8.GetBytes(ReceiverSupport.Report(i, 1))), "application/tlsrpt+gzip");
            r.Dispose();
            Assert.Equal(HttpStatusCode.OK, status);
        }

        var (limited, problem, response) = await ReceiverSupport.PostAsync(client, path, ReceiverSupport.Gzip(Encoding.UTF8.GetBytes(ReceiverSupport.Report(3, 1))), "application/tlsrpt+gzip");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.True(response.Headers.ConnectionClose, "a refusal before the body is read ends the HTTP/1.1 connection");
        response.Dispose();

        // Another tenant has its own bucket.
        var (otherStatus, _, o) = await ReceiverSupport.PostAsync(client, other, ReceiverSupport.Gzip(Encoding.UTF8.GetBytes(ReceiverSupport.Report(4, 1))), "application/tlsrpt+gzip");
        o.Dispose();
        Assert.Equal(HttpStatusCode.OK, otherStatus);

        await using var store = await ReportDatabase.OpenAsync(Path.Combine(dir, "a.db"));
        Assert.Equal(3, (await store.CountsAsync()).Reports);
        Assert.Equal(1, server.Host.Runtime.Metrics.Reports("slow", "rate_limited"));
    }

    [Fact]
    public async Task An_unavailable_store_is_503_never_success_and_the_receiver_recovers()
    {
        var dir = TempDir();
        var path = "/tlsrpt/" + ReceiverSupport.Token();
        var db = Path.Combine(dir, "a.db");
        var clock = new ManualClock();
        var mode = "down";
        async Task<IReportStore> Open(string location, CancellationToken ct) => mode switch
        {
            "down" => throw new IOException("connection refused (simulated)"),
            "failing-writes" => new FailingWrites(await ReportDatabase.OpenAsync(location, cancellationToken: ct)),
            _ => await ReportDatabase.OpenAsync(location, cancellationToken: ct),
        };

        await using var server = await ReceiverSupport.StartAsync(ReceiverSupport.Config([ReceiverSupport.Tenant("a", path, db)]), clock, Open);
        using var client = ReceiverSupport.Client(server.TlsPort, server.Pki.Ca);
        var body = ReceiverSupport.Gzip(Encoding.UTF8.GetBytes(ReceiverSupport.Report(1, 7)));

        var (status, problem, response) = await ReceiverSupport.PostAsync(client, path, body, "application/tlsrpt+gzip");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(TimeSpan.FromMinutes(5), response.Headers.RetryAfter?.Delta);
        Assert.DoesNotContain("simulated", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        response.Dispose();
        Assert.Contains(server.Logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Error && l.Message.Contains("TLSRPT STORE UNAVAILABLE", StringComparison.Ordinal));
        Assert.Contains("mailtls_serve_tlsrpt_store_up{tenant=\"a\"} 0", await server.AdminGetAsync("/metrics"), StringComparison.Ordinal);
        Assert.Contains("serve.tlsrpt.store-unavailable", await server.AdminGetAsync("/healthz"), StringComparison.Ordinal);

        // Open, but every write fails: still 503, never 2xx.
        mode = "failing-writes";
        clock.Advance(Limits.ReportReceiverStoreReopenInterval);
        (status, _, response) = await ReceiverSupport.PostAsync(client, path, body, "application/tlsrpt+gzip");
        response.Dispose();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains(server.Logs.Lines, l => l.Message.Contains("TLSRPT STORE WRITE FAILED", StringComparison.Ordinal));
        Assert.False(File.Exists(db) && (await CountAsync(db)) > 0);
        Assert.Equal(2, server.Host.Runtime.Metrics.Reports("a", "store_unavailable"));
        Assert.Equal(0, server.Host.Runtime.Metrics.Reports("a", "imported"));
    }

    [Fact]
    public async Task A_store_that_comes_back_is_used_after_the_reopen_interval()
    {
        var dir = TempDir();
        var path = "/tlsrpt/" + ReceiverSupport.Token();
        var db = Path.Combine(dir, "a.db");
        var clock = new ManualClock();
        var up = false;
        async Task<IReportStore> Open(string location, CancellationToken ct) =>
            up ? await ReportDatabase.OpenAsync(location, cancellationToken: ct) : throw new IOException("down (simulated)");

        await using var server = await ReceiverSupport.StartAsync(ReceiverSupport.Config([ReceiverSupport.Tenant("a", path, db)]), clock, Open);
        using var client = ReceiverSupport.Client(server.TlsPort, server.Pki.Ca);
        var body = ReceiverSupport.Gzip(Encoding.UTF8.GetBytes(ReceiverSupport.Report(1, 7)));
        up = true;

        // Within the reopen interval the receiver does not hammer the store: still 503.
        var (status, _, response) = await ReceiverSupport.PostAsync(client, path, body, "application/tlsrpt+gzip");
        response.Dispose();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);

        clock.Advance(Limits.ReportReceiverStoreReopenInterval);
        (status, _, response) = await ReceiverSupport.PostAsync(client, path, body, "application/tlsrpt+gzip");
        response.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, await CountAsync(db));
        Assert.Contains("mailtls_serve_tlsrpt_store_up{tenant=\"a\"} 1", await server.AdminGetAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_hundred_concurrent_posts_store_each_report_once_sqlite() =>
        await ReceiverSupport.ConcurrentPostsAsync(Path.Combine(TempDir(), "concurrent.db"));

    [Fact]
    public async Task Healthz_lists_the_receiver_without_its_secrets()
    {
        var dir = TempDir();
        var token = ReceiverSupport.Token();
        await using var server = await ReceiverSupport.StartAsync(ReceiverSupport.Config([ReceiverSupport.Tenant("a", "/tlsrpt/" + token, Path.Combine(dir, "a.db"))]));
        var health = await server.AdminGetAsync("/healthz");
        Assert.Contains("\"host\": \"tlsrpt.example.net\"", health, StringComparison.Ordinal);
        Assert.Contains("\"store_open\": true", health, StringComparison.Ordinal);
        Assert.DoesNotContain(token, health, StringComparison.Ordinal);
        Assert.DoesNotContain(token, string.Join("\n", server.Logs.Lines.Select(l => l.Message)), StringComparison.Ordinal);
    }

    private static async Task<long> CountAsync(string db)
    {
        await using var store = await ReportDatabase.OpenAsync(db);
        return (await store.CountsAsync()).Reports;
    }

    private static async Task ExpectAsync(HttpClient client, string path, byte[] body, string type, HttpStatusCode expected, string detail)
    {
        var (status, problem, response) = await ReceiverSupport.PostAsync(client, path, body, type);
        Assert.True(status == expected, $"{type}: {status} {problem}, expected {expected}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        response.Dispose();
    }

    private static async Task<RawResponse> RawPostAsync(int port, string? sni, string target, byte[] body, string? host = null)
    {
        var head = RawHttp.Request($"POST {target} HTTP/1.1\nHost: {host ?? sni}\nContent-Type: application/tlsrpt+gzip\nContent-Length: {body.Length}\nConnection: close\n\n");
        var r = await RawHttp.SendAsync(port, sni, [.. head, .. body]);
        Assert.NotNull(r);
        return r;
    }

    private static string HeaderNames(RawResponse r) => string.Join(",", r.Headers.Keys.Where(k => k != "DATE").Order(StringComparer.Ordinal));

    /// <summary>A clock the test moves forward (the reopen interval, the rate limiter).</summary>
    private sealed class ManualClock : TimeProvider
    {
        private TimeSpan offset;

        public void Advance(TimeSpan by) => offset += by + TimeSpan.FromMilliseconds(1);

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }

    /// <summary>A stream without a length, so HttpClient sends it chunked.</summary>
    private sealed class NoLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    /// <summary>A store that opens but cannot write (disk full, a lost connection).</summary>
    private sealed class FailingWrites(SqlReportStore inner) : IReportStore
    {
        public string Description => inner.Description;

        public Task MigrateAsync(CancellationToken cancellationToken = default) => inner.MigrateAsync(cancellationToken);

        public Task<IReadOnlyList<IngestOutcome>> StoreAsync(IReadOnlyList<PipelineItem> items, CancellationToken cancellationToken = default) =>
            throw new IOException("disk full (simulated)");

        public Task<SummaryResult> SummaryAsync(SummaryQuery query, CancellationToken cancellationToken = default) => inner.SummaryAsync(query, cancellationToken);

        public Task<IReadOnlyList<StoredReport>> FindAsync(string reportId, CancellationToken cancellationToken = default) => inner.FindAsync(reportId, cancellationToken);

        public Task<ReadinessData> ReadinessDataAsync(string domain, DateTimeOffset since, CancellationToken cancellationToken = default) => inner.ReadinessDataAsync(domain, since, cancellationToken);

        public Task<IReadOnlyList<DailyPoint>> DailyAsync(SummaryQuery query, CancellationToken cancellationToken = default) => inner.DailyAsync(query, cancellationToken);

        public Task<StoreCounts> CountsAsync(CancellationToken cancellationToken = default) => inner.CountsAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
