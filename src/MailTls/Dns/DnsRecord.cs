using MailTls.Dns.Wire;

namespace MailTls.Dns;

/// <summary>
/// One resource record as received (RFC 1035 §4.1.3). <see cref="Name"/> is lower case without the trailing
/// dot (root "."); <see cref="Data"/> is the RDATA with compressed names expanded but their case kept, so the
/// RFC 4034 §6.2 canonical form can be built from it. Typed views: <see cref="RecordData"/>.
/// </summary>
public sealed class DnsRecord
{
    public DnsRecord(string name, DnsRecordType type, ushort @class, uint ttl, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        Type = type;
        Class = @class;
        Ttl = ttl;
        Data = data;
    }

    /// <summary>IN (RFC 1035 §3.2.4).</summary>
    public const ushort ClassIn = 1;

    public string Name { get; }

    public DnsRecordType Type { get; }

    public ushort Class { get; }

    public uint Ttl { get; }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Same owner, type, class and RDATA (TTL ignored, RFC 2181 §5).</summary>
    public bool SameData(DnsRecord other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Type == other.Type && Class == other.Class && NameOps.Equal(Name, other.Name) && Data.Span.SequenceEqual(other.Data.Span);
    }

    public override string ToString() => RecordText.Format(this);
}
