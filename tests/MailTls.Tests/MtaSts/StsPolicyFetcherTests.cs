using System.Net;
using System.Text;
using MailTls.MtaSts;
using MailTls.Tests.Smtp;

namespace MailTls.Tests.MtaSts;

/// <summary>
/// The RFC 8461 §3.3 fetch rules against a loopback HTTPS server (TcpListener + SslStream, a test CA trusted through
/// <see cref="StsPolicyFetcherOptions.TrustedRoots"/>): redirects are results with the Location, only 200, the media
/// type, the size cap from Content-Length and while reading, the deadline, and the certificate checks.
/// </summary>
public sealed class StsPolicyFetcherTests : IDisposable
{
    private const string Domain = "example.test";
    private const string Policy = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 604800\r\n";
    private readonly LoopbackPki pki = new();

    public void Dispose() => pki.Dispose();

    [Fact]
    public async Task Fetches_a_200_text_plain_policy_with_sni_host_and_no_cache()
    {
        var requests = new List<string>();
        await using var server = LoopbackServer.Https(pki.Leaf("mta-sts." + Domain), _ => Response("200 OK", "text/plain; charset=utf-8", Policy), requests);
        var result = await FetchAsync(server.Port);
        var fetched = Assert.IsType<StsPolicyFetchResult.Fetched>(result);
        Assert.Equal(Policy, Encoding.UTF8.GetString(fetched.Body));
        Assert.Null(fetched.ResultType);
        Assert.True(fetched.Tls.Pki.IsValid);
        Assert.Equal("CN=mta-sts." + Domain, fetched.Tls.Chain[0].Subject);
        var head = Assert.Single(requests);
        Assert.StartsWith("GET /.well-known/mta-sts.txt HTTP/1.1\r\n", head, StringComparison.Ordinal);
        Assert.Contains("Host: mta-sts." + Domain + "\r\n", head, StringComparison.Ordinal);
        Assert.DoesNotContain("Cookie", head, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("301 Moved Permanently")]
    [InlineData("302 Found")]
    [InlineData("307 Temporary Redirect")]
    public async Task A_redirect_is_not_followed_and_carries_the_location(string status)
    {
        var requests = new List<string>();
        await using var server = LoopbackServer.Https(pki.Leaf("mta-sts." + Domain), _ => Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status}\r\nLocation: https://elsewhere.test/policy.txt\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), requests);
        var redirect = Assert.IsType<StsPolicyFetchResult.Redirect>(await FetchAsync(server.Port));
        Assert.Equal(int.Parse(status[..3], System.Globalization.CultureInfo.InvariantCulture), redirect.Status);
        Assert.Equal("https://elsewhere.test/policy.txt", redirect.Location);
        Assert.Equal("sts-policy-fetch-error", redirect.ResultType);
        Assert.Single(requests);
    }

    [Theory]
    [InlineData("404 Not Found")]
    [InlineData("204 No Content")]
    [InlineData("500 Internal Server Error")]
    public async Task Any_other_status_than_200_is_an_http_status_result(string status)
    {
        await using var server = LoopbackServer.Https(pki.Leaf("mta-sts." + Domain), _ => Response(status, "text/plain", string.Empty));
        var result = Assert.IsType<StsPolicyFetchResult.HttpStatus>(await FetchAsync(server.Port));
        Assert.Equal(int.Parse(status[..3], System.Globalization.CultureInfo.InvariantCulture), result.Status);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/octet-stream")]
    public async Task Wrong_media_type_is_reported_with_the_body(string contentType)
    {
        await using var server = LoopbackServer.Https(pki.Leaf("mta-sts." + Domain), _ => Response("200 OK", contentType, Policy));
        var result = Assert.IsType<StsPolicyFetchResult.BadContentType>(await FetchAsync(server.Port));
        Assert.Equal(contentType, result.ContentType);
        Assert.Equal(Policy, Encoding.UTF8.GetString(result.Body));
    }

    [Fact]
    public async Task Content_length_over_the_cap_is_refused_before_reading()
    {
        await using var server = LoopbackServer.Https(pki.Leaf("mta-sts." + Domain), _ => Encoding.ASCII.GetBytes(
            $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {Limits.StsPolicyMaxBytes + 1}\r\nConnection: close\r\n\r\n"));
        var result = Assert.IsType<StsPolicyFetchResult.TooLarge>(await FetchAsync(server.Port));
        Assert.Equal(Limits.StsPolicyMaxBytes + 1, result.ContentLength);
        Assert.Equal(0, result.BytesRead);
    }

    [Fact]
    public async Task A_body_without_length_is_cut_at_the_cap_while_reading()
    {
        var big = Policy + string.Concat(Enumerable.Repeat("x-padding: " + new string('a', 1000) + "\r\n", 70));
        await using var server = LoopbackServer.Https(pki.Leaf("mta-sts." + Domain), _ => Encoding.ASCII.GetBytes(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n" + big));
        var result = Assert.IsType<StsPolicyFetchResult.TooLarge>(await FetchAsync(server.Port));
        Assert.Null(result.ContentLength);
        Assert.Equal(Limits.StsPolicyMaxBytes + 1, result.BytesRead);
    }

    [Fact]
    public async Task A_server_that_never_answers_hits_the_deadline()
    {
        await using var server = new LoopbackServer(async (stream, ct) => await Task.Delay(Timeout.Infinite, ct));
        var result = Assert.IsType<StsPolicyFetchResult.Timeout>(await FetchAsync(server.Port, TimeSpan.FromMilliseconds(500)));
        Assert.Equal("tls", result.Stage);
    }

    [Fact]
    public async Task Certificate_for_another_name_is_a_webpki_failure()
    {
        await using var server = LoopbackServer.Https(pki.Leaf("www." + Domain), _ => Response("200 OK", "text/plain", Policy));
        var result = Assert.IsType<StsPolicyFetchResult.TlsFailure>(await FetchAsync(server.Port));
        Assert.Equal(StsTlsFailureKind.NameMismatch, result.Kind);
        Assert.Equal("sts-webpki-invalid", result.ResultType);
        Assert.NotEmpty(result.Chain);
    }

    [Fact]
    public async Task Expired_certificate_is_a_webpki_failure()
    {
        var leaf = pki.Leaf("mta-sts." + Domain, DateTimeOffset.UtcNow.AddDays(-20), DateTimeOffset.UtcNow.AddDays(-2));
        await using var server = LoopbackServer.Https(leaf, _ => Response("200 OK", "text/plain", Policy));
        var result = Assert.IsType<StsPolicyFetchResult.TlsFailure>(await FetchAsync(server.Port));
        Assert.Equal(StsTlsFailureKind.Expired, result.Kind);
    }

    [Fact]
    public async Task Untrusted_issuer_is_a_webpki_failure()
    {
        using var other = new LoopbackPki("another test root");
        await using var server = LoopbackServer.Https(other.Leaf("mta-sts." + Domain), _ => Response("200 OK", "text/plain", Policy));
        var result = Assert.IsType<StsPolicyFetchResult.TlsFailure>(await FetchAsync(server.Port));
        Assert.True(result.Kind == StsTlsFailureKind.Untrusted, result.Detail);
    }

    [Fact]
    public async Task No_address_is_a_dns_failure()
    {
        using var fetcher = new StsPolicyFetcher(null, new StsPolicyFetcherOptions { ResolveOverride = (_, _) => Task.FromResult<IReadOnlyList<IPAddress>>([]) });
        Assert.IsType<StsPolicyFetchResult.DnsFailure>(await fetcher.FetchAsync(Domain));
    }

    [Fact]
    public async Task Nothing_listening_is_a_connect_failure()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        Assert.IsType<StsPolicyFetchResult.ConnectFailure>(await FetchAsync(port));
    }

    private static byte[] Response(string status, string contentType, string body) => Encoding.ASCII.GetBytes(
        $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {Encoding.ASCII.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}");

    private async Task<StsPolicyFetchResult> FetchAsync(int port, TimeSpan? timeout = null)
    {
        using var fetcher = new StsPolicyFetcher(null, new StsPolicyFetcherOptions
        {
            Port = port,
            Timeout = timeout ?? TimeSpan.FromSeconds(20),
            TrustedRoots = [pki.Root],
            ResolveOverride = (_, _) => Task.FromResult<IReadOnlyList<IPAddress>>([IPAddress.Loopback]),
        });
        return await fetcher.FetchAsync(Domain);
    }
}
