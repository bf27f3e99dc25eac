using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using MailTls.Dns.Wire;

namespace MailTls.Dns;

/// <summary>Settings of <see cref="DnsStubResolver"/> (immutable).</summary>
public sealed record DnsStubResolverSettings
{
    /// <summary>Upstream recursive servers, tried in order.</summary>
    public required IReadOnlyList<IPEndPoint> Servers { get; init; }

    /// <summary>Deadline of one try.</summary>
    public TimeSpan Timeout { get; init; } = Limits.DnsQueryTimeout;

    /// <summary>Tries per server.</summary>
    public int TriesPerServer { get; init; } = Limits.DnsTriesPerServer;

    /// <summary>
    /// Set CD (RFC 4035 §3.2.2) so a validating upstream returns bogus data instead of SERVFAIL and the in-process
    /// validator can explain it. True by default.
    /// </summary>
    public bool CheckingDisabled { get; init; } = true;

    public ushort UdpPayloadSize { get; init; } = Limits.DnsEdnsUdpPayload;
}

/// <summary>
/// A minimal stub resolver over System.Net.Sockets: UDP with EDNS0 and DO (RFC 6891, RFC 3225), retried over TCP
/// when the reply is truncated (RFC 7766 §5), per-try deadline and retries, the next server on failure.
/// Replies whose ID or question do not match are ignored (RFC 5452 §9.1), so a late or spoofed datagram cannot
/// answer another query. Connected UDP sockets are reused (a pool per server, each socket retired after
/// <see cref="Limits.DnsUdpSocketMaxUses"/> queries, and never reused after a timeout or error).
/// </summary>
public sealed class DnsStubResolver : IDnsResolver
{
    private readonly DnsStubResolverSettings settings;
    private readonly ConcurrentDictionary<IPEndPoint, ConcurrentBag<PooledSocket>> pools = new();

    public DnsStubResolver(DnsStubResolverSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Servers.Count == 0)
        {
            throw new ArgumentException("At least one server is needed.", nameof(settings));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(settings.TriesPerServer, 1, nameof(settings));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(settings.Timeout, TimeSpan.Zero, nameof(settings));

        this.settings = settings;
    }

    public async Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        var normalized = WireName.Normalize(name);
        if (normalized is null)
        {
            return new DnsResponse(DnsAnswerStatus.ServFail, null, "not a DNS name: " + name);
        }

        DnsResponse? last = null;
        foreach (var server in settings.Servers)
        {
            for (var attempt = 0; attempt < settings.TriesPerServer; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                last = await QueryOnceAsync(server, normalized, type, cancellationToken).ConfigureAwait(false);
                if (last.Status != DnsAnswerStatus.ServFail && last.Status != DnsAnswerStatus.Timeout)
                {
                    return last;
                }

                if (last.Message is not null)
                {
                    break; // a real SERVFAIL/REFUSED reply: ask the next server rather than the same one again
                }
            }
        }

        return last!;
    }

    private async Task<DnsResponse> QueryOnceAsync(IPEndPoint server, string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        var id = (ushort)RandomNumberGenerator.GetInt32(0, 65536);
        var query = DnsQueryBuilder.Build(id, name, type, settings.CheckingDisabled, settings.UdpPayloadSize);
        var serverText = server.ToString();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        try
        {
            var reply = await UdpAsync(server, query, id, name, type, deadline.Token).ConfigureAwait(false);
            if (reply.Message is { Truncated: true })
            {
                reply = await TcpAsync(server, query, id, name, type, deadline.Token).ConfigureAwait(false);
            }

            return reply.Message is null
                ? new DnsResponse(DnsAnswerStatus.ServFail, null, reply.Error, serverText)
                : DnsResponse.FromMessage(reply.Message, serverText);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DnsResponse(DnsAnswerStatus.Timeout, null, "no reply within " + settings.Timeout.TotalSeconds + " s", serverText);
        }
        catch (SocketException e)
        {
            return new DnsResponse(DnsAnswerStatus.Timeout, null, "network error: " + e.SocketErrorCode, serverText);
        }
    }

    private async Task<(DnsMessage? Message, string? Error)> UdpAsync(IPEndPoint server, byte[] query, ushort id, string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        var pool = pools.GetOrAdd(server, _ => []);
        if (!pool.TryTake(out var pooled))
        {
            pooled = new PooledSocket(new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp));
            try
            {
                await pooled.Socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                pooled.Socket.Dispose();
                throw;
            }
        }

        var reuse = false;
        var buffer = ArrayPool<byte>.Shared.Rent(Limits.DnsMaxMessageBytes);
        try
        {
            pooled.Uses++;
            await pooled.Socket.SendAsync(query, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var received = await pooled.Socket.ReceiveAsync(buffer.AsMemory(0, Limits.DnsMaxMessageBytes), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (received < 2 || BinaryPrimitives.ReadUInt16BigEndian(buffer) != id)
                {
                    continue; // a late reply to an earlier query on this socket, or a spoof
                }

                var parsed = DnsMessageParser.Parse(buffer.AsSpan(0, received));
                if (parsed.Message is { } m && !Matches(m, name, type))
                {
                    continue;
                }

                reuse = true;
                return (parsed.Message, parsed.Error is null ? null : "malformed reply: " + parsed.Error);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (reuse && pooled.Uses < Limits.DnsUdpSocketMaxUses && pool.Count < Limits.DnsUdpSocketPoolSize)
            {
                pool.Add(pooled);
            }
            else
            {
                pooled.Socket.Dispose();
            }
        }
    }

    private static async Task<(DnsMessage? Message, string? Error)> TcpAsync(IPEndPoint server, byte[] query, ushort id, string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await socket.SendAsync(framed, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var lengthBytes = new byte[2];
        if (!await ReadExactlyAsync(socket, lengthBytes, cancellationToken).ConfigureAwait(false))
        {
            return (null, "TCP connection closed before the reply");
        }

        var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(lengthBytes)];
        if (!await ReadExactlyAsync(socket, body, cancellationToken).ConfigureAwait(false))
        {
            return (null, "TCP connection closed in the middle of the reply");
        }

        var parsed = DnsMessageParser.Parse(body);
        if (parsed.Message is { } m && (m.Id != id || !Matches(m, name, type)))
        {
            return (null, "TCP reply does not match the query");
        }

        return (parsed.Message, parsed.Error is null ? null : "malformed reply: " + parsed.Error);
    }

    private static bool Matches(DnsMessage m, string name, DnsRecordType type) =>
        m.IsResponse && m.QuestionType == type && string.Equals(m.QuestionName, name, StringComparison.Ordinal);

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    private sealed class PooledSocket(Socket socket)
    {
        public Socket Socket { get; } = socket;

        public int Uses { get; set; }
    }
}
