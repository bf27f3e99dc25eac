using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailTls.Dns.Wire;

namespace MailTls.Dns;

/// <summary>Result of <see cref="RecordText.Parse"/>: a record, or why the line is not one.</summary>
public sealed record RecordParseResult(DnsRecord? Record, string? Error)
{
    public bool Success => Record is not null;
}

/// <summary>
/// Presentation format of single resource records (RFC 1035 §5.1; RFC 4034 §§2.2, 3.2, 4.2, 5.3; RFC 5155 §3.3;
/// RFC 6698 §2.2; RFC 3597 §5 <c>\#</c> generic RDATA): one record per line,
/// <c>owner [ttl] [class] type rdata</c>, owner absolute. Used for trust-anchor files, traces and test zones.
/// No I/O; never throws on bad input.
/// </summary>
public static class RecordText
{
    public static string Format(DnsRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var owner = record.Name == "." ? "." : record.Name + ".";
        return owner + " " + record.Ttl.ToString(CultureInfo.InvariantCulture) + " IN " + DnsRecordTypeText.ToText(record.Type) + " " + FormatData(record);
    }

    public static string FormatData(DnsRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        static string N(string n) => n == "." ? "." : n + ".";
        static string Types(IReadOnlySet<DnsRecordType> t) => string.Join(' ', t.OrderBy(x => (ushort)x).Select(DnsRecordTypeText.ToText));
        string? text = record.Type switch
        {
            DnsRecordType.A or DnsRecordType.AAAA => RecordData.Address(record)?.Address.ToString(),
            DnsRecordType.MX => RecordData.Mx(record) is { } mx ? mx.Preference.ToString(CultureInfo.InvariantCulture) + " " + N(mx.Exchange) : null,
            DnsRecordType.CNAME or DnsRecordType.NS or DnsRecordType.PTR or DnsRecordType.DNAME
                when RecordData.TryName(record.Data.Span, out var n, out var u) && u == record.Data.Length => N(n),
            DnsRecordType.TXT => RecordData.Txt(record) is { } txt ? string.Join(' ', txt.Strings.Select(Quote)) : null,
            DnsRecordType.TLSA => RecordData.Tlsa(record) is { } t ? $"{t.Usage} {t.Selector} {t.MatchingType} {Convert.ToHexString(t.Association.Span)}" : null,
            DnsRecordType.CAA => RecordData.Caa(record) is { } c ? $"{c.Flags} {c.Tag} {Quote(c.Value)}" : null,
            DnsRecordType.SOA => RecordData.Soa(record) is { } s ? $"{N(s.PrimaryNs)} {N(s.Mailbox)} {s.Serial} {s.Refresh} {s.Retry} {s.Expire} {s.Minimum}" : null,
            DnsRecordType.DS => RecordData.Ds(record) is { } d ? $"{d.KeyTag} {d.Algorithm} {d.DigestType} {Convert.ToHexString(d.Digest.Span)}" : null,
            DnsRecordType.DNSKEY => RecordData.Dnskey(record) is { } k ? $"{k.Flags} {k.Protocol} {k.Algorithm} {Convert.ToBase64String(k.PublicKey.Span)}" : null,
            DnsRecordType.RRSIG => RecordData.Rrsig(record) is { } g
                ? $"{DnsRecordTypeText.ToText(g.TypeCovered)} {g.Algorithm} {g.Labels} {g.OriginalTtl} {Time(g.Expiration)} {Time(g.Inception)} {g.KeyTag} {N(g.SignerName)} {Convert.ToBase64String(g.Signature.Span)}"
                : null,
            DnsRecordType.NSEC => RecordData.Nsec(record) is { } ns ? (N(ns.NextName) + " " + Types(ns.Types)).TrimEnd() : null,
            DnsRecordType.NSEC3 => RecordData.Nsec3(record) is { } n3
                ? ($"{n3.HashAlgorithm} {n3.Flags} {n3.Iterations} {(n3.Salt.Length == 0 ? "-" : Convert.ToHexString(n3.Salt.Span))} {Base32Hex.Encode(n3.NextHashedOwner.Span).ToUpperInvariant()} " + Types(n3.Types)).TrimEnd()
                : null,
            _ => null,
        };
        return text ?? @"\# " + record.Data.Length.ToString(CultureInfo.InvariantCulture) + (record.Data.Length > 0 ? " " + Convert.ToHexString(record.Data.Span) : string.Empty);
    }

