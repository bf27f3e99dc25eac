using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using MailTls.Dns;
using MailTls.Dns.Wire;

namespace MailTls.Tests.Dns;

/// <summary>How the loopback responder treats a UDP query.</summary>
internal enum ResponderMode
{
    /// <summary>Replays the recorded reply.</summary>
    Answer,

    /// <summary>UDP: header and question only with TC set (RFC 1035 §4.1.1); TCP: the full recorded reply.</summary>
    TruncateUdp,

    /// <summary>First a reply with another ID (and NXDOMAIN), then the real one: the first must be ignored (RFC 5452 §9.1).</summary>
    WrongIdFirst,

    /// <summary>Never replies.</summary>
    Silent,
}

/// <summary>
/// A tiny DNS server on 127.0.0.1 (UDP and TCP on the same random port) that replays responses recorded from unbound
/// (TestData/Dns/unbound-responses.txt), with the query's ID written in.
/// </summary>
internal sealed class LoopbackResponder : IAsyncDisposable
{
    private readonly Socket udp;
    private readonly TcpListener tcp;
    private readonly Dictionary<(string, DnsRecordType), byte[]> recorded;
    private readonly CancellationTokenSource stop = new();
    private readonly Task udpLoop;
    private readonly Task tcpLoop;
    private int udpQueries;
    private int tcpQueries;

    public LoopbackResponder(ResponderMode mode, IEnumerable<RecordedLine> lines)
    {
        Mode = mode;
        recorded = lines.ToDictionary(l => (l.Name, l.Type), l => l.Bytes);
        (udp, tcp) = Bind();
        Endpoint = (IPEndPoint)udp.LocalEndPoint!;
        udpLoop = Task.Run(UdpLoopAsync);
        tcpLoop = Task.Run(TcpLoopAsync);
    }

    public ResponderMode Mode { get; }

    public IPEndPoint Endpoint { get; }

    public int UdpQueries => Volatile.Read(ref udpQueries);

    public int TcpQueries => Volatile.Read(ref tcpQueries);

    /// <summary>Source ports the UDP queries came from.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<int, int> SourcePorts { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        udp.Dispose();
        tcp.Stop();
        await Task.WhenAll(udpLoop, tcpLoop).ContinueWith(_ => { }, TaskScheduler.Default);
        stop.Dispose();
    }

    /// <summary>UDP on a random port, then TCP on the same port (retried if that TCP port happens to be taken).</summary>
    private static (Socket, TcpListener) Bind()
    {
        for (var attempt = 0; ; attempt++)
        {
            var u = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            u.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var t = new TcpListener(IPAddress.Loopback, ((IPEndPoint)u.LocalEndPoint!).Port);
            try
            {
                t.Start();
                return (u, t);
            }
            catch (SocketException) when (attempt < 20)
            {
                u.Dispose();
            }
        }
    }

    private byte[]? Reply(byte[] query, bool overTcp, out DnsMessage? question)
    {
        var parsed = DnsMessageParser.Parse(query);
        question = parsed.Message;
        if (question is null || !recorded.TryGetValue((question.QuestionName, question.QuestionType), out var bytes))
        {
            return null;
        }

        var reply = (byte[])bytes.Clone();
        reply[0] = query[0];
        reply[1] = query[1];
        if (Mode == ResponderMode.TruncateUdp && !overTcp)
        {
            WireName.TryFromText(question.QuestionName, out var qname);
            var head = reply.AsSpan(0, 12 + qname.Length + 4).ToArray();
            BinaryPrimitives.WriteUInt16BigEndian(head.AsSpan(2), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(2)) | 0x0200));
            head.AsSpan(6, 6).Clear(); // no answer, authority or additional records
            return head;
        }

        return reply;
    }

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[4096];
        while (!stop.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try
            {
                r = await udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref udpQueries);
            SourcePorts.AddOrUpdate(((IPEndPoint)r.RemoteEndPoint).Port, 1, (_, n) => n + 1);
            var query = buffer.AsSpan(0, r.ReceivedBytes).ToArray();
            if (Mode == ResponderMode.Silent || Reply(query, false, out _) is not { } reply)
            {
                continue;
            }

            if (Mode == ResponderMode.WrongIdFirst)
            {
                var spoof = (byte[])reply.Clone();
                spoof[1] ^= 0x5A;
                spoof[3] = (byte)((spoof[3] & 0xF0) | DnsMessage.NxDomain);
                await udp.SendToAsync(spoof, SocketFlags.None, r.RemoteEndPoint);
                await Task.Delay(20);
            }

            await udp.SendToAsync(reply, SocketFlags.None, r.RemoteEndPoint);
        }
    }

    private async Task TcpLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await tcp.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            using (client)
            {
                Interlocked.Increment(ref tcpQueries);
                var stream = client.GetStream();
                var length = new byte[2];
                await stream.ReadExactlyAsync(length, stop.Token);
                var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                await stream.ReadExactlyAsync(query, stop.Token);
                if (Reply(query, true, out _) is { } reply)
                {
                    var framed = new byte[reply.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)reply.Length);
                    reply.CopyTo(framed, 2);
                    await stream.WriteAsync(framed, stop.Token);
                }
            }
        }
    }
}

