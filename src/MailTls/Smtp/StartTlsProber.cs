using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailTls.Pki;

namespace MailTls.Smtp;

/// <summary>How a STARTTLS probe of one address ended.</summary>
public enum SmtpProbeOutcome
{
    /// <summary>STARTTLS offered and the TLS handshake completed.</summary>
    TlsEstablished,

    /// <summary>No answer to the TCP SYN within the deadline (filtered port, or a dead host).</summary>
    ConnectTimeout,

    /// <summary>Connection refused (RST): nothing listens on port 25.</summary>
    Refused,

    /// <summary>Network or host unreachable (no route).</summary>
    Unreachable,

    /// <summary>Connected, but no 220 banner within the deadline (tarpit).</summary>
    BannerTimeout,

    /// <summary>A reply did not come within the command deadline.</summary>
    CommandTimeout,

    /// <summary>The server rejected the session (554 banner, EHLO refused) or sent something that is not SMTP.</summary>
    ProtocolError,

    /// <summary>The server closed the connection before TLS.</summary>
    Closed,

    /// <summary>EHLO succeeded but STARTTLS is not among the extensions.</summary>
    StartTlsNotOffered,

    /// <summary>STARTTLS was offered but the command was refused.</summary>
    StartTlsRejected,

    /// <summary>The TLS handshake failed or the connection dropped during it.</summary>
    HandshakeFailed,
}

/// <summary>One TLS session: protocol, cipher, the chain as sent (leaf first) and the leaf's key algorithm.</summary>
public sealed record SmtpTlsSession(SslProtocols Protocol, TlsCipherSuite CipherSuite, IReadOnlyList<X509Certificate2> Chain, string KeyAlgorithm, string Offered);

/// <summary>Result of probing one MX address. <see cref="Sessions"/> has one entry per certificate key type seen.</summary>
public sealed record StartTlsProbeResult(
    string Host,
    IPAddress Address,
    SmtpProbeOutcome Outcome,
    string Detail,
    string? Banner,
    IReadOnlyList<string> EhloKeywords,
    IReadOnlyList<SmtpTlsSession> Sessions,
    TimeSpan Elapsed)
{
    public bool StartTlsOffered => EhloKeywords.Contains("STARTTLS");

    public SmtpTlsSession? Tls => Sessions.Count > 0 ? Sessions[0] : null;

    /// <summary>True for the outcomes that say nothing about the server's TLS (no SMTP conversation happened).</summary>
    public bool NotReached => Outcome is SmtpProbeOutcome.ConnectTimeout or SmtpProbeOutcome.Refused or SmtpProbeOutcome.Unreachable;
}

/// <summary>Settings of <see cref="StartTlsProber"/>; the defaults are in <see cref="Limits"/>.</summary>
public sealed record StartTlsProberOptions
{
    public int Port { get; init; } = 25;

    public TimeSpan ConnectTimeout { get; init; } = Limits.SmtpConnectTimeout;

    public TimeSpan BannerTimeout { get; init; } = Limits.SmtpBannerTimeout;

    public TimeSpan CommandTimeout { get; init; } = Limits.SmtpCommandTimeout;

    public TimeSpan HandshakeTimeout { get; init; } = Limits.SmtpTlsHandshakeTimeout;

    public TimeSpan ProbeTimeout { get; init; } = Limits.SmtpProbeTimeout;

    /// <summary>The EHLO argument (a name that is obviously a probe, RFC 2606 .invalid).</summary>
    public string EhloName { get; init; } = "mailtls-check.invalid";

    /// <summary>
    /// After a successful handshake, reconnect once offering only TLS 1.2 cipher suites of the other key type (RSA vs
    /// ECDSA, via <see cref="CipherSuitesPolicy"/>, Linux/macOS) to find a second certificate. TLS 1.3 cannot be restricted
    /// that way (its suites do not name the key type), so the second probe is TLS 1.2 only.
    /// </summary>
    public bool ProbeBothKeyTypes { get; init; } = true;
}

/// <summary>
/// Probes STARTTLS on one MX address (RFC 3207): connect, read the (multi-line) banner, EHLO, check STARTTLS in the
/// EHLO reply, STARTTLS, TLS handshake with SNI = MX host name, capture protocol, cipher and the chain as sent, then
/// QUIT. Never sends MAIL FROM. Every step has a deadline and the whole probe one more; replies are bounded
/// (<see cref="SmtpReplyParser"/>). Any certificate is accepted during the handshake: judging it is the caller's job
/// (PKIX for MTA-STS, TLSA for DANE).
/// </summary>
public sealed class StartTlsProber
{
    private static readonly TlsCipherSuite[] EcdsaSuites =
    [
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
    ];

    private static readonly TlsCipherSuite[] RsaSuites =
    [
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
    ];

    private readonly StartTlsProberOptions options;

    public StartTlsProber(StartTlsProberOptions? options = null)
    {
        this.options = options ?? new StartTlsProberOptions();
    }

    public StartTlsProberOptions Options => options;

