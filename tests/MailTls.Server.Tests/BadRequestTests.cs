using System.Net.Sockets;
using System.Text;

namespace MailTls.Server.Tests;

/// <summary>Acceptance: bad requests get a 4xx or a timeout, never another domain's policy, never a crash.</summary>
public sealed class BadRequestTests : IAsyncLifetime
{
    private ServerHarness server = null!;

    public async Task InitializeAsync() => server = await ServerHarness.StartAsync();

    public async Task DisposeAsync()
    {
        // never a crash: after every bad request the server still answers a good one
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com",
            RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com\nConnection: close\n\n"));
        Assert.Equal(200, r!.Status);
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Oversized_headers_are_431()
    {
        var big = new string('a', 20_000);
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com",
            RawHttp.Request($"GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com\nX-Big: {big}\n\n"));
        Assert.Equal(431, r!.Status);
        Assert.DoesNotContain("version: STSv1", Encoding.UTF8.GetString(r.Raw), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_headers_are_431()
    {
        var many = string.Concat(Enumerable.Range(0, 100).Select(i => $"X-H{i}: v\n"));
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com",
            RawHttp.Request($"GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com\n{many}\n"));
        Assert.Equal(431, r!.Status);
    }

    [Fact]
    public async Task An_oversized_request_line_is_414()
    {
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com",
            RawHttp.Request($"GET /.well-known/mta-sts.txt?{new string('x', 4000)} HTTP/1.1\nHost: mta-sts.example.com\n\n"));
        Assert.Equal(414, r!.Status);
    }

    [Theory]
    [InlineData("/.well-known/../.well-known/mta-sts.txt")]
    [InlineData("/.well-known/%2e%2e/.well-known/mta-sts.txt")]
    [InlineData("/%2E%2E/.well-known/mta-sts.txt")]
    [InlineData("/.well-known/./mta-sts.txt")]
    [InlineData("/.well-known/mta-sts%2etxt")]
    [InlineData("//.well-known/mta-sts.txt")]
    [InlineData("/.well-known/mta-sts.txt%00")]
    [InlineData("/.well-known/mta-sts.txt/..")]
    [InlineData("/.well-known%2fmta-sts.txt")]
    [InlineData("https://mta-sts.example.com/.well-known/mta-sts.txt")]
    public async Task Path_traversal_and_encodings_are_4xx(string target)
    {
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com",
            RawHttp.Request($"GET {target} HTTP/1.1\nHost: mta-sts.example.com\nConnection: close\n\n"));
        Assert.InRange(r!.Status, 400, 499);
        Assert.DoesNotContain("version: STSv1", Encoding.UTF8.GetString(r.Raw), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http10_without_host_is_400()
    {
        var tls = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com", RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.0\n\n"));
        Assert.Equal(400, tls!.Status);
        var plain = await RawHttp.SendAsync(server.HttpPort, null, RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.0\n\n"));
        Assert.Equal(400, plain!.Status);
        Assert.Empty(plain.Body);
    }

    [Fact]
    public async Task Http11_without_host_is_400()
    {
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com", RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nConnection: close\n\n"));
        Assert.Equal(400, r!.Status);
    }

    [Fact]
    public async Task Two_host_headers_are_400()
    {
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com",
            RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com\nHost: mta-sts.example.org\nConnection: close\n\n"));
        Assert.Equal(400, r!.Status);
    }

    [Fact]
    public async Task A_body_on_get_is_refused()
    {
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com",
            RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com\nContent-Length: 5\nConnection: close\n\nhello"));
        Assert.InRange(r!.Status, 400, 413);
        Assert.DoesNotContain("version: STSv1", Encoding.UTF8.GetString(r.Raw), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_is_400()
    {
        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com", Encoding.ASCII.GetBytes("\x01\x02 garbage \xff\r\n\r\n"));
        Assert.Equal(400, r!.Status);
    }

    [Fact]
    public async Task Slowloris_trickle_gets_408_or_is_closed()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.HttpPort);
        var stream = tcp.GetStream();
        var request = RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n\n");
        var started = DateTime.UtcNow;
        var closed = false;
        var response = new MemoryStream();
        using var reader = new CancellationTokenSource();
        var readTask = Task.Run(async () =>
        {
            var buf = new byte[1024];
            int n;
            try
            {
                while ((n = await stream.ReadAsync(buf, reader.Token)) > 0)
                {
                    response.Write(buf, 0, n);
                }
            }
            catch (IOException)
            {
            }
            catch (OperationCanceledException)
            {
            }

            closed = true;
        });
        foreach (var b in request)
        {
            if (closed || DateTime.UtcNow - started > TimeSpan.FromSeconds(20))
            {
                break;
            }

            try
            {
                await stream.WriteAsync(new[] { b });
            }
            catch (IOException)
            {
                break;
            }

            await Task.Delay(500);
        }

        await Task.WhenAny(readTask, Task.Delay(TimeSpan.FromSeconds(5)));
        await reader.CancelAsync();
        await readTask;
        var elapsed = DateTime.UtcNow - started;
        Assert.True(elapsed < TimeSpan.FromSeconds(20), $"the trickling connection was kept for {elapsed}");
        var parsed = RawHttp.Parse(response.ToArray());
        Assert.True(parsed is null || parsed.Status == 408, $"expected 408 or a closed connection, got {parsed?.Status}");
        Assert.DoesNotContain("version: STSv1", Encoding.UTF8.GetString(response.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_combination_of_sni_and_host_yields_another_domains_policy()
    {
        string?[] snis = ["mta-sts.example.com", "mta-sts.example.org"];
        string?[] hosts = [null, "mta-sts.example.com", "mta-sts.example.org", "MTA-STS.EXAMPLE.ORG", "mta-sts.example.org:443", "mta-sts.example.org.", "example.org", "mta-sts.example.com, mta-sts.example.org", "[::1]", "mta-sts.example.org@mta-sts.example.com"];
        foreach (var sni in snis)
        {
            foreach (var host in hosts)
            {
                var header = host is null ? string.Empty : $"Host: {host}\n";
                var r = await RawHttp.SendAsync(server.TlsPort, sni, RawHttp.Request($"GET /.well-known/mta-sts.txt HTTP/1.1\n{header}Connection: close\n\n"));
                Assert.NotNull(r);
                var body = Encoding.UTF8.GetString(r.Body);
                if (r.Status == 200)
                {
                    Assert.Equal(sni == "mta-sts.example.com" ? ServerHarness.ComPolicyCrlf : ServerHarness.OrgPolicy, body);
                }
                else
                {
                    Assert.InRange(r.Status, 400, 499);
                    Assert.DoesNotContain("version: STSv1", body, StringComparison.Ordinal);
                }
            }
        }
    }
}
