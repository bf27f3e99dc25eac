using System.Net;

namespace MailTls.Server.Tests;

/// <summary>Scope point 4: /healthz and /metrics on the admin listener only; graceful stop.</summary>
public sealed class AdminTests
{
    [Fact]
    public async Task Healthz_and_metrics_are_on_the_admin_listener_only()
    {
        await using var server = await ServerHarness.StartAsync();
        using var http = new HttpClient();
        using var health = await http.GetAsync(new Uri($"http://127.0.0.1:{server.AdminPort}/healthz"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("application/json; charset=utf-8", health.Content.Headers.ContentType!.ToString());

        _ = await RawHttp.SendAsync(server.HttpPort, null, RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com\nConnection: close\n\n"));
        _ = await RawHttp.SendAsync(server.HttpPort, null, RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nHost: nobody.example\nConnection: close\n\n"));
        using var metrics = await http.GetAsync(new Uri($"http://127.0.0.1:{server.AdminPort}/metrics"));
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.StartsWith("text/plain; version=0.0.4", metrics.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Contains("mailtls_serve_requests_total{host=\"mta-sts.example.com\",status=\"200\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("mailtls_serve_requests_total{host=\"other\",status=\"404\"} 1", text, StringComparison.Ordinal);
        Assert.Matches("mailtls_serve_certificate_expiry_seconds\\{host=\"mta-sts.example.com\"\\} 77\\d{5}\n", text);

        foreach (var port in new[] { server.HttpPort })
        {
            var r = await RawHttp.SendAsync(port, null, RawHttp.Request("GET /healthz HTTP/1.1\nHost: mta-sts.example.com\nConnection: close\n\n"));
            Assert.Equal(404, r!.Status);
        }

        var a = await RawHttp.SendAsync(server.AdminPort, null, RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com\nConnection: close\n\n"));
        Assert.Equal(404, a!.Status);
    }

    [Fact]
    public async Task A_missing_certificate_makes_healthz_fail()
    {
        await using var server = await ServerHarness.StartAsync(prepare: dir => Directory.Delete(Path.Combine(dir, "certs", "mta-sts.example.org"), recursive: true));
        using var http = new HttpClient();
        using var health = await http.GetAsync(new Uri($"http://127.0.0.1:{server.AdminPort}/healthz"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains("serve.cert.missing", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await RawHttp.CertificateAsync(server.TlsPort, "mta-sts.example.org"));
        Assert.NotNull(await RawHttp.CertificateAsync(server.TlsPort, "mta-sts.example.com"));
    }

    [Fact]
    public async Task Stop_closes_the_listeners()
    {
        var server = await ServerHarness.StartAsync();
        var port = server.TlsPort;
        await server.Host.StopAsync();
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(async () =>
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync("127.0.0.1", port);
        });
        await server.DisposeAsync();
    }
}
