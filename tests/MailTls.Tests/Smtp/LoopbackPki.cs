using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MailTls.Tests.Smtp;

/// <summary>A throwaway CA and leaf certificates for loopback TLS servers in unit tests.</summary>
internal sealed class LoopbackPki : IDisposable
{
    private readonly ECDsa rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public LoopbackPki(string rootName = "loopback test root")
    {
        var req = new CertificateRequest($"CN={rootName}, O=mailtls tests", rootKey, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Root = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddYears(1));
    }

    public X509Certificate2 Root { get; }

    /// <summary>A leaf for <paramref name="name"/> issued by <see cref="Root"/>, with its private key.</summary>
    public X509Certificate2 Leaf(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, bool rsa = false)
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsaKey = RSA.Create(2048);
        var req = rsa ? new CertificateRequest("CN=" + name, rsaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1) : new CertificateRequest("CN=" + name, ec, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var cert = req.Create(Root.SubjectName, X509SignatureGenerator.CreateForECDsa(rootKey), notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(60), serial);
        var withKey = rsa ? cert.CopyWithPrivateKey(rsaKey) : cert.CopyWithPrivateKey(ec);

        // Round-trip through PKCS#12 so SslStream can use the key on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        Root.Dispose();
        rootKey.Dispose();
    }
}

/// <summary>A one-connection-at-a-time loopback TCP server running a handler per connection.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public LoopbackServer(Func<Stream, CancellationToken, Task> handler)
    {
        listener.Start();
        loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await handler(client.GetStream(), stop.Token);
                        }
                        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
                        {
                            // the client went away
                        }
                    }
                });
            }
        });
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Serves HTTPS with <paramref name="certificate"/>: reads the request head, records it, answers <paramref name="response"/>.</summary>
    public static LoopbackServer Https(X509Certificate2 certificate, Func<string, byte[]> response, List<string>? requests = null) => new(async (stream, ct) =>
    {
        using var ssl = new SslStream(stream);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, ct);
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await ssl.ReadAsync(buffer, ct) == 1)
        {
            head.Append((char)buffer[0]);
        }

        lock (requests ?? [])
        {
            requests?.Add(head.ToString());
        }

        await ssl.WriteAsync(response(head.ToString()), ct);
        await ssl.FlushAsync(ct);
    });

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }
}
