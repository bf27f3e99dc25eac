using System.Text;
using CsCheck;
using MailTls.Resolver;
using MailTls.Tests.MtaSts;

namespace MailTls.Tests.Resolver;

/// <summary>The <c>netstring</c> vectors (postfix-mta-sts-resolver tests/test_netstring.py) and encoding.</summary>
public sealed class NetstringTests
{
    public static TheoryData<string, int> Vectors => StsVectors.OfKind("netstring");

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Netstring_vector(string name, int index)
    {
        var v = StsVectors.Get(index);
        var input = Encoding.ASCII.GetBytes(v.GetProperty("input").GetString()!);
        var status = Netstring.DecodeAll(input, Limits.SocketmapRequestLimit, out var payloads);
        var expect = v.GetProperty("expect").GetString();
        var expected = expect switch
        {
            "decode" => NetstringStatus.Complete,
            "error-bad-length" => NetstringStatus.BadLength,
            "error-incomplete" => NetstringStatus.Incomplete,
            "error-bad-terminator" => NetstringStatus.BadTerminator,
            "error-too-long" => NetstringStatus.TooLong,
            _ => throw new InvalidOperationException(name + ": unknown expectation " + expect),
        };
        Assert.Equal(expected, status);
        if (expected == NetstringStatus.Complete)
        {
            Assert.Equal(StsVectors.Strings(v.GetProperty("decoded")), payloads.Select(p => Encoding.ASCII.GetString(p)));
        }
    }

    [Fact]
    public void The_vectors_are_all_here() => Assert.Equal(10, StsVectors.Count("netstring"));

    [Theory]
    [InlineData("", "0:,")]
    [InlineData("OK secure match=mail.loc servername=hostname", "44:OK secure match=mail.loc servername=hostname,")]
    [InlineData("NOTFOUND ", "9:NOTFOUND ,")]
    public void Encode_writes_length_colon_payload_comma(string text, string wire) =>
        Assert.Equal(wire, Encoding.ASCII.GetString(Netstring.Encode(text)));

    [Fact]
    public void A_length_over_the_limit_is_rejected_before_the_payload_arrives()
    {
        Assert.Equal(NetstringStatus.TooLong, Netstring.TryParse("1025:"u8, 1024, out _, out _));
        Assert.Equal(NetstringStatus.Incomplete, Netstring.TryParse("1024:"u8, 1024, out _, out _));
        Assert.Equal(NetstringStatus.BadLength, Netstring.TryParse("00000000000:,"u8, 1024, out _, out _));
    }

    [Fact]
    public void Round_trip_property() =>
        Gen.String.Sample(s =>
        {
            var bytes = Netstring.Encode(s);
            var status = Netstring.DecodeAll(bytes, int.MaxValue / 2, out var p);
            return status == NetstringStatus.Complete && p.Count == 1 && Encoding.UTF8.GetString(p[0]) == s;
        });
}
