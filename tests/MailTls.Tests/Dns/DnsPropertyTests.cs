using System.Text;
using CsCheck;
using MailTls.Dns;
using MailTls.Dns.Dnssec;

namespace MailTls.Tests.Dns;

/// <summary>
/// Property tests (CsCheck): random and mutated inputs never make the wire parser, the presentation parser or
/// the trust-anchor loader throw; what they accept round-trips. ≥ 100,000 inputs per parser.
/// </summary>
public sealed class DnsPropertyTests
{
    internal static readonly byte[][] MessageSamples = BuildMessageSamples();

    internal static readonly string[] LineSamples = [.. new[] { "root.signed", "tld.signed", "signed.tld.signed", "nsec.tld.signed" }
        .SelectMany(f => File.ReadAllLines(TestPaths.TestData("Dns", f))).Where(l => l.Length > 0)
        .Concat([
            "example.com. 300 IN TXT \"v=STSv1; id=1\" \"second \\\"quoted\\\" \\065\"",
            "example.com. IN CAA 0 issue \"letsencrypt.org\"",
            "_25._tcp.mx.example.com. 3600 IN TLSA 3 1 1 ( 0C72AC70B745AC19998811B131D662C9\n AC69DBDBE7CB23E5B514B56664C5D3D6 )",
            "x.example. 60 IN TYPE65534 \\# 3 010203",
            "v6.example. 60 IN AAAA 2001:db8::1",
            "a\\.b.example. 60 IN CNAME target\\032name.example.",
        ])];

    private static readonly string[] AnchorSamples =
    [
        File.ReadAllText(TestPaths.TestData("Dns", "root-anchor.ds")),
        ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n. IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16\n",
        "; root\n. 172800 IN DNSKEY 257 3 8 ( AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3\n +/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kv ) ; KSK\n",
        "example. 3600 IN DS 4393 15 2 c9733bd4e57fb37ecccb59e9c7c5572099bb85db01833cb001061bfc9b29c0a1",
    ];

    private static byte[][] BuildMessageSamples()
    {
        var records = ZoneServer.LoadFile("Dns", "nsec.tld.signed");
        return
        [
            TestWire.Encode(new DnsMessage { Id = 1, Flags = 0x8190, QuestionName = "nsec.tld", QuestionType = DnsRecordType.MX, Answers = records.Take(6).ToList(), Authority = records.Skip(6).Take(4).ToList() }),
            TestWire.Encode(new DnsMessage { Id = 2, Flags = 0x8183, ResponseCode = 3, QuestionName = "x.nsec.tld", QuestionType = DnsRecordType.A, Authority = records.Where(r => r.Type is DnsRecordType.NSEC or DnsRecordType.SOA).ToList() }),
            Convert.FromHexString("12348180000100010000000107" + "6578616D706C6503636F6D00000F0001C00C000F00010000012C0009000A046D61696CC00CC02B000100010000012C0004C0000219"),
            MailTls.Dns.Wire.DnsQueryBuilder.Build(5, "_25._tcp.mx.example.com", DnsRecordType.TLSA, true, 1232),
        ];
    }

    // ---- wire-format message parser: 50k random + 60k mutated ----

    [Fact]
    public void Message_parser_random_bytes() =>
        Gen.Byte.Array[0, 300].Sample(b => { CheckMessage(b); }, iter: 50_000);

    [Fact]
    public void Message_parser_mutated_responses()
    {
        int total = 0, valid = 0;
        Gen.Select(Gen.Int[0, MessageSamples.Length - 1], Gen.Int.Array[1, 6]).Sample(t =>
        {
            var bytes = MutateBytes(MessageSamples[t.Item1], t.Item2);
            if (CheckMessage(bytes))
            {
                Interlocked.Increment(ref valid);
            }

            Interlocked.Increment(ref total);
        }, iter: 60_000);

        Assert.True(total >= 60_000);
        Assert.InRange(valid, total / 50, total - (total / 50)); // both outcomes are exercised
    }

    internal static bool CheckMessage(byte[] bytes)
    {
        var result = DnsMessageParser.Parse(bytes);
        Assert.Equal(result.Success, result.Error is null);
        if (result.Message is not { } m)
        {
            return false;
        }

        // Whatever parsed, re-encodes (names expanded) and parses to the same records; typed views never throw.
        var again = DnsMessageParser.Parse(TestWire.Encode(m with { ResponseCode = m.ResponseCode & 0xF }, withOpt: false));
        Assert.True(again.Success, again.Error);
        Assert.Equal(m.Answers.Count + m.Authority.Count + m.Additional.Count, again.Message!.Answers.Count + again.Message.Authority.Count + again.Message.Additional.Count);
        foreach (var r in m.Answers.Concat(m.Authority).Concat(m.Additional))
        {
            _ = RecordText.Format(r);
        }

        _ = DnsResponse.FromMessage(m);
        return true;
    }