    /// <summary>RRSIG time as YYYYMMDDHHmmSS (RFC 4034 §3.2).</summary>
    public static string Time(uint seconds) =>
        DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    /// <summary>Parses one record line (comments after <c>;</c> and parentheses allowed). Relative names are refused.</summary>
    public static RecordParseResult Parse(string? line)
    {
        if (line is null || line.Length > Limits.DnsRecordTextMaxChars)
        {
            return Fail("line missing or longer than " + Limits.DnsRecordTextMaxChars + " characters");
        }

        var tokens = Tokenize(line);
        if (tokens is null)
        {
            return Fail("unbalanced quotes or bad escape");
        }

        if (tokens.Count < 3)
        {
            return Fail("expected: owner [ttl] [class] type rdata");
        }

        var ownerText = tokens[0].Text;
        if (!ownerText.EndsWith('.') || !WireName.TryFromText(ownerText, out var owner))
        {
            return Fail("owner must be an absolute name (ending with a dot): " + ownerText);
        }

        var i = 1;
        uint ttl = 0;
        for (var k = 0; k < 2 && i < tokens.Count; k++)
        {
            if (uint.TryParse(tokens[i].Text, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                ttl = t;
                i++;
            }
            else if (string.Equals(tokens[i].Text, "IN", StringComparison.OrdinalIgnoreCase))
            {
                i++;
            }
        }

        if (i >= tokens.Count || !DnsRecordTypeText.TryParse(tokens[i].Text, out var type) || type == DnsRecordType.OPT)
        {
            return Fail("unknown or missing record type");
        }

        var rdata = tokens.Skip(i + 1).ToList();
        byte[]? data;
        try
        {
            data = rdata.Count > 0 && rdata[0].Text == @"\#" && !rdata[0].Quoted ? Generic(rdata) : ParseData(type, rdata);
        }
        catch (FormatException e)
        {
            return Fail(e.Message);
        }
        catch (OverflowException e)
        {
            return Fail(e.Message);
        }

        if (data is null || data.Length > ushort.MaxValue)
        {
            return Fail("bad " + DnsRecordTypeText.ToText(type) + " RDATA");
        }

        return new RecordParseResult(new DnsRecord(WireName.ToText(owner), type, DnsRecord.ClassIn, ttl, data), null);
    }

    private static RecordParseResult Fail(string error) => new(null, error);

    private sealed record Token(string Text, bool Quoted);

    private static byte[]? Generic(List<Token> t)
    {
        if (t.Count < 2 || !int.TryParse(t[1].Text, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            return null;
        }

        var hex = Convert.FromHexString(string.Concat(t.Skip(2).Select(x => x.Text)));
        return hex.Length == length ? hex : null;
    }

    private static byte[]? ParseData(DnsRecordType type, List<Token> t)
    {
        var w = new List<byte>();
        string S(int i) => i < t.Count ? t[i].Text : throw new FormatException("missing RDATA field");
        void U8(string s) => w.Add(byte.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture));
        void U16(string s) { var v = ushort.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture); w.Add((byte)(v >> 8)); w.Add((byte)v); }
        void U32(uint v) { w.Add((byte)(v >> 24)); w.Add((byte)(v >> 16)); w.Add((byte)(v >> 8)); w.Add((byte)v); }
        void Name(string s)
        {
            if (!s.EndsWith('.') || !WireName.TryFromText(s, out var n))
            {
                throw new FormatException("names in RDATA must be absolute: " + s);
            }

            w.AddRange(n);
        }

        bool Exact(int n) => t.Count == n;
        switch (type)
        {
            case DnsRecordType.A or DnsRecordType.AAAA:
                if (!Exact(1) || !IPAddress.TryParse(S(0), out var ip)
                    || ip.AddressFamily != (type == DnsRecordType.A ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6))
                {
                    return null;
                }

                return ip.GetAddressBytes();
            case DnsRecordType.NS or DnsRecordType.CNAME or DnsRecordType.PTR or DnsRecordType.DNAME:
                if (!Exact(1))
                {
                    return null;
                }

                Name(S(0));
                break;
            case DnsRecordType.MX:
                if (!Exact(2))
                {
                    return null;
                }

                U16(S(0));
                Name(S(1));
                break;
            case DnsRecordType.TXT:
                if (t.Count == 0)
                {
                    return null;
                }

                foreach (var s in t)
                {
                    var bytes = Encoding.UTF8.GetBytes(s.Text);
                    if (bytes.Length > 255)
                    {
                        return null;
                    }

                    w.Add((byte)bytes.Length);
                    w.AddRange(bytes);
                }

                break;
            case DnsRecordType.SOA:
                if (!Exact(7))
                {
                    return null;
                }

                Name(S(0));
                Name(S(1));
                for (var k = 2; k < 7; k++)
                {
                    U32(uint.Parse(S(k), NumberStyles.None, CultureInfo.InvariantCulture));
                }

                break;
            case DnsRecordType.DS or DnsRecordType.TLSA:
                if (t.Count < 4)
                {
                    return null;
                }

                if (type == DnsRecordType.DS)
                {
                    U16(S(0));
                }
                else
                {
                    U8(S(0));
                }

                U8(S(1));
                U8(S(2));
                w.AddRange(Convert.FromHexString(string.Concat(t.Skip(3).Select(x => x.Text))));
                break;
            case DnsRecordType.DNSKEY:
                if (t.Count < 4)
                {
                    return null;
                }

                U16(S(0));
                U8(S(1));
                U8(S(2));
                w.AddRange(Convert.FromBase64String(string.Concat(t.Skip(3).Select(x => x.Text))));
                break;
            case DnsRecordType.CAA:
                if (!Exact(3) || S(1).Length is 0 or > 255 || !S(1).All(char.IsAsciiLetterOrDigit))
                {
                    return null;
                }

                U8(S(0));
                w.Add((byte)S(1).Length);
                w.AddRange(Encoding.ASCII.GetBytes(S(1)));
                w.AddRange(Encoding.UTF8.GetBytes(S(2)));
                break;
            case DnsRecordType.RRSIG:
                if (t.Count < 9 || !DnsRecordTypeText.TryParse(S(0), out var covered))
                {
                    return null;
                }

                U16(((ushort)covered).ToString(CultureInfo.InvariantCulture));
                U8(S(1));
                U8(S(2));
                U32(uint.Parse(S(3), NumberStyles.None, CultureInfo.InvariantCulture));
                U32(ParseTime(S(4)));
                U32(ParseTime(S(5)));
                U16(S(6));
                Name(S(7));
                w.AddRange(Convert.FromBase64String(string.Concat(t.Skip(8).Select(x => x.Text))));
                break;
            case DnsRecordType.NSEC:
                if (t.Count < 1)
                {
                    return null;
                }

                Name(S(0));
                w.AddRange(RecordData.TypeBitmap(ParseTypes(t.Skip(1))));
                break;
            case DnsRecordType.NSEC3 or DnsRecordType.NSEC3PARAM:
                if (t.Count < (type == DnsRecordType.NSEC3 ? 5 : 4) || (type == DnsRecordType.NSEC3PARAM && t.Count != 4))
                {
                    return null;
                }

                U8(S(0));
                U8(S(1));
                U16(S(2));
                var salt = S(3) == "-" ? [] : Convert.FromHexString(S(3));
                if (salt.Length > 255)
                {
                    return null;
                }

                w.Add((byte)salt.Length);
                w.AddRange(salt);
                if (type == DnsRecordType.NSEC3)
                {
                    var hash = Base32Hex.Decode(S(4));
                    if (hash is null || hash.Length is 0 or > 255)
                    {
                        return null;
                    }

                    w.Add((byte)hash.Length);
                    w.AddRange(hash);
                    w.AddRange(RecordData.TypeBitmap(ParseTypes(t.Skip(5))));
                }

                break;
            default:
                return null;
        }

        return [.. w];
    }

