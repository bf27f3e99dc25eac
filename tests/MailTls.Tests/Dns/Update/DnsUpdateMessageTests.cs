using System.Buffers.Binary;
using System.Text.Json;
using MailTls.Dns;
using MailTls.Dns.Update;

namespace MailTls.Tests.Dns.Update;

/// <summary>RFC 2136 messages: ours against what knsupdate and nsupdate send for the same change.</summary>
public sealed class DnsUpdateMessageTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(File.ReadAllText(TestPaths.TestData("Dns", "Tsig", "vectors.json"))).RootElement;

    private static DnsRecord Rec(string line) => RecordText.Parse(line).Record ?? throw new InvalidOperationException(line);

    [Theory]
    [InlineData("nsupdate_request")]
    [InlineData("knsupdate_request")]
    public void Our_update_says_what_the_peer_update_says(string vector)
    {
        var peer = Convert.FromHexString(Vectors.GetProperty(vector).GetString()!);
        Assert.True(Tsig.TryExtract(peer, out _, out var peerUnsigned));
        var id = BinaryPrimitives.ReadUInt16BigEndian(peer);
        var ours = DnsUpdateMessage.Build(id, "example.lab.", [],
        [
            new DnsUpdateOperation.DeleteRrset("_mta-sts.example.lab", DnsRecordType.TXT),
            new DnsUpdateOperation.Add(Rec("_mta-sts.example.lab. 300 IN TXT \"v=STSv1; id=20260101T000000;\"")),
        ]);

        // The peers compress names; we do not (RFC 3597 §4 allows both). Parsed, the messages are the same.
        var a = DnsMessageParser.Parse(peerUnsigned).Message!;
        var b = DnsMessageParser.Parse(ours).Message!;
        Assert.Equal(a.Flags, b.Flags);
        Assert.Equal(0x2800, b.Flags); // opcode UPDATE
        Assert.Equal(a.QuestionName, b.QuestionName);
        Assert.Equal(DnsRecordType.SOA, b.QuestionType);
        Assert.Equal(a.Answers.Count, b.Answers.Count);     // prerequisite section
        Assert.Equal(a.Authority.Count, b.Authority.Count); // update section
        for (var i = 0; i < a.Authority.Count; i++)
        {
            Assert.Equal(a.Authority[i].Name, b.Authority[i].Name);
            Assert.Equal(a.Authority[i].Type, b.Authority[i].Type);
            Assert.Equal(a.Authority[i].Class, b.Authority[i].Class);
            Assert.Equal(a.Authority[i].Ttl, b.Authority[i].Ttl);
            Assert.Equal(a.Authority[i].Data.ToArray(), b.Authority[i].Data.ToArray());
        }
    }

    [Fact]
    public void Every_operation_and_prerequisite_has_its_rfc_2136_class_and_ttl()
    {
        var add = Rec("mx.example.com. 3600 IN TLSA 3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6");
        var message = DnsUpdateMessage.Build(7, "example.com", [
            new DnsUpdatePrerequisite.RrsetExists("example.com", DnsRecordType.TXT),
            new DnsUpdatePrerequisite.RrsetAbsent("_mta-sts.example.com", DnsRecordType.TXT),
            new DnsUpdatePrerequisite.RrsetEquals([Rec("example.com. 300 IN MX 10 mx.example.com.")]),
        ],
        [
            new DnsUpdateOperation.Add(add),
            new DnsUpdateOperation.Delete(add),
            new DnsUpdateOperation.DeleteRrset("example.com", DnsRecordType.TXT),
        ]);
        var m = DnsMessageParser.Parse(message).Message!;
        Assert.Equal([(Tsig.ClassAny, 0u, 0), (DnsUpdateMessage.ClassNone, 0u, 0), (DnsRecord.ClassIn, 0u, 18)],
            m.Answers.Select(r => (r.Class, r.Ttl, r.Data.Length)).ToList());
        Assert.Equal([(DnsRecord.ClassIn, 3600u, 35), (DnsUpdateMessage.ClassNone, 0u, 35), (Tsig.ClassAny, 0u, 0)],
            m.Authority.Select(r => (r.Class, r.Ttl, r.Data.Length)).ToList());
        Assert.Equal(["add mx.example.com. 3600 IN TLSA 3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6",
            "delete mx.example.com. TLSA 3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6",
            "delete example.com. MX"],
            new DnsUpdateOperation[] { new DnsUpdateOperation.Add(add), new DnsUpdateOperation.Delete(add), new DnsUpdateOperation.DeleteRrset("example.com", DnsRecordType.MX) }.Select(o => o.ToString()).ToList());
    }

    [Fact]
    public void A_name_that_is_not_a_name_is_a_programmer_error()
    {
        Assert.Throws<ArgumentException>(() => DnsUpdateMessage.Build(1, "bad..name", [], []));
    }
}