    internal static byte[] MutateBytes(byte[] sample, int[] ops)
    {
        var b = new List<byte>(sample);
        foreach (var op in ops)
        {
            var pos = (int)((uint)op >> 4) % (b.Count + 1);
            var value = (byte)(op >> 20);
            switch (op & 7)
            {
                case 0 or 1 when b.Count > 0:
                    b[Math.Min(pos, b.Count - 1)] ^= (byte)(1 << ((op >> 28) & 7));
                    break;
                case 2 when b.Count > 0:
                    b[Math.Min(pos, b.Count - 1)] = value;
                    break;
                case 3:
                    b.Insert(pos, value);
                    break;
                case 4 when b.Count > 0:
                    b.RemoveAt(Math.Min(pos, b.Count - 1));
                    break;
                case 5:
                    b.RemoveRange(pos, b.Count - pos);
                    break;
                case 6 when b.Count > 1:
                    // A compression pointer to a random offset.
                    var at = Math.Min(pos, b.Count - 2);
                    b[at] = (byte)(0xC0 | ((op >> 24) & 0x3F));
                    b[at + 1] = value;
                    break;
                default:
                    break;
            }
        }

        return [.. b];
    }

    // ---- presentation-format record parser: 40k random + 60k mutated ----

    private const string LineAlphabet = "abcxyz.\\\"();*-_0123456789 \t\nINDSRGMXTLAK=+/#";

    [Fact]
    public void Record_parser_random_text() =>
        Gen.OneOf(Gen.Char[LineAlphabet].Array[0, 80].Select(a => new string(a)), Gen.Char.Array[0, 60].Select(a => new string(a)))
            .Sample(s => { CheckLine(s); }, iter: 40_000);

    [Fact]
    public void Record_parser_mutated_lines()
    {
        int total = 0, valid = 0;
        Gen.Select(Gen.Int[0, LineSamples.Length - 1], Gen.Int[0, int.MaxValue].Array[1, 4]).Sample(t =>
        {
            if (CheckLine(MutateText(LineSamples[t.Item1], t.Item2, LineAlphabet)))
            {
                Interlocked.Increment(ref valid);
            }

            Interlocked.Increment(ref total);
        }, iter: 60_000);

        Assert.InRange(valid, total / 50, total - (total / 50));
    }

    internal static bool CheckLine(string line)
    {
        var r = RecordText.Parse(line);
        Assert.Equal(r.Success, r.Error is null);
        if (r.Record is not { } record)
        {
            return false;
        }

        // Formatting shows names in canonical lower case (RFC 4034 §6.2), so equality is up to the case of names.
        var text = RecordText.Format(record);
        var again = RecordText.Parse(text);
        Assert.True(again.Success, again.Error + " <- " + text);
        Assert.Equal(text, RecordText.Format(again.Record!));
        Assert.Equal(record.Data.Length, again.Record!.Data.Length);
        Assert.Equal(record.Type, again.Record.Type);
        return true;
    }

    // ---- trust-anchor loader: 40k random + 60k mutated ----

    [Fact]
    public void Trust_anchor_loader_random_text() =>
        Gen.Char[LineAlphabet].Array[0, 120].Select(a => new string(a)).Sample(s => { CheckAnchors(s); }, iter: 40_000);

    [Fact]
    public void Trust_anchor_loader_mutated_files()
    {
        int total = 0, valid = 0;
        Gen.Select(Gen.Int[0, AnchorSamples.Length - 1], Gen.Int[0, int.MaxValue].Array[1, 4]).Sample(t =>
        {
            if (CheckAnchors(MutateText(AnchorSamples[t.Item1], t.Item2, LineAlphabet)))
            {
                Interlocked.Increment(ref valid);
            }

            Interlocked.Increment(ref total);
        }, iter: 60_000);

        Assert.InRange(valid, total / 50, total - (total / 50));
    }

    internal static bool CheckAnchors(string text)
    {
        var r = TrustAnchors.Load(text);
        Assert.Equal(r.Success, r.Errors.Count == 0);
        if (r.Anchors is not { } anchors)
        {
            return false;
        }

        Assert.NotEmpty(anchors.Records);
        Assert.All(anchors.Records, a => Assert.True(a.Type is DnsRecordType.DS or DnsRecordType.DNSKEY));
        return true;
    }

    internal static string MutateText(string s, int[] ops, string alphabet)
    {
        var sb = new StringBuilder(s);
        foreach (var op in ops)
        {
            var pos = (op >> 3) % (sb.Length + 1);
            var c = alphabet[(op >> 17) % alphabet.Length];
            switch (op & 3)
            {
                case 0:
                    sb.Insert(pos, c);
                    break;
                case 1 when sb.Length > 0:
                    sb.Remove(Math.Min(pos, sb.Length - 1), 1);
                    break;
                case 2 when sb.Length > 0:
                    sb[Math.Min(pos, sb.Length - 1)] = c;
                    break;
                default:
                    break;
            }
        }

        return sb.ToString();
    }
}
