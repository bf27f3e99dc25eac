using System.Net;
using System.Net.Sockets;
using System.Text;
using MailTls.Resolver;

namespace MailTls.Tests.Shared;

/// <summary>
/// A minimal Postfix-like socketmap client for tests that talk to a running resolver daemon (ours or
/// mta-sts-daemon): a free loopback port, a connect that waits for the daemon to listen, one request → one reply.
/// Linked into each test project that needs it.
/// </summary>
internal static class SocketmapTestClient
{
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>, retrying for up to 30 s while the daemon starts.</summary>
    public static async Task<Socket> ConnectAsync(int port)
    {
        for (var i = 0; ; i++)
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await s.ConnectAsync(IPAddress.Loopback, port);
                return s;
            }
            catch (SocketException) when (i < 300)
            {
                s.Dispose();
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Sends one netstring request and returns the reply payload (at most <paramref name="maxReply"/> bytes).</summary>
    public static async Task<string> AskAsync(Socket s, string request, int maxReply, TimeSpan timeout)
    {
        await s.SendAsync(Netstring.Encode(request), SocketFlags.None);
        var buffer = new byte[maxReply];
        var filled = 0;
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var n = await s.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, deadline.Token);
            Assert.NotEqual(0, n);
            filled += n;
            if (Netstring.TryParse(buffer.AsSpan(0, filled), maxReply, out var range, out _) == NetstringStatus.Complete)
            {
                return Encoding.UTF8.GetString(buffer.AsSpan(0, filled)[range]);
            }
        }
    }
}
