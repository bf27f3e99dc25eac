// New-connection load generator for bench/serve/run: every request is a fresh TCP connection and a full TLS
// handshake (no session resumption), like an MTA fetching a policy. wrk cannot do this over TLS.
// usage: NewConnLoad PORT SNI SECONDS CONCURRENCY
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

var port = int.Parse(args[0], CultureInfo.InvariantCulture);
var sni = args[1];
var seconds = double.Parse(args[2], CultureInfo.InvariantCulture);
var concurrency = int.Parse(args[3], CultureInfo.InvariantCulture);
var request = Encoding.ASCII.GetBytes($"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: {sni}\r\nConnection: close\r\n\r\n");
long ok = 0, failed = 0;
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
var clock = Stopwatch.StartNew();

async Task WorkerAsync()
{
    var buffer = new byte[4096];
    while (!stop.IsCancellationRequested)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false), false);
#pragma warning disable CA5359 // a load generator measures the server, not certificate validation
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = sni,
                AllowTlsResume = false,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            });
#pragma warning restore CA5359
            await ssl.WriteAsync(request);
            var total = 0;
            int n;
            while ((n = await ssl.ReadAsync(buffer.AsMemory(total))) > 0)
            {
                total += n;
            }

            if (total > 12 && Encoding.ASCII.GetString(buffer, 0, 12) == "HTTP/1.1 200")
            {
                Interlocked.Increment(ref ok);
            }
            else
            {
                Interlocked.Increment(ref failed);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            Interlocked.Increment(ref failed);
        }
    }
}

await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkerAsync)));
var elapsed = clock.Elapsed.TotalSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests {ok} failed {failed} seconds {elapsed:F2} rps {ok / elapsed:F0}"));
