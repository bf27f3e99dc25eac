using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MailTls.Pki;

/// <summary>Outcome of <see cref="TlsEndpointProbe.ProbeAsync"/>: connected or not, and the WebPKI verdict on the chain sent.</summary>
public sealed record TlsEndpointResult(IPAddress? Address, bool Connected, string? Error, IReadOnlyList<X509Certificate2> Chain, WebPkiResult? Pki);

/// <summary>
/// Connects to an HTTPS-style endpoint (TLS from the first byte), sends SNI, captures the chain as sent and judges it
/// with <see cref="WebPkiVerifier"/>; sends nothing after the handshake. Used for TLS-RPT <c>https:</c> rua hosts.
/// </summary>
public static class TlsEndpointProbe
{
    public static async Task<TlsEndpointResult> ProbeAsync(string host, IReadOnlyList<IPAddress> addresses, int port, TimeSpan timeout, DateTimeOffset now, IReadOnlyList<X509Certificate2>? trustedRoots = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(addresses);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var errors = new List<string>();
        foreach (var address in addresses)
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), deadline.Token).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                errors.Add($"{address}: {e.SocketErrorCode}");
                continue;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                errors.Add($"{address}: timeout");
                break;
            }

            IReadOnlyList<X509Certificate2> presented = [];
            using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
            try
            {
                await ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = host,
                        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
#pragma warning disable CA5359 // the chain is judged below with WebPkiVerifier; the handshake must complete to capture it
                        RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                        {
                            presented = PresentedChain.Capture(certificate, chain);
                            return true;
                        },
#pragma warning restore CA5359
                    },
                    deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return new TlsEndpointResult(address, true, "TLS handshake failed: " + e.Message, presented, null);
            }

            return new TlsEndpointResult(address, true, null, presented, WebPkiVerifier.Verify(presented, host, now, trustedRoots));
        }

        return new TlsEndpointResult(null, false, string.Join(", ", errors), [], null);
    }
}
