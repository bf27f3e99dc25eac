using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace MailTls.Dns.Update;

/// <summary>Outcome class of a dynamic update.</summary>
public enum DnsUpdateStatus
{
    /// <summary>NOERROR, and the response's TSIG verified when the request was signed.</summary>
    Applied = 0,

    /// <summary>The server answered with an error RCODE (REFUSED, NOTAUTH, NOTZONE, YXRRSET, NXRRSET …).</summary>
    Rejected = 1,

    /// <summary>The server answered, but the response's TSIG is missing or does not verify: the result cannot be trusted.</summary>
    ResponseNotAuthenticated = 2,

    /// <summary>No usable response (timeout, connection refused, malformed reply).</summary>
    NoResponse = 3,
}

/// <summary>The result of <see cref="DnsUpdateClient.SendAsync"/>.</summary>
public sealed record DnsUpdateResult(DnsUpdateStatus Status, int ResponseCode, ushort TsigError, string Detail, string Server)
{
    public bool Applied => Status == DnsUpdateStatus.Applied;

    /// <summary>RCODE mnemonics (RFC 1035 §4.1.1, RFC 2136 §2.2).</summary>
    public static string RcodeName(int rcode) => rcode switch
    {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSET",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        _ => "RCODE " + rcode.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>Settings of <see cref="DnsUpdateClient"/>.</summary>
public sealed record DnsUpdateClientOptions
{
    public TimeSpan Timeout { get; init; } = Limits.DnsUpdateTimeout;

    /// <summary>
    /// The clock of Time Signed. Always the real clock in production: a primary refuses a signature whose time is off
    /// by more than the fudge (BADTIME), so a simulated plan clock must never reach TSIG.
    /// </summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ushort Fudge { get; init; } = Tsig.DefaultFudge;
}

/// <summary>
/// Sends RFC 2136 dynamic updates over TCP (RFC 7766: TCP is always allowed, and an update is too important to be
/// lost to UDP truncation), signed with TSIG (RFC 8945) when a key is given, and checks the response: same ID, QR,
/// opcode UPDATE, and a TSIG that verifies against the request's MAC.
/// </summary>
public sealed class DnsUpdateClient(DnsUpdateClientOptions? options = null)
{
    private readonly DnsUpdateClientOptions options = options ?? new DnsUpdateClientOptions();

    public async Task<DnsUpdateResult> SendAsync(IPEndPoint server, string zone, IReadOnlyList<DnsUpdatePrerequisite> prerequisites, IReadOnlyList<DnsUpdateOperation> updates, TsigKey? key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var id = (ushort)RandomNumberGenerator.GetInt32(0, 65536);
        var message = DnsUpdateMessage.Build(id, zone, prerequisites, updates);
        byte[] requestMac = [];
        if (key is not null)
        {
            message = Tsig.Sign(message, key, (ulong)options.Time.GetUtcNow().ToUnixTimeSeconds(), options.Fudge, out requestMac);
        }

        var serverText = server.ToString();
        byte[] reply;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        try
        {
            using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(server, deadline.Token).ConfigureAwait(false);
            var framed = new byte[message.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
            message.CopyTo(framed, 2);
            await socket.SendAsync(framed, SocketFlags.None, deadline.Token).ConfigureAwait(false);
            var length = new byte[2];
            if (!await ReadExactlyAsync(socket, length, deadline.Token).ConfigureAwait(false))
            {
                return Fail("the server closed the connection without a reply");
            }

            reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
            if (!await ReadExactlyAsync(socket, reply, deadline.Token).ConfigureAwait(false))
            {
                return Fail("the server closed the connection in the middle of the reply");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail($"no reply within {options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        catch (SocketException e)
        {
            return Fail("network error: " + e.SocketErrorCode);
        }

        return Interpret(reply, id, requestMac, key, serverText);

        DnsUpdateResult Fail(string detail) => new(DnsUpdateStatus.NoResponse, -1, 0, detail, serverText);
    }

    /// <summary>Classifies a reply to the update with ID <paramref name="id"/> (pure; used by tests with recorded replies).</summary>
    internal DnsUpdateResult Interpret(byte[] reply, ushort id, byte[] requestMac, TsigKey? key, string server)
    {
        if (reply.Length < 12)
        {
            return new(DnsUpdateStatus.NoResponse, -1, 0, "reply shorter than a DNS header", server);
        }

        var flags = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(2));
        var replyId = BinaryPrimitives.ReadUInt16BigEndian(reply);
        if (replyId != id || (flags & 0x8000) == 0 || ((flags >> 11) & 0xF) != DnsUpdateMessage.OpcodeUpdate)
        {
            return new(DnsUpdateStatus.NoResponse, -1, 0, "the reply does not answer this update (ID, QR or opcode)", server);
        }

        var rcode = flags & 0xF;
        TsigRecord? tsig = null;
        var verification = TsigVerification.NotSigned;
        if (key is not null)
        {
            verification = Tsig.Verify(reply, key, requestMac, options.Time.GetUtcNow(), out tsig);
        }
        else if (!Tsig.TryExtract(reply, out tsig, out _))
        {
            return new(DnsUpdateStatus.NoResponse, rcode, 0, "malformed reply", server);
        }

        var tsigError = tsig?.Error ?? 0;
        if (tsigError != 0)
        {
            // RFC 8945 §5.2: BADKEY/BADSIG replies are unsigned; the error is in the TSIG RR, RCODE is NOTAUTH.
            return new(DnsUpdateStatus.Rejected, rcode, tsigError,
                $"the server refused the TSIG signature: {DnsUpdateResult.RcodeName(rcode)}/{Tsig.ErrorName(tsigError)}" + (tsigError == Tsig.BadTime ? " (check this machine's clock)" : string.Empty), server);
        }

        if (rcode != 0)
        {
            return new(DnsUpdateStatus.Rejected, rcode, 0, "the server refused the update: " + DnsUpdateResult.RcodeName(rcode), server);
        }

        if (key is not null && verification != TsigVerification.Valid)
        {
            return new(DnsUpdateStatus.ResponseNotAuthenticated, rcode, 0, "the NOERROR reply's TSIG does not verify (" + verification + ")", server);
        }

        return new(DnsUpdateStatus.Applied, 0, 0, "NOERROR", server);
    }

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
}
