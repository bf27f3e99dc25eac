using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MailTls.Dns;
using MailTls.Pki;

namespace MailTls.MtaSts;

/// <summary>Settings of <see cref="StsPolicyFetcher"/>.</summary>
public sealed record StsPolicyFetcherOptions
{
    /// <summary>Deadline of the whole fetch (DNS, connect, TLS, headers and body).</summary>
    public TimeSpan Timeout { get; init; } = Limits.StsPolicyFetchTimeout;

    /// <summary>Body cap, enforced from Content-Length and while reading.</summary>
    public int MaxBytes { get; init; } = Limits.StsPolicyMaxBytes;

    /// <summary>TCP port of the policy host (443; tests use others).</summary>
    public int Port { get; init; } = 443;

    /// <summary>Roots to trust instead of the system store (tests); null = the system trust store.</summary>
    public IReadOnlyList<X509Certificate2>? TrustedRoots { get; init; }

    /// <summary>Clock for certificate validity.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Replaces the A/AAAA lookup (tests).</summary>
    internal Func<string, CancellationToken, Task<IReadOnlyList<IPAddress>>>? ResolveOverride { get; init; }
}

/// <summary>
/// Fetches <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c> exactly per RFC 8461 §3.3: HTTPS with SNI, the
/// certificate validated against the trust store and <see cref="CertificateIdentity"/> for the policy host name,
/// redirects not followed (a 3xx is a result carrying the Location), only 200 accepted, media type checked with
/// <see cref="StsMediaType"/>, the size cap enforced from Content-Length and while reading, one deadline for the
/// whole fetch, no HTTP caching or cookies. Addresses come from the DNS layer (<see cref="DnsLookup"/>, so lookups
/// share the run's resolver and cache). One instance is reused for many fetches (one <see cref="HttpClient"/>).
/// </summary>
public sealed class StsPolicyFetcher : IDisposable
{
    private static readonly HttpRequestOptionsKey<FetchState> StateKey = new("mailtls.sts-fetch");
    private readonly DnsLookup? dns;
    private readonly StsPolicyFetcherOptions options;
    private readonly HttpClient client;

    public StsPolicyFetcher(DnsLookup? dns, StsPolicyFetcherOptions? options = null)
    {
        this.dns = dns;
        this.options = options ?? new StsPolicyFetcherOptions();
        if (dns is null && this.options.ResolveOverride is null)
        {
            throw new ArgumentNullException(nameof(dns));
        }

        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.Zero,
            MaxResponseHeadersLength = 64,
            ConnectCallback = ConnectAsync,
        };
        client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public StsPolicyFetcherOptions Options => options;

    /// <summary>The policy URL for <paramref name="domain"/>.</summary>
    public static string PolicyUrl(string domain) => $"https://mta-sts.{domain}/.well-known/mta-sts.txt";

    public async Task<StsPolicyFetchResult> FetchAsync(string domain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var host = "mta-sts." + domain.TrimEnd('.');
        var url = PolicyUrl(domain.TrimEnd('.'));
        var state = new FetchState(host, url);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);

