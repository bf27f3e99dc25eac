using System.Buffers.Binary;
using MailTls.Dns.Wire;

namespace MailTls.Dns;

/// <summary>Result of <see cref="DnsMessageParser.Parse"/>: a message, or the reason it is malformed.</summary>
public sealed record DnsParseResult(DnsMessage? Message, string? Error)
{
    public bool Success => Message is not null;
}

/// <summary>
/// DNS message parser (RFC 1035 §4.1) over bytes: no I/O, never throws for bad input. Compressed names are
/// expanded, also inside the RDATA of the types RFC 3597 §4 allows to be compressed (NS, CNAME, SOA, PTR, MX)
/// and of the types that carry names uncompressed (RRSIG, NSEC, SRV, DNAME), so the RDATA kept can be
/// canonicalised for DNSSEC (RFC 4034 §6.2). Bounded by <see cref="Limits.DnsMaxMessageBytes"/> and
/// <see cref="Limits.DnsMaxRecordsPerMessage"/>.
/// </summary>
public static class DnsMessageParser
{
    public static DnsParseResult Parse(ReadOnlySpan<byte> message)
    {
        if (message.Length < 12)
        {
            return Fail("message shorter than the 12-octet header");
        }

        if (message.Length > Limits.DnsMaxMessageBytes)
        {
            return Fail("message larger than " + Limits.DnsMaxMessageBytes + " octets");
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(message);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        int qd = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        int an = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        int ns = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        int ar = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (qd > 1)
        {
            return Fail("more than one question");
        }

        if (an + ns + ar > Limits.DnsMaxRecordsPerMessage)
        {
            return Fail("more than " + Limits.DnsMaxRecordsPerMessage + " records");
        }

        var offset = 12;
        var qname = ".";
        var qtype = (DnsRecordType)0;
        if (qd == 1)
        {
            if (!WireName.TryRead(message, offset, out var qwire, out offset) || offset + 4 > message.Length)
            {
                return Fail("malformed question");
            }

            qname = WireName.ToText(qwire);
            qtype = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            offset += 4;
        }

        var sections = new List<DnsRecord>[3] { new(an), new(ns), new(ar) };
        var counts = new[] { an, ns, ar };
        var rcode = flags & 0xF;
        var hasEdns = false;
        var dnssecOk = false;
        for (var section = 0; section < 3; section++)
        {
            for (var i = 0; i < counts[section]; i++)
            {
                if (!WireName.TryRead(message, offset, out var owner, out offset) || offset + 10 > message.Length)
                {
                    return Fail("malformed record header");
                }

                var type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
                var @class = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
                var ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(offset + 4)..]);
                int rdlength = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
                offset += 10;
                if (offset + rdlength > message.Length)
                {
                    return Fail("RDATA runs past the end of the message");
                }

                if (type == DnsRecordType.OPT)
                {
                    if (section != 2 || hasEdns || owner.Length != 1)
                    {
                        return Fail("misplaced or repeated OPT record");
                    }

                    hasEdns = true;
                    rcode |= (int)(ttl >> 24) << 4;
                    dnssecOk = (ttl & 0x8000) != 0;
                    offset += rdlength;
                    continue;
                }

                var data = ExpandRdata(message, offset, rdlength, type);
                if (data is null)
                {
                    return Fail("malformed " + DnsRecordTypeText.ToText(type) + " RDATA");
                }

                sections[section].Add(new DnsRecord(WireName.ToText(owner), type, @class, ttl > int.MaxValue ? 0 : ttl, data));
                offset += rdlength;
            }
        }

        return new DnsParseResult(
            new DnsMessage
            {
                Id = id,
                Flags = flags,
                ResponseCode = rcode,
                QuestionName = qname,
                QuestionType = qtype,
                Answers = sections[0],
                Authority = sections[1],
                Additional = sections[2],
                HasEdns = hasEdns,
                DnssecOk = dnssecOk,
            },
            null);
    }

    /// <summary>RDATA with embedded names decompressed; null when the names or lengths do not fit.</summary>
    private static byte[]? ExpandRdata(ReadOnlySpan<byte> message, int start, int length, DnsRecordType type)
    {
        var rdata = message.Slice(start, length);
        var prefix = type switch
        {
            DnsRecordType.NS or DnsRecordType.CNAME or DnsRecordType.PTR or DnsRecordType.DNAME or DnsRecordType.SOA or DnsRecordType.NSEC => 0,
            DnsRecordType.MX => 2,
            DnsRecordType.SRV => 6,
            DnsRecordType.RRSIG => 18,
            _ => -1,
        };
        if (prefix < 0)
        {
            return rdata.ToArray();
        }

        if (length < prefix + 1)
        {
            return null;
        }

        // Names inside RDATA may only point into the message before them; a bounded view keeps a name from
        // running past its RDATA.
        var bounded = message[..(start + length)];
        var output = new List<byte>(length + 32);
        output.AddRange(rdata[..prefix].ToArray());
        if (!WireName.TryRead(bounded, start + prefix, out var first, out var next))
        {
            return null;
        }

        output.AddRange(first);
        if (type == DnsRecordType.SOA)
        {
            if (!WireName.TryRead(bounded, next, out var second, out next) || start + length - next != 20)
            {
                return null;
            }

            output.AddRange(second);
        }
        else if (type is DnsRecordType.NS or DnsRecordType.CNAME or DnsRecordType.PTR or DnsRecordType.DNAME or DnsRecordType.MX or DnsRecordType.SRV
                 && next != start + length)
        {
            return null;
        }

        output.AddRange(message[next..(start + length)].ToArray());
        return [.. output];
    }

    private static DnsParseResult Fail(string error) => new(null, error);
}
