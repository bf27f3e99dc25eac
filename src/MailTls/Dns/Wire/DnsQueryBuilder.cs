using System.Buffers.Binary;

namespace MailTls.Dns.Wire;

/// <summary>
/// Builds a query message: one question, RD set, CD set on request (RFC 4035 §3.2.2: a validator asks its
/// upstream not to filter bogus data, so it can say why it is bogus), and an EDNS0 OPT record (RFC 6891 §6.1.2)
/// with the DO bit (RFC 3225 §3) and the advertised UDP payload size.
/// </summary>
internal static class DnsQueryBuilder
{
    public static byte[] Build(ushort id, string name, DnsRecordType type, bool checkingDisabled, ushort udpPayloadSize)
    {
        if (!WireName.TryFromText(name, out var qname))
        {
            throw new ArgumentException("Not a DNS name: " + name, nameof(name));
        }

        var buffer = new byte[12 + qname.Length + 4 + 11];
        BinaryPrimitives.WriteUInt16BigEndian(buffer, id);
        ushort flags = 0x0100; // RD
        if (checkingDisabled)
        {
            flags |= 0x0010;
        }

        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(10), 1);
        qname.CopyTo(buffer, 12);
        var o = 12 + qname.Length;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(o), (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(o + 2), DnsRecord.ClassIn);
        o += 4;
        buffer[o] = 0; // root owner
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(o + 1), (ushort)DnsRecordType.OPT);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(o + 3), udpPayloadSize);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(o + 5), 0x00008000); // ext-rcode 0, version 0, DO
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(o + 9), 0);
        return buffer;
    }
}
