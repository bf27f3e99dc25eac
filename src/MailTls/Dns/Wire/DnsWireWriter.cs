using System.Buffers.Binary;

namespace MailTls.Dns.Wire;

/// <summary>
/// A growable writer of DNS wire format (RFC 1035 §4.1): header fields, uncompressed names (RFC 3597 §4: a writer
/// may always leave names uncompressed) and resource records. Used by the dynamic update builder and TSIG.
/// </summary>
internal sealed class DnsWireWriter
{
    private byte[] buffer;

    public DnsWireWriter(int capacity = 512) => buffer = new byte[Math.Max(capacity, 12)];

    public int Length { get; private set; }

    public void WriteUInt8(byte value)
    {
        Ensure(1);
        buffer[Length++] = value;
    }

    public void WriteUInt16(ushort value)
    {
        Ensure(2);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(Length), value);
        Length += 2;
    }

    public void WriteUInt32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(Length), value);
        Length += 4;
    }

    /// <summary>A 48-bit unsigned integer (TSIG Time Signed, RFC 8945 §4.2).</summary>
    public void WriteUInt48(ulong value)
    {
        WriteUInt16((ushort)(value >> 32));
        WriteUInt32((uint)value);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    /// <summary>Writes a name given in presentation text; throws <see cref="ArgumentException"/> for a non-name.</summary>
    public void WriteName(string name)
    {
        if (!WireName.TryFromText(name, out var wire))
        {
            throw new ArgumentException("Not a DNS name: " + name, nameof(name));
        }

        WriteBytes(wire);
    }

    /// <summary>owner | type | class | ttl | rdlength | rdata (RFC 1035 §4.1.3).</summary>
    public void WriteRecord(string owner, ushort type, ushort @class, uint ttl, ReadOnlySpan<byte> rdata)
    {
        if (rdata.Length > ushort.MaxValue)
        {
            throw new ArgumentException("RDATA longer than 65535 octets.", nameof(rdata));
        }

        WriteName(owner);
        WriteUInt16(type);
        WriteUInt16(@class);
        WriteUInt32(ttl);
        WriteUInt16((ushort)rdata.Length);
        WriteBytes(rdata);
    }

    /// <summary>Overwrites a 16-bit field already written (header counts).</summary>
    public void PatchUInt16(int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(offset), value);

    public byte[] ToArray() => buffer.AsSpan(0, Length).ToArray();

    private void Ensure(int more)
    {
        if (Length + more <= buffer.Length)
        {
            return;
        }

        Array.Resize(ref buffer, Math.Max(buffer.Length * 2, Length + more));
    }
}
