// Tests look at whatever certificate the server presents; trust is not what they check.
#pragma warning disable CA5359
using System.Net;
using System.Text;

namespace MailTls.Server.Tests;

/// <summary>Scope point 2: exactly one answer, on exactly one path, for exactly the named host.</summary>
public sealed class PolicyServingTests : IAsyncLifetime
{
    private ServerHarness server = null!;

    public async Task InitializeAsync() => server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Theory]
    [InlineData("mta-sts.example.com")]
    [InlineData("mta-sts.example.org")]
    public async Task Sni_selects_the_hosts_certificate(string host)
    {
        var cert = await RawHttp.CertificateAsync(server.TlsPort, host);
        Assert.NotNull(cert);
        Assert.Equal("CN=" + host, cert.Subject);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("mta-sts.unknown.example")]
    [InlineData("example.com")]
    public async Task No_certificate_without_a_configured_sni_name(string? sni)
    {
        Assert.Null(await RawHttp.CertificateAsync(server.TlsPort, sni));
    }

    [Fact]
    public async Task Get_returns_the_exact_canonical_bytes_and_headers()
    {
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com",
            RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com\nConnection: close\n\n"));
        Assert.NotNull(r);
        Assert.Equal(200, r.Status);
        Assert.Equal("text/plain; charset=utf-8", r.Header("Content-Type"));
        Assert.Equal("max-age=60", r.Header("Cache-Control"));
        Assert.Equal(Encoding.UTF8.GetBytes(ServerHarness.ComPolicyCrlf), r.Body);
        Assert.Equal(r.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Header("Content-Length"));
        Assert.Null(r.Header("Location"));
    }

    [Fact]
    public async Task A_policy_file_is_served_verbatim()
    {
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.org",
            RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nHost: MTA-STS.Example.ORG.\nConnection: close\n\n"));
        Assert.Equal(200, r!.Status);
        Assert.Equal(Encoding.UTF8.GetBytes(ServerHarness.OrgPolicy), r.Body);
    }

    [Fact]
    public async Task Head_returns_the_headers_without_a_body()
    {
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com",
            RawHttp.Request("HEAD /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com\nConnection: close\n\n"));
        Assert.Equal(200, r!.Status);
        Assert.Equal(Encoding.UTF8.GetByteCount(ServerHarness.ComPolicyCrlf).ToString(System.Globalization.CultureInfo.InvariantCulture), r.Header("Content-Length"));
        Assert.Empty(r.Body);
    }

    [Fact]
    public async Task Http2_serves_the_same_bytes()
    {
        using var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            ConnectCallback = async (ctx, ct) =>
            {
                var s = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await s.ConnectAsync(IPAddress.Loopback, server.TlsPort, ct);
                return new System.Net.Sockets.NetworkStream(s, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await http.GetAsync(new Uri("https://mta-sts.example.com/.well-known/mta-sts.txt"));
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(ServerHarness.ComPolicyCrlf), await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("GET / HTTP/1.1")]
    [InlineData("GET /.well-known/mta-sts.txt?x=1 HTTP/1.1")]
    [InlineData("GET /.well-known/mta-sts.txt/ HTTP/1.1")]
    [InlineData("GET /.well-known/MTA-STS.TXT HTTP/1.1")]
    [InlineData("GET /.well-known/ HTTP/1.1")]
    [InlineData("GET /healthz HTTP/1.1")]
    [InlineData("GET /metrics HTTP/1.1")]
    public async Task Other_paths_are_404(string requestLine)
    {
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com",
            RawHttp.Request(requestLine + "\nHost: mta-sts.example.com\nConnection: close\n\n"));
        Assert.Equal(404, r!.Status);
        Assert.Empty(r.Body);
        Assert.Null(r.Header("Location"));
    }

    [Fact]
    public async Task Other_methods_are_405()
    {
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com",
            RawHttp.Request("DELETE /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com\nConnection: close\n\n"));
        Assert.Equal(405, r!.Status);
        Assert.Equal("GET, HEAD", r.Header("Allow"));
    }

    [Fact]
    public async Task Host_and_sni_must_agree()
    {
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com",
            RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.org\nConnection: close\n\n"));
        Assert.Equal(421, r!.Status);
        Assert.DoesNotContain("example.org", r.BodyText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mta-sts.unknown.example")]
    [InlineData("example.com")]
    [InlineData("127.0.0.1")]
    [InlineData("mta-sts.example.com.evil.example")]
    public async Task Unknown_hosts_are_404(string host)
    {
        var r = await RawHttp.SendAsync(server.HttpPort, null,
            RawHttp.Request($"GET /.well-known/mta-sts.txt HTTP/1.1\nHost: {host}\nConnection: close\n\n"));
        Assert.Equal(404, r!.Status);
        Assert.Empty(r.Body);
    }

    [Fact]
    public async Task Plain_http_serves_the_same_answer_and_never_redirects()
    {
        var r = await RawHttp.SendAsync(server.HttpPort, null,
            RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com:80\nConnection: close\n\n"));
        Assert.Equal(200, r!.Status);
        Assert.Equal(Encoding.UTF8.GetBytes(ServerHarness.ComPolicyCrlf), r.Body);
        Assert.Null(r.Header("Location"));

        var other = await RawHttp.SendAsync(server.HttpPort, null, RawHttp.Request("GET / HTTP/1.1\nHost: mta-sts.example.com\nConnection: close\n\n"));
        Assert.Equal(404, other!.Status);
        Assert.Null(other.Header("Location"));
    }

    [Fact]
    public async Task Keep_alive_serves_several_requests_on_one_connection()
    {
        var one = "GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com\n\n";
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com",
            RawHttp.Request(one + one + "GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com\nConnection: close\n\n"));
        var text = Encoding.UTF8.GetString(r!.Raw);
        Assert.Equal(3, text.Split("HTTP/1.1 200 OK").Length - 1);
    }
}