    public async Task<StartTlsProbeResult> ProbeAsync(string host, IPAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(address);
        var first = await ProbeOnceAsync(host, address, null, cancellationToken).ConfigureAwait(false);
        if (first.Outcome != SmtpProbeOutcome.TlsEstablished || !options.ProbeBothKeyTypes || !OperatingSystem.IsLinux())
        {
            return first;
        }

        var seen = first.Sessions[0].KeyAlgorithm;
        var other = seen == "RSA" ? EcdsaSuites : RsaSuites;
        var second = await ProbeOnceAsync(host, address, other, cancellationToken).ConfigureAwait(false);
        if (second.Outcome == SmtpProbeOutcome.TlsEstablished && second.Sessions[0].KeyAlgorithm != seen)
        {
            return first with { Sessions = [.. first.Sessions, second.Sessions[0]], Elapsed = first.Elapsed + second.Elapsed };
        }

        return first;
    }

    private async Task<StartTlsProbeResult> ProbeOnceAsync(string host, IPAddress address, TlsCipherSuite[]? restrict, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string? banner = null;
        IReadOnlyList<string> keywords = [];
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probe.CancelAfter(options.ProbeTimeout);

        StartTlsProbeResult Result(SmtpProbeOutcome outcome, string detail, IReadOnlyList<SmtpTlsSession>? sessions = null) =>
            new(host, address, outcome, detail, banner, keywords, sessions ?? [], clock.Elapsed);

        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var step = Step(options.ConnectTimeout, probe.Token))
        {
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, options.Port), step.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Result(SmtpProbeOutcome.ConnectTimeout, $"no answer to the TCP connection to port {options.Port} within {Seconds(options.ConnectTimeout)}");
            }
            catch (SocketException e)
            {
                return e.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => Result(SmtpProbeOutcome.Refused, $"connection to port {options.Port} refused"),
                    SocketError.TimedOut => Result(SmtpProbeOutcome.ConnectTimeout, $"TCP connection to port {options.Port} timed out"),
                    _ => Result(SmtpProbeOutcome.Unreachable, $"cannot connect to port {options.Port}: {e.SocketErrorCode}"),
                };
            }
        }

        using var network = new NetworkStream(socket, ownsSocket: false);
        var reader = new ReplyReader(network);
        var (greeting, error) = await reader.ReadAsync(Step(options.BannerTimeout, probe.Token), cancellationToken).ConfigureAwait(false);
        if (greeting is null)
        {
            return error == "timeout"
                ? Result(SmtpProbeOutcome.BannerTimeout, $"connected, but no SMTP banner within {Seconds(options.BannerTimeout)} (tarpit or overloaded server)")
                : Result(error == "closed" ? SmtpProbeOutcome.Closed : SmtpProbeOutcome.ProtocolError, "reading the banner: " + error);
        }

        banner = greeting.ToString();
        if (greeting.Code != 220)
        {
            return Result(SmtpProbeOutcome.ProtocolError, "the server refused the session: " + banner);
        }

        var (ehlo, ehloError) = await CommandAsync(network, reader, "EHLO " + options.EhloName, probe.Token, cancellationToken).ConfigureAwait(false);
        if (ehlo is null)
        {
            return Timeoutish(ehloError, "EHLO");
        }

        if (!ehlo.IsPositiveCompletion)
        {
            return Result(SmtpProbeOutcome.ProtocolError, "EHLO refused: " + ehlo);
        }

        keywords = ehlo.EhloKeywords;
        if (!keywords.Contains("STARTTLS"))
        {
            await QuitAsync(network, reader, probe.Token).ConfigureAwait(false);
            return Result(SmtpProbeOutcome.StartTlsNotOffered, "the EHLO reply does not list STARTTLS: " + string.Join(", ", keywords));
        }

        var (start, startError) = await CommandAsync(network, reader, "STARTTLS", probe.Token, cancellationToken).ConfigureAwait(false);
        if (start is null)
        {
            return Timeoutish(startError, "STARTTLS");
        }

        if (start.Code != 220)
        {
            return Result(SmtpProbeOutcome.StartTlsRejected, "STARTTLS refused: " + start);
        }

        IReadOnlyList<X509Certificate2> presented = [];
        using var ssl = new SslStream(network, leaveInnerStreamOpen: true);
        var tlsOptions = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
#pragma warning disable CA5359 // every certificate is accepted on purpose: the caller judges the captured chain (PKIX for MTA-STS, TLSA for DANE)
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                presented = PresentedChain.Capture(certificate, chain);
                return true;
            },
