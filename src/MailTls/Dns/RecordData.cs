using System.Buffers.Binary;
using System.Net;
using System.Text;
using MailTls.Dns.Wire;

namespace MailTls.Dns;

/// <summary>MX RDATA (RFC 1035 §3.3.9).</summary>
public sealed record MxData(ushort Preference, string Exchange);

/// <summary>A / AAAA RDATA (RFC 1035 §3.4.1, RFC 3596 §2.2).</summary>
public sealed record AddressData(IPAddress Address);

/// <summary>TXT RDATA (RFC 1035 §3.3.14): the character-strings, decoded as UTF-8 (invalid bytes replaced).</summary>
public sealed record TxtData(IReadOnlyList<string> Strings)
{
    /// <summary>The strings concatenated, as RFC 8461 §3.1 and RFC 8460 §3 read multi-string records.</summary>
    public string Joined => string.Concat(Strings);
}

/// <summary>TLSA RDATA (RFC 6698 §2.1).</summary>
public sealed record TlsaData(byte Usage, byte Selector, byte MatchingType, ReadOnlyMemory<byte> Association);

/// <summary>CAA RDATA (RFC 8659 §4.1).</summary>
public sealed record CaaData(byte Flags, string Tag, string Value);

/// <summary>CNAME RDATA (RFC 1035 §3.3.1).</summary>
public sealed record CnameData(string Target);

/// <summary>SOA RDATA (RFC 1035 §3.3.13); <see cref="Minimum"/> bounds negative caching (RFC 2308 §5).</summary>
public sealed record SoaData(string PrimaryNs, string Mailbox, uint Serial, uint Refresh, uint Retry, uint Expire, uint Minimum);

/// <summary>DS RDATA (RFC 4034 §5.1).</summary>
public sealed record DsData(ushort KeyTag, byte Algorithm, byte DigestType, ReadOnlyMemory<byte> Digest);

/// <summary>DNSKEY RDATA (RFC 4034 §2.1). <see cref="KeyTag"/> is computed as RFC 4034 Appendix B says.</summary>
public sealed record DnskeyData(ushort Flags, byte Protocol, byte Algorithm, ReadOnlyMemory<byte> PublicKey, ushort KeyTag)
{
    /// <summary>Zone Key flag (bit 7): only zone keys may verify RRSIGs (RFC 4034 §2.1.1).</summary>
    public bool IsZoneKey => (Flags & 0x0100) != 0;

    /// <summary>Secure Entry Point flag (bit 15), i.e. a KSK by convention (RFC 4034 §2.1.1).</summary>
    public bool IsSep => (Flags & 0x0001) != 0;

    /// <summary>REVOKE flag (RFC 5011 §3): a revoked key must not be used.</summary>
    public bool IsRevoked => (Flags & 0x0080) != 0;
}

/// <summary>RRSIG RDATA (RFC 4034 §3.1). Times are seconds since the epoch modulo 2^32 (serial arithmetic).</summary>
public sealed record RrsigData(
    DnsRecordType TypeCovered,
    byte Algorithm,
    byte Labels,
    uint OriginalTtl,
    uint Expiration,
    uint Inception,
    ushort KeyTag,
    string SignerName,
    ReadOnlyMemory<byte> Signature)
{
    /// <summary>Length of the RDATA before the signature field (fixed part plus the signer's name).</summary>
    internal int SignedPrefixLength { get; init; }
}

/// <summary>NSEC RDATA (RFC 4034 §4.1).</summary>
public sealed record NsecData(string NextName, IReadOnlySet<DnsRecordType> Types);

/// <summary>NSEC3 RDATA (RFC 5155 §3.2). <see cref="OptOut"/> is flag bit 0.</summary>
public sealed record Nsec3Data(byte HashAlgorithm, byte Flags, ushort Iterations, ReadOnlyMemory<byte> Salt, ReadOnlyMemory<byte> NextHashedOwner, IReadOnlySet<DnsRecordType> Types)
{
    public bool OptOut => (Flags & 1) != 0;
}