    private static List<DnsRecordType> ParseTypes(IEnumerable<Token> tokens) =>
        [.. tokens.Select(x => DnsRecordTypeText.TryParse(x.Text, out var ty) ? ty : throw new FormatException("unknown type " + x.Text))];

    private static uint ParseTime(string s)
    {
        if (s.Length == 14 && DateTime.TryParseExact(s, "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt))
        {
            return (uint)(new DateTimeOffset(dt, TimeSpan.Zero).ToUnixTimeSeconds() & 0xFFFFFFFF);
        }

        return uint.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            if (c is '"' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Splits on blanks, honours quotes and backslash escapes inside quotes, drops comments and parentheses.</summary>
    private static List<Token>? Tokenize(string line)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (c == ';')
            {
                break;
            }

            if (char.IsWhiteSpace(c) || c is '(' or ')')
            {
                i++;
                continue;
            }

            var sb = new StringBuilder();
            if (c == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        return null;
                    }

                    if (line[i] == '"')
                    {
                        i++;
                        break;
                    }

                    if (line[i] == '\\')
                    {
                        if (i + 1 >= line.Length)
                        {
                            return null;
                        }

                        if (i + 3 < line.Length && char.IsAsciiDigit(line[i + 1]) && char.IsAsciiDigit(line[i + 2]) && char.IsAsciiDigit(line[i + 3]))
                        {
                            var v = int.Parse(line.AsSpan(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture);
                            if (v > 255)
                            {
                                return null;
                            }

                            sb.Append((char)v);
                            i += 4;
                            continue;
                        }

                        sb.Append(line[i + 1]);
                        i += 2;
                        continue;
                    }

                    sb.Append(line[i++]);
                }

                tokens.Add(new Token(sb.ToString(), true));
                continue;
            }

            while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] is not ('(' or ')' or ';' or '"'))
            {
                if (line[i] == '\\' && i + 1 < line.Length)
                {
                    sb.Append(line[i++]); // an escaped special character stays in the token (RFC 1035 §5.1)
                }

                sb.Append(line[i++]);
            }

            tokens.Add(new Token(sb.ToString(), false));
        }

        return tokens;
    }
}
