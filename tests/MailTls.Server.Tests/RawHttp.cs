// Tests look at whatever certificate the server presents; trust is not what they check.
#pragma warning disable CA5359
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MailTls.Server.Tests;

/// <summary>A parsed raw HTTP/1.x response (or none: the server closed or timed out first).</summary>
internal sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body, byte[] Raw)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.GetValueOrDefault(name.ToUpperInvariant());
}

/// <summary>
/// Raw HTTP/1.x over TCP or TLS with exact bytes: HttpClient would normalise paths, add Host, refuse bad input.
/// </summary>
internal static class RawHttp
{
    public static byte[] Request(string text) => Encoding.ASCII.GetBytes(text.Replace("\n", "\r\n", StringComparison.Ordinal));

    /// <summary>Sends <paramref name="request"/> and reads until the server closes (or <paramref name="timeout"/>).</summary>
    public static async Task<RawResponse?> SendAsync(int port, string? sni, byte[] request, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, cts.Token);
        Stream stream = tcp.GetStream();
        SslStream? ssl = null;
        if (sni is not null)
        {
            ssl = new SslStream(stream, false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = sni,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, cts.Token);
            stream = ssl;
        }

        try
        {
            await stream.WriteAsync(request, cts.Token);
            await stream.FlushAsync(cts.Token);
            var buffer = new MemoryStream();
            var chunk = new byte[4096];
            try
            {
                int n;
                while ((n = await stream.ReadAsync(chunk, cts.Token)) > 0)
                {
                    buffer.Write(chunk, 0, n);
                }
            }
            catch (IOException)
            {
                // reset after the response: keep what arrived
            }
            catch (OperationCanceledException)
            {
                // timeout: keep what arrived
            }

            return Parse(buffer.ToArray());
        }
        finally
        {
            ssl?.Dispose();
        }
    }

    public static RawResponse? Parse(byte[] raw)
    {
        var text = Encoding.Latin1.GetString(raw);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }

        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var l in lines.Skip(1))
        {
            var colon = l.IndexOf(':', StringComparison.Ordinal);
            headers[l[..colon].Trim().ToUpperInvariant()] = l[(colon + 1)..].Trim();
        }

        return new RawResponse(status, headers, raw[(end + 4)..], raw);
    }

    /// <summary>The certificate the server presents for <paramref name="sni"/>, or null when the handshake fails.</summary>
    public static async Task<X509Certificate2?> CertificateAsync(int port, string? sni)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        X509Certificate2? seen = null;
        using var ssl = new SslStream(tcp.GetStream(), false, (_, cert, _, _) =>
        {
            seen = cert is null ? null : X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
            return true;
        });
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = sni ?? string.Empty }, cts.Token);
            return seen;
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
        {
            return null;
        }
    }
}
