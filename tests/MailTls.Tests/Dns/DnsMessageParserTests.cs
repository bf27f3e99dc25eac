using MailTls.Dns;

namespace MailTls.Tests.Dns;

public sealed class DnsMessageParserTests
{
    // A response as a server sends it, with name compression (pointers to the question and into RDATA):
    // example.com. MX? -> example.com. 300 MX 10 mail.example.com. ; mail.example.com. 300 A 192.0.2.25
    private static readonly byte[] Compressed = Convert.FromHexString(
        "1234" + "8180" + "0001" + "0001" + "0000" + "0001" +
        "076578616D706C6503636F6D00" + "000F0001" +
        "C00C" + "000F0001" + "0000012C" + "0009" + "000A" + "046D61696C" + "C00C" +
        "C02B" + "00010001" + "0000012C" + "0004" + "C0000219");

    [Fact]
    public void Parses_a_compressed_response_and_expands_names_in_rdata()
    {
        var result = DnsMessageParser.Parse(Compressed);

        Assert.True(result.Success, result.Error);
        var m = result.Message!;
        Assert.Equal(0x1234, m.Id);
        Assert.True(m.IsResponse);
        Assert.Equal("example.com", m.QuestionName);
        Assert.Equal(DnsRecordType.MX, m.QuestionType);
        var mx = RecordData.Mx(Assert.Single(m.Answers))!;
        Assert.Equal("mail.example.com", mx.Exchange);
        Assert.Equal(10, mx.Preference);
        var a = Assert.Single(m.Additional);
        Assert.Equal("mail.example.com", a.Name);
        Assert.Equal("192.0.2.25", RecordData.Address(a)!.Address.ToString());
        Assert.Equal(DnsAnswerStatus.Answer, DnsResponse.FromMessage(m).Status);
    }

    [Fact]
    public void Forward_and_self_pointers_are_rejected()
    {
        var loop = (byte[])Compressed.Clone();
        loop[30] = 0x1D; // the answer owner's pointer now points at itself
        Assert.False(DnsMessageParser.Parse(loop).Success);
    }

    [Theory]
    [InlineData(0, DnsAnswerStatus.NoData)]
    [InlineData(3, DnsAnswerStatus.NxDomain)]
    [InlineData(2, DnsAnswerStatus.ServFail)]
    [InlineData(5, DnsAnswerStatus.ServFail)]
    public void Rcodes_map_to_distinct_statuses(int rcode, DnsAnswerStatus expected)
    {
        var bytes = TestWire.Encode(new DnsMessage { Id = 7, Flags = 0x8180, ResponseCode = rcode, QuestionName = "a.example", QuestionType = DnsRecordType.TLSA });
        var parsed = DnsMessageParser.Parse(bytes);

        Assert.True(parsed.Success, parsed.Error);
        Assert.Equal(expected, DnsResponse.FromMessage(parsed.Message!).Status);
        Assert.True(parsed.Message!.HasEdns);
        Assert.True(parsed.Message.DnssecOk);
    }

    [Fact]
    public void Extended_rcode_comes_from_the_opt_record()
    {
        var bytes = TestWire.Encode(new DnsMessage { Flags = 0x8180, ResponseCode = 16, QuestionName = "a.example", QuestionType = DnsRecordType.A });
        Assert.Equal(16, DnsMessageParser.Parse(bytes).Message!.ResponseCode);
    }

    [Fact]
    public void Truncated_flag_and_short_messages()
    {
        var bytes = TestWire.Encode(new DnsMessage { Flags = 0x8380, QuestionName = "a.example", QuestionType = DnsRecordType.A });
        Assert.True(DnsMessageParser.Parse(bytes).Message!.Truncated);
        Assert.False(DnsMessageParser.Parse(bytes.AsSpan(0, 11)).Success);
        Assert.False(DnsMessageParser.Parse(bytes.AsSpan(0, bytes.Length - 1)).Success);
    }

    [Fact]
    public void Round_trips_every_record_of_the_ldns_zones()
    {
        var records = ZoneServer.LoadFile("Dns", "signed.tld.signed");
        var m = new DnsMessage { Id = 1, Flags = 0x8180, QuestionName = "signed.tld", QuestionType = (DnsRecordType)255, Answers = records };
        var parsed = DnsMessageParser.Parse(TestWire.Encode(m)).Message!;

        Assert.Equal(records.Count, parsed.Answers.Count);
        Assert.All(records.Zip(parsed.Answers), p => Assert.True(p.First.SameData(p.Second), p.First.ToString()));
    }

    [Fact]
    public void Query_builder_sets_rd_cd_and_edns_do()
    {
        var q = MailTls.Dns.Wire.DnsQueryBuilder.Build(0xBEEF, "Mail.Example.COM.", DnsRecordType.TLSA, checkingDisabled: true, udpPayloadSize: 1232);
        var parsed = DnsMessageParser.Parse(q).Message!;

        Assert.Equal(0xBEEF, parsed.Id);
        Assert.False(parsed.IsResponse);
        Assert.True(parsed.CheckingDisabled);
        Assert.Equal(0x0100, parsed.Flags & 0x0100);
        Assert.True(parsed.DnssecOk);
        Assert.Equal("mail.example.com", parsed.QuestionName);
        Assert.Equal(DnsRecordType.TLSA, parsed.QuestionType);
    }
}
