using System.Buffers.Binary;
using System.Security.Cryptography;
using MailTls.Dns.Wire;

namespace MailTls.Dns.Update;

/// <summary>TSIG MAC algorithms (RFC 8945 §6: HMAC-SHA256 is mandatory; SHA-384 and SHA-512 are optional).</summary>
public enum TsigAlgorithm
{
    HmacSha256 = 0,
    HmacSha384 = 1,
    HmacSha512 = 2,
}

/// <summary>A shared TSIG key: its name (a domain name, compared case-insensitively), algorithm and secret.</summary>
public sealed record TsigKey
{
    public TsigKey(string name, TsigAlgorithm algorithm, ReadOnlyMemory<byte> secret)
    {
        Name = WireName.Normalize(name) ?? throw new ArgumentException("A TSIG key name is a domain name: " + name, nameof(name));
        if (secret.Length == 0)
        {
            throw new ArgumentException("A TSIG secret must not be empty.", nameof(secret));
        }

        Algorithm = algorithm;
        Secret = secret;
    }

    public string Name { get; }

    public TsigAlgorithm Algorithm { get; }

    public ReadOnlyMemory<byte> Secret { get; }

    /// <summary>The algorithm's name as it appears in the TSIG RR (RFC 8945 §6 table), without the trailing dot.</summary>
    public string AlgorithmName => Tsig.AlgorithmName(Algorithm);

    /// <summary>The record never prints its secret.</summary>
    public override string ToString() => $"{Name} ({AlgorithmName})";
}

/// <summary>The TSIG RR of a signed message (RFC 8945 §4.2), as found at the end of its additional section.</summary>
public sealed record TsigRecord(
    string KeyName,
    string Algorithm,
    ulong TimeSigned,
    ushort Fudge,
    ReadOnlyMemory<byte> Mac,
    ushort OriginalId,
    ushort Error,
    ReadOnlyMemory<byte> OtherData);

/// <summary>Outcome of <see cref="Tsig.Verify"/>.</summary>
public enum TsigVerification
{
    Valid = 0,

    /// <summary>The message carries no TSIG RR.</summary>
    NotSigned = 1,

    /// <summary>Another key name or algorithm than ours.</summary>
    WrongKey = 2,

    /// <summary>The MAC does not verify (or is truncated: this client never asks for truncation).</summary>
    BadSignature = 3,

    /// <summary>Time Signed is outside the fudge window (RFC 8945 §5.2.3).</summary>
    BadTime = 4,

    /// <summary>The TSIG RR is malformed or not the last record.</summary>
    Malformed = 5,
}

/// <summary>
/// Transaction signatures (RFC 8945). The MAC of a request covers the whole message as it is without the TSIG RR
/// (original ID, ARCOUNT without the TSIG) followed by the "TSIG variables": the key name and algorithm name in
/// canonical (lower-case, uncompressed) wire form, CLASS ANY, TTL 0, Time Signed (48 bits), Fudge, Error, Other Len
/// and Other Data (§4.3.3). A response's MAC is computed over the request's MAC (length-prefixed) first (§4.3.1).
/// </summary>
public static class Tsig
{
    /// <summary>TSIG RR type (RFC 8945 §4.2).</summary>
    public const ushort TypeTsig = 250;

    /// <summary>CLASS ANY (RFC 1035 §3.2.5), the class of a TSIG RR.</summary>
    public const ushort ClassAny = 255;

    /// <summary>Default fudge: RFC 8945 §10 recommends 300 seconds.</summary>
    public const ushort DefaultFudge = 300;

    /// <summary>TSIG error codes (RFC 8945 §3: BADSIG 16, BADKEY 17, BADTIME 18, BADTRUNC 22).</summary>
    public const ushort BadSig = 16;

    public const ushort BadKey = 17;

    public const ushort BadTime = 18;

    public const ushort BadTrunc = 22;