/// <summary>
/// Typed views over <see cref="DnsRecord.Data"/>. Each parser returns null for malformed RDATA (it never throws):
/// a record that does not parse is treated as absent by callers, and the raw record stays available.
/// </summary>
public static class RecordData
{
    public static MxData? Mx(DnsRecord r) =>
        r.Type == DnsRecordType.MX && r.Data.Length >= 3 && TryName(r.Data.Span[2..], out var n, out var used) && used == r.Data.Length - 2
            ? new MxData(BinaryPrimitives.ReadUInt16BigEndian(r.Data.Span), n)
            : null;

    public static AddressData? Address(DnsRecord r) => r.Type switch
    {
        DnsRecordType.A when r.Data.Length == 4 => new AddressData(new IPAddress(r.Data.Span)),
        DnsRecordType.AAAA when r.Data.Length == 16 => new AddressData(new IPAddress(r.Data.Span)),
        _ => null,
    };

    public static TxtData? Txt(DnsRecord r)
    {
        if (r.Type != DnsRecordType.TXT)
        {
            return null;
        }

        var strings = new List<string>();
        var s = r.Data.Span;
        var i = 0;
        while (i < s.Length)
        {
            int len = s[i];
            if (i + 1 + len > s.Length)
            {
                return null;
            }

            strings.Add(Encoding.UTF8.GetString(s.Slice(i + 1, len)));
            i += 1 + len;
        }

        return new TxtData(strings);
    }

    public static TlsaData? Tlsa(DnsRecord r) =>
        r.Type == DnsRecordType.TLSA && r.Data.Length >= 3 && r.Data.Length - 3 <= Limits.TlsaMaxDataBytes
            ? new TlsaData(r.Data.Span[0], r.Data.Span[1], r.Data.Span[2], r.Data[3..].ToArray())
            : null;

    public static CaaData? Caa(DnsRecord r)
    {
        var s = r.Data.Span;
        if (r.Type != DnsRecordType.CAA || s.Length < 2 || s[1] == 0 || 2 + s[1] > s.Length)
        {
            return null;
        }

        return new CaaData(s[0], Encoding.ASCII.GetString(s.Slice(2, s[1])), Encoding.UTF8.GetString(s[(2 + s[1])..]));
    }

    public static CnameData? Cname(DnsRecord r) =>
        r.Type == DnsRecordType.CNAME && TryName(r.Data.Span, out var n, out var used) && used == r.Data.Length ? new CnameData(n) : null;

    public static SoaData? Soa(DnsRecord r)
    {
        var s = r.Data.Span;
        if (r.Type != DnsRecordType.SOA || !TryName(s, out var mname, out var a) || !TryName(s[a..], out var rname, out var b) || s.Length != a + b + 20)
        {
            return null;
        }

        var t = s[(a + b)..];
        return new SoaData(mname, rname, U32(t), U32(t[4..]), U32(t[8..]), U32(t[12..]), U32(t[16..]));
    }

    public static DsData? Ds(DnsRecord r) =>
        r.Type == DnsRecordType.DS && r.Data.Length >= 5
            ? new DsData(BinaryPrimitives.ReadUInt16BigEndian(r.Data.Span), r.Data.Span[2], r.Data.Span[3], r.Data[4..].ToArray())
            : null;

    public static DnskeyData? Dnskey(DnsRecord r) =>
        r.Type == DnsRecordType.DNSKEY && r.Data.Length >= 5
            ? new DnskeyData(BinaryPrimitives.ReadUInt16BigEndian(r.Data.Span), r.Data.Span[2], r.Data.Span[3], r.Data[4..].ToArray(), KeyTag(r.Data.Span))
            : null;

