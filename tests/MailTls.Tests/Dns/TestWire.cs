using System.Buffers.Binary;
using MailTls.Dns;

namespace MailTls.Tests.Dns;

/// <summary>Writes a <see cref="DnsMessage"/> in wire format (RFC 1035 §4.1), without compression, for parser tests.</summary>
internal static class TestWire
{
    public static byte[] Encode(DnsMessage m, bool withOpt = true)
    {
        var o = new List<byte>();
        void U16(int v) { o.Add((byte)(v >> 8)); o.Add((byte)v); }
        void U32(uint v) { o.Add((byte)(v >> 24)); o.Add((byte)(v >> 16)); o.Add((byte)(v >> 8)); o.Add((byte)v); }
        U16(m.Id);
        U16((m.Flags & 0xFFF0) | (m.ResponseCode & 0xF));
        U16(1);
        U16(m.Answers.Count);
        U16(m.Authority.Count);
        U16(m.Additional.Count + (withOpt ? 1 : 0));
        o.AddRange(Name(m.QuestionName));
        U16((int)m.QuestionType);
        U16(1);
        foreach (var r in m.Answers.Concat(m.Authority).Concat(m.Additional))
        {
            o.AddRange(Name(r.Name));
            U16((int)r.Type);
            U16(r.Class);
            U32(r.Ttl);
            U16(r.Data.Length);
            o.AddRange(r.Data.ToArray());
        }

        if (withOpt)
        {
            o.Add(0);
            U16((int)DnsRecordType.OPT);
            U16(1232);
            U32(((uint)(m.ResponseCode >> 4) << 24) | 0x8000);
            U16(0);
        }

        return [.. o];
    }

    /// <summary>Names parsed from hostile input may carry escapes (\DDD, \.), so the library's encoder is used here.</summary>
    private static byte[] Name(string text) =>
        MailTls.Dns.Wire.WireName.TryFromText(text, out var wire) ? wire : throw new InvalidOperationException("unencodable name " + text);

    public static ushort Id(byte[] message) => BinaryPrimitives.ReadUInt16BigEndian(message);
}
