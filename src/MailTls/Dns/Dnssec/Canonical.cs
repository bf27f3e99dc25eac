using System.Buffers.Binary;
using MailTls.Dns.Wire;

namespace MailTls.Dns.Dnssec;

/// <summary>
/// RFC 4034 §6 canonical form and the data an RRSIG signs (RFC 4034 §3.1.8.1): the RRSIG RDATA without the
/// signature (signer name lower case), then each RR of the set as owner | type | class | original TTL |
/// RDLENGTH | canonical RDATA, in canonical RDATA order, duplicates removed (RFC 4034 §6.3).
/// </summary>
internal static class Canonical
{
    /// <summary>
    /// RDATA with its embedded names lower-cased, for the types of RFC 4034 §6.2 item 3 that this layer decodes,
    /// as corrected by RFC 6840 §5.1 (NSEC's next name keeps its case; RRSIG's signer is lower-cased).
    /// </summary>
    public static byte[] Rdata(DnsRecord record)
    {
        var data = record.Data.ToArray();
        switch (record.Type)
        {
            case DnsRecordType.NS or DnsRecordType.CNAME or DnsRecordType.PTR or DnsRecordType.DNAME:
                LowerNameAt(data, 0);
                break;
            case DnsRecordType.MX:
                LowerNameAt(data, 2);
                break;
            case DnsRecordType.SRV:
                LowerNameAt(data, 6);
                break;
            case DnsRecordType.RRSIG:
                LowerNameAt(data, 18);
                break;
            case DnsRecordType.SOA:
                LowerNameAt(data, LowerNameAt(data, 0));
                break;
        }

        return data;
    }

    /// <summary>The octets an RRSIG signs over <paramref name="rrset"/> (owner-expanded for wildcards, RFC 4035 §5.3.2).</summary>
    public static byte[] SignedData(DnsRecord rrsigRecord, RrsigData rrsig, IReadOnlyList<DnsRecord> rrset)
    {
        var output = new List<byte>(512);
        var sigRdata = Rdata(rrsigRecord);
        output.AddRange(sigRdata.AsSpan(0, rrsig.SignedPrefixLength).ToArray());

        var owner = NameOps.Wire(rrset[0].Name);
        var labels = WireName.Labels(owner);
        if (rrsig.Labels < labels.Count)
        {
            owner = WireName.FromLabels([[(byte)'*'], .. labels.Skip(labels.Count - rrsig.Labels)]);
        }

        var rdatas = rrset.Select(Rdata).ToList();
        rdatas.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        byte[]? previous = null;
        Span<byte> fixedPart = stackalloc byte[10];
        foreach (var rdata in rdatas)
        {
            if (previous is not null && previous.AsSpan().SequenceEqual(rdata))
            {
                continue;
            }

            previous = rdata;
            output.AddRange(owner);
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart, (ushort)rrset[0].Type);
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart[2..], rrset[0].Class);
            BinaryPrimitives.WriteUInt32BigEndian(fixedPart[4..], rrsig.OriginalTtl);
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart[8..], (ushort)rdata.Length);
            output.AddRange(fixedPart.ToArray());
            output.AddRange(rdata);
        }

        return [.. output];
    }

    /// <summary>Lower-cases the uncompressed name starting at <paramref name="offset"/>; returns the offset after it.</summary>
    private static int LowerNameAt(byte[] data, int offset)
    {
        var i = offset;
        while (i < data.Length && data[i] != 0)
        {
            int len = data[i];
            for (var j = i + 1; j <= i + len && j < data.Length; j++)
            {
                if (data[j] is >= (byte)'A' and <= (byte)'Z')
                {
                    data[j] = (byte)(data[j] + 32);
                }
            }

            i += len + 1;
        }

        return i + 1;
    }
}