#pragma warning restore CA5359
        };
        if (restrict is not null && (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()))
        {
            tlsOptions.EnabledSslProtocols = SslProtocols.Tls12;
            tlsOptions.CipherSuitesPolicy = new CipherSuitesPolicy(restrict);
        }

        using (var step = Step(options.HandshakeTimeout, probe.Token))
        {
            try
            {
                await ssl.AuthenticateAsClientAsync(tlsOptions, step.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Result(SmtpProbeOutcome.HandshakeFailed, $"the TLS handshake did not complete within {Seconds(options.HandshakeTimeout)}");
            }
            catch (Exception e) when (e is AuthenticationException or IOException or SocketException)
            {
                return Result(SmtpProbeOutcome.HandshakeFailed, "the TLS handshake failed: " + HandshakeFailure(e));
            }
        }

        var key = presented.Count > 0 ? KeyAlgorithm(presented[0]) : "none";
        var session = new SmtpTlsSession(ssl.SslProtocol, ssl.NegotiatedCipherSuite, presented, key, restrict is null ? "default" : "TLS 1.2, " + (restrict == RsaSuites ? "RSA" : "ECDSA") + " suites only");
        var quitReader = new ReplyReader(ssl);
        await QuitAsync(ssl, quitReader, probe.Token).ConfigureAwait(false);
        return Result(SmtpProbeOutcome.TlsEstablished, $"{Protocol(ssl.SslProtocol)}, {ssl.NegotiatedCipherSuite}", [session]);

        StartTlsProbeResult Timeoutish(string? why, string command) => why == "timeout"
            ? Result(SmtpProbeOutcome.CommandTimeout, $"no reply to {command} within {Seconds(options.CommandTimeout)}")
            : Result(why == "closed" ? SmtpProbeOutcome.Closed : SmtpProbeOutcome.ProtocolError, $"after {command}: {why}");
    }

    /// <summary>"RSA", "ECDSA" or the key algorithm OID of a certificate.</summary>
    public static string KeyAlgorithm(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.GetKeyAlgorithm() switch
        {
            "1.2.840.113549.1.1.1" => "RSA",
            "1.2.840.10045.2.1" => "ECDSA",
            "1.3.101.112" => "Ed25519",
            var other => other,
        };
    }

    public static string Protocol(SslProtocols p) => (int)p switch
    {
        12288 => "TLSv1.3",
        3072 => "TLSv1.2",
        768 => "TLSv1.1",
        192 => "TLSv1.0",
        _ => p.ToString(),
    };

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " s";

    private static CancellationTokenSource Step(TimeSpan timeout, CancellationToken probe)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(probe);
        cts.CancelAfter(timeout);
        return cts;
    }

    private async Task<(SmtpReply? Reply, string? Error)> CommandAsync(Stream stream, ReplyReader reader, string command, CancellationToken probe, CancellationToken outer)
    {
        using var step = Step(options.CommandTimeout, probe);
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), step.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!outer.IsCancellationRequested)
        {
            return (null, "timeout");
        }
        catch (IOException e)
        {
            return (null, "closed: " + e.Message);
        }

        return await reader.ReadAsync(Step(options.CommandTimeout, probe), outer).ConfigureAwait(false);
    }

    private async Task QuitAsync(Stream stream, ReplyReader reader, CancellationToken probe)
    {
        try
        {
            using var step = Step(TimeSpan.FromSeconds(Math.Min(2, options.CommandTimeout.TotalSeconds)), probe);
            await stream.WriteAsync("QUIT\r\n"u8.ToArray(), step.Token).ConfigureAwait(false);
            await reader.ReadAsync(Step(TimeSpan.FromSeconds(Math.Min(2, options.CommandTimeout.TotalSeconds)), probe), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // QUIT is a courtesy; the result is already known.
        }
    }

    /// <summary>Reads one reply with the parser, keeping bytes that belong to the next reply.</summary>
    private sealed class ReplyReader(Stream stream)
    {
        private readonly byte[] buffer = new byte[4096];
        private readonly SmtpReplyParser parser = new();
        private int start;
        private int end;

        /// <summary>Reads one reply; disposes <paramref name="deadline"/>. Error: "timeout", "closed" or the parse error.</summary>
        public async Task<(SmtpReply? Reply, string? Error)> ReadAsync(CancellationTokenSource deadline, CancellationToken outer)
        {
            using (deadline)
            {
                while (true)
                {
                    if (start < end)
                    {
                        var reply = parser.Feed(buffer.AsSpan(start, end - start), out var used);
                        start += used;
                        if (reply is not null)
                        {
                            return (reply, null);
                        }

                        if (parser.Error != SmtpReplyError.None)
                        {
                            return (null, "malformed reply (" + parser.Error + ")");
                        }
                    }

                    start = end = 0;
                    int n;
                    try
                    {
                        n = await stream.ReadAsync(buffer, deadline.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!outer.IsCancellationRequested)
                    {
                        return (null, "timeout");
                    }
                    catch (IOException e)
                    {
                        return (null, "closed: " + e.Message);
                    }

                    if (n == 0)
                    {
                        return (null, "closed");
                    }

                    end = n;
                }
            }
        }
    }

    /// <summary>
    /// Why a handshake failed, in words. A server that drops the connection is reported either as an EOF or as a reset,
    /// depending on a race in the peer's close (FIN or RST); both mean the same, so one wording keeps reports reproducible.
    /// </summary>
    internal static string HandshakeFailure(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted }
                || (x is IOException && x.Message.Contains("unexpected EOF", StringComparison.OrdinalIgnoreCase)))
            {
                return "the server closed the connection during the handshake";
            }
        }

        return e.InnerException?.Message ?? e.Message;
    }
}
