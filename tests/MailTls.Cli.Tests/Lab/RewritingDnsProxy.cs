using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailTls.Cli.Tests.Lab;

/// <summary>
/// A DNS forwarder on 127.0.0.1 (UDP and TCP) in front of the lab resolver that can change what one process sees
/// without touching the lab other tests use: <see cref="Rewrite"/> answers chosen (name, type) questions itself
/// (NOERROR with the given records, or NODATA), everything else is relayed to 127.0.0.53 unchanged.
/// </summary>
internal sealed class RewritingDnsProxy : IDisposable
{
    private static readonly IPEndPoint Upstream = new(IPAddress.Parse("127.0.0.53"), 53);
    private readonly Socket udp = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly TcpListener tcp;
    private readonly CancellationTokenSource stop = new();

    public RewritingDnsProxy()
    {
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)udp.LocalEndPoint!).Port;
        tcp = new TcpListener(IPAddress.Loopback, Port);
        tcp.Start();
        _ = Task.Run(UdpLoopAsync);
        _ = Task.Run(TcpLoopAsync);
    }

    public int Port { get; }

    /// <summary>
    /// Answers for (lower-case name without trailing dot, type): a list of RDATA (empty = NODATA). Replaced as a whole
    /// so that a lookup sees one consistent world.
    /// </summary>
    public IReadOnlyDictionary<(string Name, ushort Type), IReadOnlyList<byte[]>> Rewrite { get; set; } = new Dictionary<(string, ushort), IReadOnlyList<byte[]>>();

    public static byte[] A(string address) => IPAddress.Parse(address).GetAddressBytes();

    /// <summary>TXT RDATA of one string (≤ 255 bytes).</summary>
    public static byte[] Txt(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        return [(byte)bytes.Length, .. bytes];
    }

    public void Dispose()
    {
        stop.Cancel();
        udp.Dispose();
        tcp.Stop();
        stop.Dispose();
    }

    private byte[]? Answer(ReadOnlySpan<byte> query)
    {
        if (query.Length < 17)
        {
            return null;
        }

        var labels = new List<string>();
        var i = 12;
        while (i < query.Length && query[i] != 0)
        {
            var len = query[i];
            if (len > 63 || i + 1 + len > query.Length)
            {
                return null;
            }

            labels.Add(Encoding.ASCII.GetString(query.Slice(i + 1, len)).ToLowerInvariant());
            i += 1 + len;
        }

        if (i + 5 > query.Length)
        {
            return null;
        }

        var questionEnd = i + 5;
        var type = BinaryPrimitives.ReadUInt16BigEndian(query[(i + 1)..]);
        if (!Rewrite.TryGetValue((string.Join('.', labels), type), out var records))
        {
            return null;
        }

        var reply = new List<byte>(query[..questionEnd].ToArray());
        reply[2] = (byte)(0x80 | (query[2] & 0x79)); // QR, opcode and RD kept, AA/TC cleared
        reply[3] = 0x80; // RA, NOERROR
        reply[6] = 0;
        reply[7] = (byte)records.Count;
        reply[8] = reply[9] = reply[10] = reply[11] = 0;
        foreach (var rdata in records)
        {
            reply.AddRange([0xC0, 0x0C, (byte)(type >> 8), (byte)type, 0, 1, 0, 0, 0, 5, (byte)(rdata.Length >> 8), (byte)rdata.Length]);
            reply.AddRange(rdata);
        }

        return [.. reply];
    }

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[65535];
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

            var query = buffer.AsSpan(0, r.ReceivedBytes).ToArray();
            var client = r.RemoteEndPoint;
            _ = Task.Run(async () =>
            {
                try
                {
                    var reply = Answer(query);
                    if (reply is null)
                    {
                        using var up = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                        deadline.CancelAfter(TimeSpan.FromSeconds(10));
                        await up.ConnectAsync(Upstream, deadline.Token);
                        await up.SendAsync(query, SocketFlags.None, deadline.Token);
                        var back = new byte[65535];
                        var n = await up.ReceiveAsync(back, SocketFlags.None, deadline.Token);
                        reply = back[..n];
                    }

                    await udp.SendToAsync(reply, SocketFlags.None, client, stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                }
            });
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

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        var stream = client.GetStream();
                        var query = await ReadFramedAsync(stream);
                        var reply = Answer(query);
                        if (reply is null)
                        {
                            using var up = new TcpClient();
                            await up.ConnectAsync(Upstream, stop.Token);
                            var upStream = up.GetStream();
                            await WriteFramedAsync(upStream, query);
                            reply = await ReadFramedAsync(upStream);
                        }

                        await WriteFramedAsync(stream, reply);
                    }
                    catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException or EndOfStreamException)
                    {
                    }
                }
            });
        }
    }

    private async Task<byte[]> ReadFramedAsync(NetworkStream stream)
    {
        var len = new byte[2];
        await stream.ReadExactlyAsync(len, stop.Token);
        var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(len)];
        await stream.ReadExactlyAsync(body, stop.Token);
        return body;
    }

    private async Task WriteFramedAsync(NetworkStream stream, byte[] message)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        await stream.WriteAsync(framed, stop.Token);
    }
}