        // TLS is done in ConnectCallback (to capture the chain as sent and the verdict per request), so the request
        // itself is plain HTTP over that stream: the Host header is the policy host, exactly as with https.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{host}:{options.Port}/.well-known/mta-sts.txt"));
        request.Headers.Host = host;
        request.Headers.ConnectionClose = true;
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true, NoStore = true };
        request.Options.Set(StateKey, state);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return state.Failure ?? new StsPolicyFetchResult.Timeout(url, state.Stage, options.Timeout, 0);
        }
        catch (HttpRequestException e)
        {
            return state.Failure ?? new StsPolicyFetchResult.ConnectFailure(url, e.InnerException?.Message ?? e.Message);
        }

        using (response)
        {
            var tls = state.Tls!;
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                return new StsPolicyFetchResult.Redirect(url, status, response.Headers.Location?.OriginalString, tls);
            }

            if (status != 200)
            {
                return new StsPolicyFetchResult.HttpStatus(url, status, tls);
            }

            var length = response.Content.Headers.ContentLength;
            if (length > options.MaxBytes)
            {
                return new StsPolicyFetchResult.TooLarge(url, length, 0, tls);
            }

            state.Stage = "body";
            var buffer = new byte[Math.Min(options.MaxBytes + 1, 16 * 1024)];
            using var body = new MemoryStream();
            try
            {
                using var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
                while (true)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, options.MaxBytes + 1 - body.Length)), deadline.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    body.Write(buffer, 0, n);
                    if (body.Length > options.MaxBytes)
                    {
                        return new StsPolicyFetchResult.TooLarge(url, length, body.Length, tls);
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new StsPolicyFetchResult.Timeout(url, "body", options.Timeout, body.Length);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                return new StsPolicyFetchResult.ConnectFailure(url, "the connection broke while reading the body: " + e.Message);
            }

            var contentType = response.Content.Headers.TryGetValues("Content-Type", out var ct) ? string.Join(", ", ct) : null;
            var bytes = body.ToArray();
            return StsMediaType.IsAcceptable(contentType)
                ? new StsPolicyFetchResult.Fetched(url, bytes, contentType, tls)
                : new StsPolicyFetchResult.BadContentType(url, contentType, bytes, tls);
        }
    }

    public void Dispose() => client.Dispose();

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        if (!context.InitialRequestMessage.Options.TryGetValue(StateKey, out var state))
        {
            throw new InvalidOperationException("policy fetcher state missing");
        }

        state.Stage = "dns";
        var addresses = await ResolveAsync(state, cancellationToken).ConfigureAwait(false);
        if (addresses.Count == 0)
        {
            throw new HttpRequestException(state.Failure is StsPolicyFetchResult.DnsFailure d ? d.Detail : "no address");
        }

        state.Stage = "connect";
        Socket? socket = null;
        var errors = new List<string>();
        IPAddress? connected = null;
        foreach (var address in addresses)
        {
            var s = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await s.ConnectAsync(new IPEndPoint(address, options.Port), cancellationToken).ConfigureAwait(false);
                socket = s;
                connected = address;
                break;
            }
            catch (SocketException e)
            {
                errors.Add($"{address}: {e.SocketErrorCode}");
                s.Dispose();
            }
            catch
            {
                s.Dispose();
                throw;
            }
        }

        if (socket is null || connected is null)
        {
            var detail = "cannot connect to " + state.Host + " port " + options.Port + ": " + string.Join(", ", errors);
            state.Failure = new StsPolicyFetchResult.ConnectFailure(state.Url, detail);
            throw new HttpRequestException(detail);
        }

        state.Stage = "tls";
        IReadOnlyList<X509Certificate2> presented = [];
        WebPkiResult? pki = null;
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = state.Host,
                    EnabledSslProtocols = SslProtocols.None,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                    {
                        presented = PresentedChain.Capture(certificate, chain);
                        pki = WebPkiVerifier.Verify(presented, state.Host, options.Time.GetUtcNow(), options.TrustedRoots);
                        return pki.IsValid;
                    },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when ((e is AuthenticationException or IOException) && pki is not { IsValid: false })
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            state.Failure = new StsPolicyFetchResult.TlsFailure(state.Url, StsTlsFailureKind.Handshake, "TLS handshake failed: " + e.Message, connected, presented);
            throw new HttpRequestException(e.Message, e);
        }
        catch (AuthenticationException) when (pki is { IsValid: false })
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            var kind = pki.Status switch
            {
                WebPkiStatus.NameMismatch => StsTlsFailureKind.NameMismatch,
                WebPkiStatus.Expired => StsTlsFailureKind.Expired,
                WebPkiStatus.NotYetValid => StsTlsFailureKind.NotYetValid,
                WebPkiStatus.SelfSigned => StsTlsFailureKind.SelfSigned,
                WebPkiStatus.Untrusted => StsTlsFailureKind.Untrusted,
                _ => StsTlsFailureKind.Invalid,
            };
            state.Failure = new StsPolicyFetchResult.TlsFailure(state.Url, kind, pki.Detail, connected, presented);
            throw new HttpRequestException(pki.Detail);
        }

        state.Tls = new StsPolicyTlsInfo(connected, ssl.SslProtocol, ssl.NegotiatedCipherSuite, presented, pki!);
        state.Stage = "headers";
        return ssl;
    }

    private async Task<IReadOnlyList<IPAddress>> ResolveAsync(FetchState state, CancellationToken cancellationToken)
    {
        if (options.ResolveOverride is { } resolve)
        {
            var list = await resolve(state.Host, cancellationToken).ConfigureAwait(false);
            if (list.Count == 0)
            {
                state.Failure = new StsPolicyFetchResult.DnsFailure(state.Url, DnsAnswerStatus.NxDomain, state.Host + " has no address");
            }

            return list;
        }

        var a = await dns!.AAsync(state.Host, cancellationToken).ConfigureAwait(false);
        var aaaa = await dns.AaaaAsync(state.Host, cancellationToken).ConfigureAwait(false);
        var addresses = a.Records.Select(r => r.Data.Address).Concat(aaaa.Records.Select(r => r.Data.Address)).ToList();
        if (addresses.Count == 0)
        {
            var temporary = a.Status.IsTemporary() ? a : aaaa.Status.IsTemporary() ? aaaa : null;
            state.Failure = temporary is not null
                ? new StsPolicyFetchResult.DnsFailure(state.Url, temporary.Status, $"the address lookup of {state.Host} failed: {temporary.Status} {temporary.Error}".TrimEnd())
                : new StsPolicyFetchResult.DnsFailure(state.Url, a.Status, $"{state.Host} has no A or AAAA record ({a.Status})");
        }

        return addresses;
    }

    private sealed class FetchState(string host, string url)
    {
        public string Host { get; } = host;

        public string Url { get; } = url;

        public string Stage { get; set; } = "dns";

        public StsPolicyFetchResult? Failure { get; set; }

        public StsPolicyTlsInfo? Tls { get; set; }
    }
}
