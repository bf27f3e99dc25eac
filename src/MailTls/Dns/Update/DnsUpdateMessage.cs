using MailTls.Dns.Wire;

namespace MailTls.Dns.Update;

/// <summary>One change of the RFC 2136 §2.5 update section.</summary>
public abstract record DnsUpdateOperation
{
    /// <summary>§2.5.1 add to an RRset: CLASS IN, the record's TTL and RDATA.</summary>
    public sealed record Add(DnsRecord Record) : DnsUpdateOperation
    {
        public override string ToString() => "add " + Record;
    }

    /// <summary>§2.5.2 delete an RRset: CLASS ANY, TTL 0, empty RDATA.</summary>
    public sealed record DeleteRrset(string Name, DnsRecordType Type) : DnsUpdateOperation
    {
        public override string ToString() => $"delete {Dot(Name)} {DnsRecordTypeText.ToText(Type)}";
    }

    /// <summary>§2.5.4 delete one RR from an RRset: CLASS NONE, TTL 0, the RDATA to remove.</summary>
    public sealed record Delete(DnsRecord Record) : DnsUpdateOperation
    {
        public override string ToString() => $"delete {Dot(Record.Name)} {DnsRecordTypeText.ToText(Record.Type)} {RecordText.FormatData(Record)}";
    }

    /// <summary>Presentation form for logs and plans (nsupdate syntax without the leading "update ").</summary>
    public abstract override string ToString();

    private static string Dot(string name) => name == "." ? "." : name + ".";
}

/// <summary>One condition of the RFC 2136 §2.4 prerequisite section.</summary>
public abstract record DnsUpdatePrerequisite
{
    /// <summary>§2.4.1 RRset exists (value independent): CLASS ANY, TTL 0, empty RDATA.</summary>
    public sealed record RrsetExists(string Name, DnsRecordType Type) : DnsUpdatePrerequisite;

    /// <summary>§2.4.2 RRset exists (value dependent): exactly these records, CLASS IN, TTL 0.</summary>
    public sealed record RrsetEquals(IReadOnlyList<DnsRecord> Records) : DnsUpdatePrerequisite;

    /// <summary>§2.4.3 RRset does not exist: CLASS NONE, TTL 0, empty RDATA.</summary>
    public sealed record RrsetAbsent(string Name, DnsRecordType Type) : DnsUpdatePrerequisite;
}

/// <summary>
/// Builds a DNS UPDATE message (RFC 2136 §2): opcode UPDATE (5), the zone section (the zone's SOA question), the
/// prerequisite section, the update section; names uncompressed. Sign it with <see cref="Tsig.Sign"/>.
/// </summary>
public static class DnsUpdateMessage
{
    /// <summary>Opcode UPDATE (RFC 2136 §1).</summary>
    public const int OpcodeUpdate = 5;

    /// <summary>CLASS NONE (RFC 2136 §1).</summary>
    public const ushort ClassNone = 254;

    public static byte[] Build(ushort id, string zone, IReadOnlyList<DnsUpdatePrerequisite> prerequisites, IReadOnlyList<DnsUpdateOperation> updates)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(prerequisites);
        ArgumentNullException.ThrowIfNull(updates);
        var pre = new DnsWireWriter();
        var prCount = 0;
        foreach (var p in prerequisites)
        {
            switch (p)
            {
                case DnsUpdatePrerequisite.RrsetExists e:
                    pre.WriteRecord(e.Name, (ushort)e.Type, Tsig.ClassAny, 0, []);
                    prCount++;
                    break;
                case DnsUpdatePrerequisite.RrsetEquals eq:
                    foreach (var r in eq.Records)
                    {
                        pre.WriteRecord(r.Name, (ushort)r.Type, DnsRecord.ClassIn, 0, r.Data.Span);
                        prCount++;
                    }

                    break;
                case DnsUpdatePrerequisite.RrsetAbsent a:
                    pre.WriteRecord(a.Name, (ushort)a.Type, ClassNone, 0, []);
                    prCount++;
                    break;
                default:
                    throw new ArgumentException("unknown prerequisite " + p, nameof(prerequisites));
            }
        }

        var up = new DnsWireWriter();
        foreach (var u in updates)
        {
            switch (u)
            {
                case DnsUpdateOperation.Add a:
                    up.WriteRecord(a.Record.Name, (ushort)a.Record.Type, DnsRecord.ClassIn, a.Record.Ttl, a.Record.Data.Span);
                    break;
                case DnsUpdateOperation.DeleteRrset d:
                    up.WriteRecord(d.Name, (ushort)d.Type, Tsig.ClassAny, 0, []);
                    break;
                case DnsUpdateOperation.Delete d:
                    up.WriteRecord(d.Record.Name, (ushort)d.Record.Type, ClassNone, 0, d.Record.Data.Span);
                    break;
                default:
                    throw new ArgumentException("unknown update " + u, nameof(updates));
            }
        }

        if (prCount > ushort.MaxValue || updates.Count > ushort.MaxValue)
        {
            throw new ArgumentException("Too many records for one message.", nameof(updates));
        }

        var w = new DnsWireWriter(12 + 260 + pre.Length + up.Length);
        w.WriteUInt16(id);
        w.WriteUInt16(OpcodeUpdate << 11);
        w.WriteUInt16(1);
        w.WriteUInt16((ushort)prCount);
        w.WriteUInt16((ushort)updates.Count);
        w.WriteUInt16(0);
        w.WriteName(zone);
        w.WriteUInt16((ushort)DnsRecordType.SOA);
        w.WriteUInt16(DnsRecord.ClassIn);
        w.WriteBytes(pre.ToArray());
        w.WriteBytes(up.ToArray());
        return w.ToArray();
    }
}