    public static string AlgorithmName(TsigAlgorithm algorithm) => algorithm switch
    {
        TsigAlgorithm.HmacSha256 => "hmac-sha256",
        TsigAlgorithm.HmacSha384 => "hmac-sha384",
        TsigAlgorithm.HmacSha512 => "hmac-sha512",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Parses an algorithm name (<c>hmac-sha256</c>, optional trailing dot, any case).</summary>
    public static bool TryParseAlgorithm(string? text, out TsigAlgorithm algorithm)
    {
        algorithm = TsigAlgorithm.HmacSha256;
        switch (text?.Trim().TrimEnd('.').ToLowerInvariant())
        {
            case "hmac-sha256":
                return true;
            case "hmac-sha384":
                algorithm = TsigAlgorithm.HmacSha384;
                return true;
            case "hmac-sha512":
                algorithm = TsigAlgorithm.HmacSha512;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Text of a TSIG error code, for messages.</summary>
    public static string ErrorName(ushort error) => error switch
    {
        0 => "NOERROR",
        BadSig => "BADSIG",
        BadKey => "BADKEY",
        BadTime => "BADTIME",
        BadTrunc => "BADTRUNC",
        _ => "TSIG error " + error.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Signs <paramref name="message"/> (a complete DNS message without a TSIG RR): returns the message with the TSIG RR
    /// appended and ARCOUNT incremented, and the MAC (which verifies the response).
    /// </summary>
    public static byte[] Sign(ReadOnlySpan<byte> message, TsigKey key, ulong timeSigned, ushort fudge, out byte[] mac)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (message.Length < 12)
        {
            throw new ArgumentException("A DNS message has a 12-octet header.", nameof(message));
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(message);
        mac = ComputeMac(message, key, timeSigned, fudge, 0, [], []);
        var w = new DnsWireWriter(message.Length + 128);
        w.WriteBytes(message);
        w.PatchUInt16(10, (ushort)(BinaryPrimitives.ReadUInt16BigEndian(message[10..]) + 1));
        var rdata = new DnsWireWriter(96);
        rdata.WriteName(key.AlgorithmName);
        rdata.WriteUInt48(timeSigned);
        rdata.WriteUInt16(fudge);
        rdata.WriteUInt16((ushort)mac.Length);
        rdata.WriteBytes(mac);
        rdata.WriteUInt16(id);
        rdata.WriteUInt16(0);
        rdata.WriteUInt16(0);
        w.WriteRecord(key.Name, TypeTsig, ClassAny, 0, rdata.ToArray());
        return w.ToArray();
    }

    /// <summary>
    /// The MAC over <paramref name="messageWithoutTsig"/> (as it would be without the TSIG RR: original ID, ARCOUNT
    /// not counting it) and the TSIG variables; for a response, <paramref name="requestMac"/> is the request's MAC.
    /// </summary>
    public static byte[] ComputeMac(ReadOnlySpan<byte> messageWithoutTsig, TsigKey key, ulong timeSigned, ushort fudge, ushort error, ReadOnlySpan<byte> otherData, ReadOnlySpan<byte> requestMac)
    {
        ArgumentNullException.ThrowIfNull(key);
        var w = new DnsWireWriter(messageWithoutTsig.Length + requestMac.Length + 128);
        if (requestMac.Length > 0)
        {
            w.WriteUInt16((ushort)requestMac.Length);
            w.WriteBytes(requestMac);
        }

        w.WriteBytes(messageWithoutTsig);
        w.WriteBytes(WireName.ToLower(NameWire(key.Name)));
        w.WriteUInt16(ClassAny);
        w.WriteUInt32(0);
        w.WriteBytes(WireName.ToLower(NameWire(key.AlgorithmName)));
        w.WriteUInt48(timeSigned);
        w.WriteUInt16(fudge);
        w.WriteUInt16(error);
        w.WriteUInt16((ushort)otherData.Length);
        w.WriteBytes(otherData);
        var data = w.ToArray();
        var secret = key.Secret.Span;
        return key.Algorithm switch
        {
            TsigAlgorithm.HmacSha256 => HMACSHA256.HashData(secret, data),
            TsigAlgorithm.HmacSha384 => HMACSHA384.HashData(secret, data),
            TsigAlgorithm.HmacSha512 => HMACSHA512.HashData(secret, data),
            _ => throw new ArgumentOutOfRangeException(nameof(key)),
        };
    }

    /// <summary>
    /// Finds the TSIG RR, which must be the last record of the additional section (RFC 8945 §5.1), and returns the
    /// message as it was before signing (TSIG removed, ARCOUNT decremented, ID set back to Original ID).
    /// </summary>
    public static bool TryExtract(ReadOnlySpan<byte> message, out TsigRecord? record, out byte[] withoutTsig)
    {
        record = null;
        withoutTsig = [];
        if (message.Length < 12)
        {
            return false;
        }

        var counts = new int[4];
        for (var i = 0; i < 4; i++)
        {
            counts[i] = BinaryPrimitives.ReadUInt16BigEndian(message[(4 + (2 * i))..]);
        }

        if (counts[3] == 0)
        {
            withoutTsig = message.ToArray();
            return true;
        }

        var offset = 12;
        for (var i = 0; i < counts[0]; i++)
        {
            if (!WireName.TryRead(message, offset, out _, out offset) || offset + 4 > message.Length)
            {
                return false;
            }

            offset += 4;
        }

        var records = counts[1] + counts[2] + counts[3];
        var lastStart = -1;
        byte[] lastOwner = WireName.Root;
        for (var i = 0; i < records; i++)
        {
            var start = offset;
            if (!WireName.TryRead(message, offset, out var owner, out offset) || offset + 10 > message.Length)
            {
                return false;
            }

            var rdlength = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
            if (i == records - 1)
            {
                lastStart = start;
                lastOwner = owner;
                if (BinaryPrimitives.ReadUInt16BigEndian(message[offset..]) != TypeTsig)
                {
                    withoutTsig = message.ToArray();
                    return true; // not message
                }
            }

            offset += 10 + rdlength;
            if (offset > message.Length)
            {
                return false;
            }
        }

        if (offset != message.Length)
        {
            return false;
        }

        // RDATA of the TSIG RR.
        var rdStart = lastStart;
        if (!WireName.TryRead(message, rdStart, out _, out rdStart))
        {
            return false;
        }

        rdStart += 10;
        if (!WireName.TryRead(message, rdStart, out var algorithm, out var p) || p + 10 > message.Length)
        {
            return false;
        }

        var time = ((ulong)BinaryPrimitives.ReadUInt16BigEndian(message[p..]) << 32) | BinaryPrimitives.ReadUInt32BigEndian(message[(p + 2)..]);
        var fudge = BinaryPrimitives.ReadUInt16BigEndian(message[(p + 6)..]);
        int macSize = BinaryPrimitives.ReadUInt16BigEndian(message[(p + 8)..]);
        p += 10;
        if (p + macSize + 6 > message.Length)
        {
            return false;
        }

        var mac = message.Slice(p, macSize).ToArray();
        p += macSize;
        var originalId = BinaryPrimitives.ReadUInt16BigEndian(message[p..]);
        var error = BinaryPrimitives.ReadUInt16BigEndian(message[(p + 2)..]);
        int otherLen = BinaryPrimitives.ReadUInt16BigEndian(message[(p + 4)..]);
        p += 6;
        if (p + otherLen != message.Length)
        {
            return false;
        }

        var other = message.Slice(p, otherLen).ToArray();
        record = new TsigRecord(WireName.ToText(lastOwner), WireName.ToText(algorithm), time, fudge, mac, originalId, error, other);
        withoutTsig = message[..lastStart].ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(withoutTsig, originalId);
        BinaryPrimitives.WriteUInt16BigEndian(withoutTsig.AsSpan(10), (ushort)(counts[3] - 1));
        return true;
    }

    /// <summary>
    /// Verifies a signed message (a response when <paramref name="requestMac"/> is not empty) with <paramref name="key"/>
    /// at <paramref name="now"/>: the TSIG RR names our key and algorithm, the full-length MAC verifies (compared in
    /// constant time), and Time Signed is within its fudge of now (RFC 8945 §5.2, §5.4).
    /// </summary>
    public static TsigVerification Verify(ReadOnlySpan<byte> message, TsigKey key, ReadOnlySpan<byte> requestMac, DateTimeOffset now, out TsigRecord? record)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!TryExtract(message, out record, out var withoutTsig))
        {
            return TsigVerification.Malformed;
        }

        if (record is null)
        {
            return TsigVerification.NotSigned;
        }

        if (!string.Equals(record.KeyName, key.Name, StringComparison.OrdinalIgnoreCase) || !string.Equals(record.Algorithm, key.AlgorithmName, StringComparison.OrdinalIgnoreCase))
        {
            return TsigVerification.WrongKey;
        }

        var expected = ComputeMac(withoutTsig, key, record.TimeSigned, record.Fudge, record.Error, record.OtherData.Span, requestMac);
        if (record.Mac.Length != expected.Length || !CryptographicOperations.FixedTimeEquals(expected, record.Mac.Span))
        {
            return TsigVerification.BadSignature;
        }

        var seconds = now.ToUnixTimeSeconds();
        return Math.Abs(seconds - (long)record.TimeSigned) > record.Fudge ? TsigVerification.BadTime : TsigVerification.Valid;
    }

    private static byte[] NameWire(string name) =>
        WireName.TryFromText(name, out var wire) ? wire : throw new ArgumentException("Not a DNS name: " + name, nameof(name));
}
