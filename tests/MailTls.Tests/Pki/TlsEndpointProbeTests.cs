using System.Net;
using System.Net.Security;
using MailTls.Pki;
using MailTls.Tests.Smtp;

namespace MailTls.Tests.Pki;

/// <summary>TLS endpoint probe (used for https: TLS-RPT destinations) against a loopback TLS server.</summary>
public sealed class TlsEndpointProbeTests : IDisposable
{
    private readonly LoopbackPki pki = new();

    public void Dispose() => pki.Dispose();

    [Theory]
    [InlineData("reports.example.test", WebPkiStatus.Valid)]
    [InlineData("other.example.test", WebPkiStatus.NameMismatch)]
    public async Task Judges_the_certificate_for_the_host_name(string certificateName, WebPkiStatus expected)
    {
        var leaf = pki.Leaf(certificateName);
        await using var server = new LoopbackServer(async (stream, ct) =>
        {
            using var ssl = new SslStream(stream);
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = leaf }, ct);
            _ = await ssl.ReadAsync(new byte[1], ct);
        });
        var result = await TlsEndpointProbe.ProbeAsync("reports.example.test", [IPAddress.Loopback], server.Port, TimeSpan.FromSeconds(10), DateTimeOffset.UtcNow, [pki.Root]);
        Assert.True(result.Connected);
        Assert.Equal(expected, result.Pki!.Status);
        Assert.Equal("CN=" + certificateName, result.Chain[0].Subject);
    }

    [Fact]
    public async Task Closed_port_is_not_connected()
    {
        int port;
        using (var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        var result = await TlsEndpointProbe.ProbeAsync("reports.example.test", [IPAddress.Loopback], port, TimeSpan.FromSeconds(5), DateTimeOffset.UtcNow);
        Assert.False(result.Connected);
        Assert.Contains("ConnectionRefused", result.Error, StringComparison.Ordinal);
    }
}
