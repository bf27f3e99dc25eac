using System.Buffers.Binary;
using System.Text.Json;
using MailTls.Dns;
using MailTls.Dns.Update;

namespace MailTls.Tests.Dns.Update;

/// <summary>
/// TSIG against peers: requests signed by nsupdate (BIND) and knsupdate (Knot) and Knot's replies, recorded on loopback
/// (TestData/Dns/Tsig/vectors.json; RFC 8945 has no vectors usable offline). Our MAC over the same message bytes must
/// equal theirs, and Knot's signed reply must verify with our request MAC.
/// </summary>
public sealed class TsigTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(File.ReadAllText(TestPaths.TestData("Dns", "Tsig", "vectors.json"))).RootElement;

    private static readonly TsigKey Key = new(
        Vectors.GetProperty("key").GetProperty("name").GetString()!,
        TsigAlgorithm.HmacSha256,
        Convert.FromBase64String(Vectors.GetProperty("key").GetProperty("secret").GetString()!));

    private static byte[] Hex(string name) => Convert.FromHexString(Vectors.GetProperty(name).GetString()!);

    [Theory]
    [InlineData("nsupdate_request")]
    [InlineData("knsupdate_request")]
    public void Our_mac_equals_the_peer_mac_over_the_same_message(string vector)
    {
        var signed = Hex(vector);
        Assert.True(Tsig.TryExtract(signed, out var record, out var withoutTsig));
        Assert.NotNull(record);
        Assert.Equal("lab-update", record.KeyName);
        Assert.Equal("hmac-sha256", record.Algorithm);
        Assert.Equal(300, record.Fudge);
        Assert.Equal(0, record.Error);
        Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(signed), record.OriginalId);

        var mac = Tsig.ComputeMac(withoutTsig, Key, record.TimeSigned, record.Fudge, 0, [], []);
        Assert.Equal(Convert.ToHexString(record.Mac.Span), Convert.ToHexString(mac));
    }

    [Theory]
    [InlineData("nsupdate_request")]
    [InlineData("knsupdate_request")]
    public void Signing_the_peer_message_again_reproduces_it_byte_for_byte(string vector)
    {
        var signed = Hex(vector);
        Assert.True(Tsig.TryExtract(signed, out var record, out var withoutTsig));
        var ours = Tsig.Sign(withoutTsig, Key, record!.TimeSigned, record.Fudge, out var mac);
        Assert.Equal(Convert.ToHexString(signed), Convert.ToHexString(ours));
        Assert.Equal(record.Mac.ToArray(), mac);
    }

    [Fact]
    public void Knots_reply_verifies_with_the_request_mac()
    {
        var request = Hex("knsupdate_request");
        Assert.True(Tsig.TryExtract(request, out var sent, out _));
        var reply = Hex("knot_reply_to_knsupdate_request");
        Assert.True(Tsig.TryExtract(reply, out var received, out _));
        var at = DateTimeOffset.FromUnixTimeSeconds((long)received!.TimeSigned);

        Assert.Equal(TsigVerification.Valid, Tsig.Verify(reply, Key, sent!.Mac.Span, at, out _));
        Assert.Equal(TsigVerification.BadSignature, Tsig.Verify(reply, Key, new byte[32], at, out _));
        Assert.Equal(TsigVerification.BadTime, Tsig.Verify(reply, Key, sent.Mac.Span, at.AddSeconds(301), out _));
        Assert.Equal(TsigVerification.Valid, Tsig.Verify(reply, Key, sent.Mac.Span, at.AddSeconds(300), out _));
        var other = new TsigKey("lab-update", TsigAlgorithm.HmacSha256, new byte[32]);
        Assert.Equal(TsigVerification.BadSignature, Tsig.Verify(reply, other, sent.Mac.Span, at, out _));
        var otherName = new TsigKey("other-key", TsigAlgorithm.HmacSha256, Key.Secret);
        Assert.Equal(TsigVerification.WrongKey, Tsig.Verify(reply, otherName, sent.Mac.Span, at, out _));
    }

    [Fact]
    public void A_tampered_message_does_not_verify()
    {
        var request = Hex("nsupdate_request");
        Assert.True(Tsig.TryExtract(request, out var record, out _));
        var at = DateTimeOffset.FromUnixTimeSeconds((long)record!.TimeSigned);
        Assert.Equal(TsigVerification.Valid, Tsig.Verify(request, Key, [], at, out _));
        var tampered = (byte[])request.Clone();
        tampered[70] ^= 1; // inside the TXT RDATA
        Assert.Equal(TsigVerification.BadSignature, Tsig.Verify(tampered, Key, [], at, out _));
    }

    [Fact]
    public void Knots_badsig_reply_is_read_as_a_rejected_signature()
    {
        var client = new DnsUpdateClient();
        var request = Hex("wrong_key_request");
        Assert.True(Tsig.TryExtract(request, out var sent, out _));
        var result = client.Interpret(Hex("knot_badsig_reply"), sent!.OriginalId, sent.Mac.ToArray(), Key, "127.0.0.1:53");
        Assert.Equal(DnsUpdateStatus.Rejected, result.Status);
        Assert.Equal(9, result.ResponseCode); // NOTAUTH
        Assert.Equal(Tsig.BadSig, result.TsigError);
        Assert.Contains("BADSIG", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Knots_noerror_reply_is_applied_only_when_its_tsig_verifies()
    {
        var request = Hex("knsupdate_request");
        Assert.True(Tsig.TryExtract(request, out var sent, out _));
        var reply = Hex("knot_reply_to_knsupdate_request");
        Assert.True(Tsig.TryExtract(reply, out var received, out _));
        var clock = new MailTls.Plan.FixedTimeProvider(DateTimeOffset.FromUnixTimeSeconds((long)received!.TimeSigned + 5));
        var client = new DnsUpdateClient(new DnsUpdateClientOptions { Time = clock });

        Assert.Equal(DnsUpdateStatus.Applied, client.Interpret(reply, sent!.OriginalId, sent.Mac.ToArray(), Key, "s").Status);
        Assert.Equal(DnsUpdateStatus.ResponseNotAuthenticated, client.Interpret(reply, sent.OriginalId, new byte[32], Key, "s").Status);
        Assert.Equal(DnsUpdateStatus.NoResponse, client.Interpret(reply, (ushort)(sent.OriginalId + 1), sent.Mac.ToArray(), Key, "s").Status);
        Assert.Equal(DnsUpdateStatus.Applied, client.Interpret(reply, sent.OriginalId, [], null, "s").Status);
    }

    [Fact]
    public void Sign_then_verify_round_trips_for_every_algorithm()
    {
        foreach (var algorithm in Enum.GetValues<TsigAlgorithm>())
        {
            var key = new TsigKey("Key.Example", algorithm, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
            var message = DnsUpdateMessage.Build(0x1234, "example.com", [], [new DnsUpdateOperation.DeleteRrset("x.example.com", DnsRecordType.TXT)]);
            var signed = Tsig.Sign(message, key, 1_800_000_000, 300, out var mac);
            Assert.Equal(algorithm switch { TsigAlgorithm.HmacSha256 => 32, TsigAlgorithm.HmacSha384 => 48, _ => 64 }, mac.Length);
            Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(signed.AsSpan(10)));
            Assert.Equal(TsigVerification.Valid, Tsig.Verify(signed, key, [], DateTimeOffset.FromUnixTimeSeconds(1_800_000_100), out var record));
            Assert.Equal("key.example", record!.KeyName);

            // the signed message still parses as DNS (the TSIG RR is an ordinary additional record)
            var parsed = DnsMessageParser.Parse(signed);
            Assert.True(parsed.Success, parsed.Error);
            Assert.Single(parsed.Message!.Additional);
        }
    }

    [Fact]
    public void Malformed_or_unsigned_messages_are_reported_as_such()
    {
        var message = DnsUpdateMessage.Build(1, "example.com", [], []);
        Assert.Equal(TsigVerification.NotSigned, Tsig.Verify(message, Key, [], DateTimeOffset.UtcNow, out _));
        var signed = Tsig.Sign(message, Key, 1, 300, out _);
        Assert.Equal(TsigVerification.Malformed, Tsig.Verify(signed.AsSpan(0, signed.Length - 3), Key, [], DateTimeOffset.UtcNow, out _));
        Assert.False(Tsig.TryExtract(new byte[5], out _, out _));
    }
}
