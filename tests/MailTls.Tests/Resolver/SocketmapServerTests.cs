using System.Net;
using System.Net.Sockets;
using System.Text;
using MailTls.Resolver;

namespace MailTls.Tests.Resolver;

/// <summary>
/// Framing over real sockets: a request → reply table run over TCP and a Unix socket, with each request written in
/// chunks of 4096, 128, 16 and 1 bytes (Postfix writes a request at once; a slow or fragmented peer must not matter).
/// A framing error closes the connection without a reply (as postfix-mta-sts-resolver's test_corrupt_dialog).
/// </summary>
public sealed class SocketmapServerTests
{
    private const string Closed = "<closed>";

    /// <summary>(request bytes on the wire, expected reply bytes, or <see cref="Closed"/> for "connection closed, no reply").</summary>
    private static readonly (string Name, string Request, string Reply)[] Table =
    [
        ("enforce", N("postfix good.loc"), N(Secure)),
        ("bracket-port", N("postfix [GOOD.loc]:25"), N(Secure)),
        ("testing", N("postfix testing.loc"), N("NOTFOUND ")),
        ("ip literal", N("postfix [1.2.3.4]"), N("NOTFOUND ")),
        ("parent probe", N("postfix .good.loc"), N("NOTFOUND ")),
        ("no record", N("postfix no-record.loc"), N("NOTFOUND ")),
        ("servfail", N("postfix servfail.loc"), N("TEMP TXT lookup of _mta-sts.servfail.loc failed: The TXT lookup failed with SERVFAIL.")),
        ("no space", N("good.loc"), N("PERM malformed request")),
        ("pipelined", N("postfix good.loc") + N("postfix testing.loc") + N("postfix [1.2.3.4]"), N(Secure) + N("NOTFOUND ") + N("NOTFOUND ")),
        ("leading zeros", "00016:postfix good.loc,", N(Secure)),
        ("too long", "9999:aaa", Closed),
        ("bad terminator", "3:aaa_", Closed),
        ("bad length", "aaa:aaa", Closed),
        ("reply then error", N("postfix good.loc") + "3:aaa_", N(Secure)),
    ];

    private const string Secure = "OK secure match=mail.loc servername=hostname";

    private static string N(string payload) => Encoding.ASCII.GetString(Netstring.Encode(payload));

    public static TheoryData<string, bool, int> Cases()
    {
        var data = new TheoryData<string, bool, int>();
        foreach (var (name, _, _) in Table)
        {
            foreach (var unix in new[] { false, true })
            {
                foreach (var size in new[] { 4096, 128, 16, 1 })
                {
                    data.Add(name, unix, size);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Request_reply_table(string name, bool unix, int chunk)
    {
        var (_, request, expected) = Table.Single(t => t.Name == name);
        await using var fixture = await Fixture.StartAsync(unix);
        using var client = await fixture.ConnectAsync();
        var bytes = Encoding.ASCII.GetBytes(request);
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            try
            {
                await client.SendAsync(bytes.AsMemory(i, Math.Min(chunk, bytes.Length - i)), SocketFlags.None);
            }
            catch (SocketException e) when (expected == Closed && e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
            {
                // The server closed on the framing error before the rest of a chunked request arrived: that is the
                // expected outcome, seen by the sender instead of the reader.
                break;
            }
        }

        if (expected == Closed)
        {
            Assert.Equal(string.Empty, await ReadToEndAsync(client));
            return;
        }

        var reply = await ReadExactlyAsync(client, Encoding.ASCII.GetByteCount(expected));
        Assert.Equal(expected, reply);
        if (name == "reply then error")
        {
            Assert.Equal(string.Empty, await ReadToEndAsync(client));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Many_concurrent_connections_each_pipelining(bool unix)
    {
        await using var fixture = await Fixture.StartAsync(unix);
        var one = N("postfix good.loc") + N("postfix testing.loc");
        var expected = N(Secure) + N("NOTFOUND ");
        await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ =>
        {
            using var client = await fixture.ConnectAsync();
            for (var round = 0; round < 20; round++)
            {
                await client.SendAsync(Encoding.ASCII.GetBytes(one), SocketFlags.None);
                Assert.Equal(expected, await ReadExactlyAsync(client, expected.Length));
            }
        }));
        Assert.Equal(4000, fixture.Service.Metrics.Queries);
    }

    [Fact]
    public async Task Replies_keep_request_order_when_an_earlier_lookup_is_slower()
    {
        var slow = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new SocketmapServer((payload, _) =>
            Encoding.ASCII.GetString(payload.Span) == "m slow" ? new ValueTask<string>(slow.Task) : ValueTask.FromResult("OK fast"));
        server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(server.EndPoints[0]);
        await client.SendAsync("6:m slow,6:m fast,"u8.ToArray(), SocketFlags.None);
        await Task.Delay(100);
        Assert.Equal(0, client.Available);
        slow.SetResult("OK slow");
        Assert.Equal("7:OK slow,7:OK fast,", await ReadExactlyAsync(client, 20));
    }

    [Fact]
    public async Task Idle_connections_are_closed()
    {
        await using var server = new SocketmapServer((_, _) => ValueTask.FromResult("NOTFOUND "), new SocketmapServerOptions { IdleTimeout = TimeSpan.FromMilliseconds(200) });
        server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(server.EndPoints[0]);
        Assert.Equal(string.Empty, await ReadToEndAsync(client));
    }

    [Fact]
    public async Task Shutdown_finishes_pending_replies_then_closes()
    {
        var slow = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new SocketmapServer((_, _) => new ValueTask<string>(slow.Task));
        server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
        var endPoint = server.EndPoints[0];
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(endPoint);
        await client.SendAsync("3:m x,"u8.ToArray(), SocketFlags.None);
        await Task.Delay(100);
        var stopping = server.StopAsync();
        slow.SetResult("OK done");
        await stopping;
        Assert.Equal("7:OK done,", await ReadToEndAsync(client));
        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(async () => await late.ConnectAsync(endPoint));
        await server.DisposeAsync();
    }

    internal static async Task<string> ReadExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, deadline.Token);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        var sb = new StringBuilder();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                break;
            }

            if (n == 0)
            {
                break;
            }

            sb.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        return sb.ToString();
    }

    private sealed class Fixture : IAsyncDisposable
    {
        private readonly string? path;

        private Fixture(ResolverService service, SocketmapServer server, string? path)
        {
            Service = service;
            Server = server;
            this.path = path;
        }

        public ResolverService Service { get; }

        public SocketmapServer Server { get; }

        public static Task<Fixture> StartAsync(bool unix)
        {
            var service = ResolverFakes.Service(new ResolverZone());
            var server = new SocketmapServer(service);
            string? path = null;
            if (unix)
            {
                path = Path.Combine(Path.GetTempPath(), "mailtls-sm-" + Guid.NewGuid().ToString("N")[..12] + ".sock");
                server.ListenUnix(path);
            }
            else
            {
                server.ListenTcp(new IPEndPoint(IPAddress.Loopback, 0));
            }

            return Task.FromResult(new Fixture(service, server, path));
        }

        public async Task<Socket> ConnectAsync()
        {
            var s = path is null
                ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
                : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(path is null ? Server.EndPoints[0] : new UnixDomainSocketEndPoint(path));
            return s;
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            if (path is not null && File.Exists(path))
            {
                File.Delete(path);
            }
        }
    }
}
