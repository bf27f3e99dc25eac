using System.Net;
using System.Net.Security;
using System.Text;
using MailTls.Smtp;

namespace MailTls.Tests.Smtp;

/// <summary>The STARTTLS prober against scripted loopback SMTP servers: outcomes, chain capture, deadlines, and never MAIL FROM.</summary>
public sealed class StartTlsProberTests : IDisposable
{
    private readonly LoopbackPki pki = new();

    public void Dispose() => pki.Dispose();

    [Fact]
    public async Task Full_starttls_session_captures_the_chain_and_quits_without_mail_from()
    {
        var leaf = pki.Leaf("mx.example.test");
        var commands = new List<string>();
        await using var server = new LoopbackServer(async (stream, ct) =>
        {
            await Send(stream, "220-mx.example.test ESMTP\r\n220 hello\r\n", ct);
            await Expect(stream, commands, ct);
            await Send(stream, "250-mx.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n", ct);
            await Expect(stream, commands, ct);
            await Send(stream, "220 2.0.0 Ready to start TLS\r\n", ct);
            using var ssl = new SslStream(stream);
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = leaf }, ct);
            await Expect(ssl, commands, ct);
            await Send(ssl, "221 2.0.0 Bye\r\n", ct);
        });
        var prober = new StartTlsProber(new StartTlsProberOptions { Port = server.Port, ProbeBothKeyTypes = false });
        var result = await prober.ProbeAsync("mx.example.test", IPAddress.Loopback);
        Assert.Equal(SmtpProbeOutcome.TlsEstablished, result.Outcome);
        Assert.True(result.StartTlsOffered);
        var session = Assert.Single(result.Sessions);
        Assert.Equal("CN=mx.example.test", session.Chain[0].Subject);
        Assert.Equal("ECDSA", session.KeyAlgorithm);
        Assert.StartsWith("EHLO ", commands[0], StringComparison.Ordinal);
        Assert.Equal("STARTTLS", commands[1]);
        Assert.Equal("QUIT", commands[2]);
        Assert.DoesNotContain(commands, c => c.StartsWith("MAIL", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Second_probe_offers_only_the_other_key_type_and_a_single_key_server_yields_one_session(bool rsa)
    {
        var leaf = pki.Leaf("mx.example.test", rsa: rsa);
        var handshakes = 0;
        await using var server = new LoopbackServer(async (stream, ct) =>
        {
            await Send(stream, "220 mx.example.test ESMTP\r\n", ct);
            await Expect(stream, [], ct);
            await Send(stream, "250-mx.example.test\r\n250 STARTTLS\r\n", ct);
            await Expect(stream, [], ct);
            await Send(stream, "220 Ready to start TLS\r\n", ct);
            using var ssl = new SslStream(stream);
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = leaf }, ct);
            Interlocked.Increment(ref handshakes);
            await Expect(ssl, [], ct);
            await Send(ssl, "221 Bye\r\n", ct);
        });
        var result = await new StartTlsProber(new StartTlsProberOptions { Port = server.Port }).ProbeAsync("mx.example.test", IPAddress.Loopback);
        Assert.Equal(SmtpProbeOutcome.TlsEstablished, result.Outcome);
        var session = Assert.Single(result.Sessions);
        Assert.Equal(rsa ? "RSA" : "ECDSA", session.KeyAlgorithm);

        // The reconnect restricted to the other key type's TLS 1.2 suites cannot complete a handshake with this server.
        Assert.Equal(1, Volatile.Read(ref handshakes));
    }

    [Fact]
    public async Task No_starttls_in_ehlo_is_reported_as_such()
    {
        var commands = new List<string>();
        await using var server = new LoopbackServer(async (stream, ct) =>
        {
            await Send(stream, "220 mx ESMTP\r\n", ct);
            await Expect(stream, commands, ct);
            await Send(stream, "250-mx\r\n250 8BITMIME\r\n", ct);
            await Expect(stream, commands, ct);
            await Send(stream, "221 bye\r\n", ct);
        });
        var result = await new StartTlsProber(new StartTlsProberOptions { Port = server.Port }).ProbeAsync("mx", IPAddress.Loopback);
        Assert.Equal(SmtpProbeOutcome.StartTlsNotOffered, result.Outcome);
        Assert.Equal("QUIT", commands[^1]);
    }

    [Fact]
    public async Task Tarpit_ends_at_the_banner_deadline()
    {
        await using var server = new LoopbackServer(async (stream, ct) => await Task.Delay(Timeout.Infinite, ct));
        var options = new StartTlsProberOptions { Port = server.Port, BannerTimeout = TimeSpan.FromMilliseconds(300) };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await new StartTlsProber(options).ProbeAsync("mx", IPAddress.Loopback);
        Assert.Equal(SmtpProbeOutcome.BannerTimeout, result.Outcome);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Drop_after_starttls_is_a_handshake_failure()
    {
        await using var server = new LoopbackServer(async (stream, ct) =>
        {
            await Send(stream, "220 mx ESMTP\r\n", ct);
            await Expect(stream, [], ct);
            await Send(stream, "250-mx\r\n250 STARTTLS\r\n", ct);
            await Expect(stream, [], ct);
            await Send(stream, "220 Ready to start TLS\r\n", ct);
        });
        var result = await new StartTlsProber(new StartTlsProberOptions { Port = server.Port }).ProbeAsync("mx", IPAddress.Loopback);
        Assert.Equal(SmtpProbeOutcome.HandshakeFailed, result.Outcome);
    }

    [Fact]
    public async Task Rejecting_banner_is_a_protocol_error()
    {
        await using var server = new LoopbackServer(async (stream, ct) => await Send(stream, "554 go away\r\n", ct));
        var result = await new StartTlsProber(new StartTlsProberOptions { Port = server.Port }).ProbeAsync("mx", IPAddress.Loopback);
        Assert.Equal(SmtpProbeOutcome.ProtocolError, result.Outcome);
    }

    [Fact]
    public async Task Closed_port_is_refused()
    {
        int port;
        using (var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        var result = await new StartTlsProber(new StartTlsProberOptions { Port = port }).ProbeAsync("mx", IPAddress.Loopback);
        Assert.Equal(SmtpProbeOutcome.Refused, result.Outcome);
        Assert.True(result.NotReached);
    }

    private static async Task Send(Stream s, string text, CancellationToken ct)
    {
        await s.WriteAsync(Encoding.ASCII.GetBytes(text), ct);
        await s.FlushAsync(ct);
    }

    private static async Task Expect(Stream s, List<string> commands, CancellationToken ct)
    {
        var line = new StringBuilder();
        var b = new byte[1];
        while (await s.ReadAsync(b, ct) == 1)
        {
            if (b[0] == '\n')
            {
                break;
            }

            if (b[0] != '\r')
            {
                line.Append((char)b[0]);
            }
        }

        lock (commands)
        {
            commands.Add(line.ToString());
        }
    }

    [Fact]
    public void A_dropped_handshake_reads_the_same_whether_the_peer_sent_eof_or_reset()
    {
        var eof = new System.Security.Authentication.AuthenticationException("auth", new IOException("Received an unexpected EOF or 0 bytes from the transport stream."));
        var reset = new IOException("Unable to read data", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionReset));
        Assert.Equal("the server closed the connection during the handshake", StartTlsProber.HandshakeFailure(eof));
        Assert.Equal(StartTlsProber.HandshakeFailure(eof), StartTlsProber.HandshakeFailure(reset));
        Assert.Equal("bad certificate", StartTlsProber.HandshakeFailure(new System.Security.Authentication.AuthenticationException("x", new IOException("bad certificate"))));
    }
}