    public static RrsigData? Rrsig(DnsRecord r)
    {
        var s = r.Data.Span;
        if (r.Type != DnsRecordType.RRSIG || s.Length < 19 || !TryName(s[18..], out var signer, out var used) || 18 + used >= s.Length)
        {
            return null;
        }

        return new RrsigData(
            (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(s), s[2], s[3], U32(s[4..]), U32(s[8..]), U32(s[12..]),
            BinaryPrimitives.ReadUInt16BigEndian(s[16..]), signer, r.Data[(18 + used)..].ToArray())
        {
            SignedPrefixLength = 18 + used,
        };
    }

    public static NsecData? Nsec(DnsRecord r)
    {
        var s = r.Data.Span;
        if (r.Type != DnsRecordType.NSEC || !TryName(s, out var next, out var used) || !TryTypeBitmap(s[used..], out var types))
        {
            return null;
        }

        return new NsecData(next, types);
    }

    public static Nsec3Data? Nsec3(DnsRecord r)
    {
        var s = r.Data.Span;
        if (r.Type != DnsRecordType.NSEC3 || s.Length < 5)
        {
            return null;
        }

        int saltLength = s[4];
        if (5 + saltLength + 1 > s.Length)
        {
            return null;
        }

        int hashLength = s[5 + saltLength];
        var start = 6 + saltLength;
        if (hashLength == 0 || start + hashLength > s.Length || !TryTypeBitmap(s[(start + hashLength)..], out var types))
        {
            return null;
        }

        return new Nsec3Data(s[0], s[1], BinaryPrimitives.ReadUInt16BigEndian(s[2..]), r.Data.Slice(5, saltLength).ToArray(), r.Data.Slice(start, hashLength).ToArray(), types);
    }

    /// <summary>RFC 4034 Appendix B key tag over DNSKEY RDATA (algorithm 1 is not supported and not special-cased).</summary>
    public static ushort KeyTag(ReadOnlySpan<byte> dnskeyRdata)
    {
        uint ac = 0;
        for (var i = 0; i < dnskeyRdata.Length; i++)
        {
            ac += (i & 1) != 0 ? dnskeyRdata[i] : (uint)dnskeyRdata[i] << 8;
        }

        ac += (ac >> 16) & 0xFFFF;
        return (ushort)(ac & 0xFFFF);
    }

    /// <summary>RFC 4034 §4.1.2 type bit maps: windows in increasing order, 1–32 octet bitmaps.</summary>
    internal static bool TryTypeBitmap(ReadOnlySpan<byte> s, out IReadOnlySet<DnsRecordType> types)
    {
        var set = new HashSet<DnsRecordType>();
        types = set;
        var i = 0;
        var lastWindow = -1;
        while (i < s.Length)
        {
            if (i + 2 > s.Length)
            {
                return false;
            }

            int window = s[i];
            int len = s[i + 1];
            if (window <= lastWindow || len is 0 or > 32 || i + 2 + len > s.Length)
            {
                return false;
            }

            lastWindow = window;
            for (var j = 0; j < len; j++)
            {
                var octet = s[i + 2 + j];
                for (var bit = 0; bit < 8; bit++)
                {
                    if ((octet & (0x80 >> bit)) != 0)
                    {
                        set.Add((DnsRecordType)((window * 256) + (j * 8) + bit));
                    }
                }
            }

            i += 2 + len;
        }

        return true;
    }

    internal static byte[] TypeBitmap(IEnumerable<DnsRecordType> types)
    {
        var output = new List<byte>();
        foreach (var group in types.Select(t => (int)t).Distinct().OrderBy(t => t).GroupBy(t => t >> 8))
        {
            var bits = new byte[32];
            var max = 0;
            foreach (var t in group)
            {
                var low = t & 0xFF;
                bits[low >> 3] |= (byte)(0x80 >> (low & 7));
                max = Math.Max(max, (low >> 3) + 1);
            }

            output.Add((byte)group.Key);
            output.Add((byte)max);
            output.AddRange(bits.AsSpan(0, max).ToArray());
        }

        return [.. output];
    }

    /// <summary>An uncompressed wire name at the start of <paramref name="s"/>, as text; <paramref name="used"/> its length.</summary>
    internal static bool TryName(ReadOnlySpan<byte> s, out string name, out int used)
    {
        name = ".";
        used = 0;
        var i = 0;
        while (true)
        {
            if (i >= s.Length || i >= WireName.MaxWireLength)
            {
                return false;
            }

            int len = s[i];
            if (len == 0)
            {
                used = i + 1;
                name = WireName.ToText(s[..used]);
                return true;
            }

            if (len > 63)
            {
                return false;
            }

            i += 1 + len;
        }
    }

    private static uint U32(ReadOnlySpan<byte> s) => BinaryPrimitives.ReadUInt32BigEndian(s);
}
