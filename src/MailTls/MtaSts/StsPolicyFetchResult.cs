using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MailTls.Dns;
using MailTls.Pki;

namespace MailTls.MtaSts;

/// <summary>The TLS session of a policy fetch: address, protocol, cipher, the chain as sent and its WebPKI verdict.</summary>
public sealed record StsPolicyTlsInfo(
    IPAddress Address,
    SslProtocols Protocol,
    TlsCipherSuite CipherSuite,
    IReadOnlyList<X509Certificate2> Chain,
    WebPkiResult Pki);

/// <summary>Why the TLS part of a policy fetch failed (RFC 8460 §4.3: all are <c>sts-webpki-invalid</c>).</summary>
public enum StsTlsFailureKind
{
    NameMismatch,
    Expired,
    NotYetValid,
    Untrusted,
    SelfSigned,
    Invalid,

    /// <summary>The handshake itself failed (no common protocol or cipher, connection reset).</summary>
    Handshake,
}

/// <summary>
/// Outcome of one policy fetch per RFC 8461 §3.3. Only <see cref="Fetched"/> yields a policy body; everything else is
/// a failure a sender treats as "no policy fetched" (RFC 8460 result type <see cref="ResultType"/>).
/// </summary>
public abstract record StsPolicyFetchResult(string Url)
{
    /// <summary>RFC 8460 §4.3 result type a sender would report, or null for a successful fetch.</summary>
    public virtual string? ResultType => "sts-policy-fetch-error";

    /// <summary>200, text/plain, at most 64 KiB, valid certificate.</summary>
    public sealed record Fetched(string Url, byte[] Body, string? ContentType, StsPolicyTlsInfo Tls) : StsPolicyFetchResult(Url)
    {
        public override string? ResultType => null;
    }

    /// <summary>A 3xx answer: redirects are not followed (RFC 8461 §3.3).</summary>
    public sealed record Redirect(string Url, int Status, string? Location, StsPolicyTlsInfo Tls) : StsPolicyFetchResult(Url);

    /// <summary>Any other status than 200.</summary>
    public sealed record HttpStatus(string Url, int Status, StsPolicyTlsInfo Tls) : StsPolicyFetchResult(Url);

    /// <summary>The media type is not text/plain (parameters ignored).</summary>
    public sealed record BadContentType(string Url, string? ContentType, byte[] Body, StsPolicyTlsInfo Tls) : StsPolicyFetchResult(Url);

    /// <summary>Content-Length or the body read so far exceeds the cap.</summary>
    public sealed record TooLarge(string Url, long? ContentLength, long BytesRead, StsPolicyTlsInfo Tls) : StsPolicyFetchResult(Url);

    /// <summary>The certificate is not valid for <c>mta-sts.&lt;domain&gt;</c>, or the handshake failed.</summary>
    public sealed record TlsFailure(string Url, StsTlsFailureKind Kind, string Detail, IPAddress? Address, IReadOnlyList<X509Certificate2> Chain) : StsPolicyFetchResult(Url)
    {
        public override string? ResultType => Kind == StsTlsFailureKind.Handshake ? "sts-policy-fetch-error" : "sts-webpki-invalid";
    }

    /// <summary>The deadline passed; <see cref="Stage"/> says where (dns, connect, tls, headers, body).</summary>
    public sealed record Timeout(string Url, string Stage, TimeSpan Deadline, long BytesRead) : StsPolicyFetchResult(Url);

    /// <summary>The policy host name has no address, or its lookup failed.</summary>
    public sealed record DnsFailure(string Url, DnsAnswerStatus Status, string Detail) : StsPolicyFetchResult(Url);

    /// <summary>TCP connection refused or unreachable on every address, or the HTTP exchange broke.</summary>
    public sealed record ConnectFailure(string Url, string Detail) : StsPolicyFetchResult(Url);
}