/// <summary>
/// <see cref="DnsStubResolver"/> over real sockets against <see cref="LoopbackResponder"/> (loopback only): the
/// recorded answer, the TCP retry after a truncated UDP reply, a reply with a wrong ID ignored, and the timeout path.
/// </summary>
public sealed class StubResolverLoopbackTests
{
    private static readonly List<RecordedLine> Lines = RecordedLine.Load();

    /// <summary>A recorded NOERROR reply with records in the answer section.</summary>
    private static RecordedLine Sample => Lines.First(l => l.UnboundRcode == 0 && l.Type == DnsRecordType.MX
        && DnsMessageParser.Parse(l.Bytes).Message is { Answers.Count: > 0 });

    private static DnsStubResolver Stub(LoopbackResponder server, double timeoutSeconds = 2, int tries = 2) =>
        new(new DnsStubResolverSettings { Servers = [server.Endpoint], Timeout = TimeSpan.FromSeconds(timeoutSeconds), TriesPerServer = tries });

    private static void AssertSameAnswers(RecordedLine expected, DnsResponse response)
    {
        Assert.Equal(DnsAnswerStatus.Answer, response.Status);
        var want = DnsMessageParser.Parse(expected.Bytes).Message!;
        Assert.Equal(want.Answers.Select(r => r.ToString()), response.Message!.Answers.Select(r => r.ToString()));
        Assert.Equal(want.Authority.Count, response.Message.Authority.Count);
    }

    [Fact]
    public async Task A_recorded_answer_comes_back_over_udp()
    {
        var sample = Sample;
        await using var server = new LoopbackResponder(ResponderMode.Answer, Lines);
        var response = await Stub(server).QueryAsync(sample.Name, sample.Type);
        AssertSameAnswers(sample, response);
        Assert.Equal(server.Endpoint.ToString(), response.Server);
        Assert.Equal((1, 0), (server.UdpQueries, server.TcpQueries));
    }

    [Fact]
    public async Task Sequential_queries_reuse_one_udp_socket_and_a_timed_out_socket_is_not_reused()
    {
        var sample = Sample;
        await using var server = new LoopbackResponder(ResponderMode.Answer, Lines);
        var stub = Stub(server);
        for (var i = 0; i < 5; i++)
        {
            AssertSameAnswers(sample, await stub.QueryAsync(sample.Name, sample.Type));
        }

        Assert.Equal(5, server.UdpQueries);
        Assert.Single(server.SourcePorts);

        await using var silent = new LoopbackResponder(ResponderMode.Silent, Lines);
        var stub2 = Stub(silent, timeoutSeconds: 0.1, tries: 2);
        Assert.Equal(DnsAnswerStatus.Timeout, (await stub2.QueryAsync(sample.Name, sample.Type)).Status);
        Assert.Equal(2, silent.SourcePorts.Count); // a socket that saw no reply is closed, the retry uses a fresh one
    }

    [Fact]
    public async Task A_truncated_udp_reply_is_retried_over_tcp()
    {
        var sample = Sample;
        await using var server = new LoopbackResponder(ResponderMode.TruncateUdp, Lines);
        var response = await Stub(server).QueryAsync(sample.Name, sample.Type);
        AssertSameAnswers(sample, response);
        Assert.False(response.Message!.Truncated);
        Assert.Equal((1, 1), (server.UdpQueries, server.TcpQueries));
    }

    [Fact]
    public async Task A_reply_with_the_wrong_id_is_ignored()
    {
        var sample = Sample;
        await using var server = new LoopbackResponder(ResponderMode.WrongIdFirst, Lines);
        var response = await Stub(server).QueryAsync(sample.Name, sample.Type);

        // The spoofed NXDOMAIN arrived first; the stub waited for the datagram with its own ID.
        AssertSameAnswers(sample, response);
        Assert.Equal(1, server.UdpQueries);
    }

    [Fact]
    public async Task A_silent_server_is_a_timeout_after_every_try_never_an_absence()
    {
        var sample = Sample;
        await using var server = new LoopbackResponder(ResponderMode.Silent, Lines);
        var response = await Stub(server, timeoutSeconds: 0.2, tries: 3).QueryAsync(sample.Name, sample.Type);
        Assert.Equal(DnsAnswerStatus.Timeout, response.Status);
        Assert.Null(response.Message);
        Assert.Contains("no reply within", response.Error, StringComparison.Ordinal);
        Assert.Equal(3, server.UdpQueries);

        // Through the typed lookup, the timeout stays a temporary failure, not "no MX".
        var mx = await new DnsLookup(Stub(server, timeoutSeconds: 0.2, tries: 1)).MxAsync(sample.Name);
        Assert.Equal(DnsAnswerStatus.Timeout, mx.Status);
        Assert.True(mx.Status.IsTemporary());
    }

    [Fact]
    public async Task A_cancelled_query_throws_rather_than_reporting_a_timeout()
    {
        var sample = Sample;
        await using var server = new LoopbackResponder(ResponderMode.Silent, Lines);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Stub(server, timeoutSeconds: 5).QueryAsync(sample.Name, sample.Type, cts.Token));
    }
}
