using System.Text;
using CsCheck;
using MailTls.Findings;
using MailTls.TlsRpt;

namespace MailTls.Tests.TlsRpt;

/// <summary>
/// Property tests: every parser returns its documented result for random and mutated input and never throws.
/// Iteration counts per parser (random + mutated) are at least 100,000 in total.
/// </summary>
public sealed class TlsRptPropertyTests
{
    private static readonly byte[][] JsonSamples =
        [.. Directory.GetFiles(TestPaths.TestData("TlsRpt"), "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];

    private static readonly byte[][] Seeds = [.. JsonSamples, .. JsonSamples.Select(TlsRptReportReaderTests.Gzip)];

    private static readonly string[] ValidRecords =
    [
        "v=TLSRPTv1; rua=mailto:reports@example.com",
        "v=TLSRPTv1;rua=https://reporting.example.com/v1/tlsrpt",
        "v=TLSRPTv1; rua=mailto:tlsrpt@mydomain.com,https://tlsrpt.mydomain.com/v1 ; ext=1;",
        "v=TLSRPTv1 ;\trua=mailto:a%21b@b.example , http://x.example/r?q=%2C",
    ];

    /// <summary>Byte flips, truncations, insertions, deletions and duplications of a seed.</summary>
    private static Gen<byte[]> Mutated(byte[][] seeds) =>
        Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.Int[0, 4], Gen.Int[0, 1 << 20], Gen.Int[1, 16], Gen.Byte)
            .Select(t =>
            {
                var (i, kind, pos, len, b) = t;
                var s = seeds[i];
                var p = s.Length == 0 ? 0 : pos % s.Length;
                return kind switch
                {
                    0 => Flip(s, p, b),
                    1 => s[..p],
                    2 => [.. s[..p], .. Enumerable.Repeat(b, len), .. s[p..]],
                    3 => [.. s[..p], .. s[Math.Min(s.Length, p + len)..]],
                    _ => [.. s[..p], .. s[p..Math.Min(s.Length, p + len)], .. s[p..]],
                };
            });

    private static byte[] Flip(byte[] s, int p, byte b)
    {
        var copy = (byte[])s.Clone();
        if (copy.Length > 0)
        {
            copy[p] ^= b == 0 ? (byte)1 : b;
        }

        return copy;
    }

    private static void AssertReadContract(TlsRptReadResult r)
    {
        Assert.Equal(r.Report is not null && !r.Findings.HasErrors(), r.IsValid);
        if (r.Report is null)
        {
            Assert.Contains(r.Findings, f => f.Severity == Severity.Error);
            return;
        }

        Assert.DoesNotContain(r.Findings, f => f.Severity == Severity.Error);

        // Whatever was read writes back to JSON that reads to an equal model.
        var again = TlsRptReportReader.ReadJson(TlsRptReportWriter.ToJson(r.Report)).Report;
        Assert.Equal(r.Report, again);
    }

    [Fact]
    public void Report_reader_random_bytes()
    {
        Gen.Byte.Array[0, 300].Sample(b => AssertReadContract(TlsRptReportReader.Read(b)), iter: 30_000);
    }

    private static readonly Gen<string> JsonishText =
        Gen.OneOf(
                Gen.OneOf<string>("{", "}", "[", "]", ",", ":", "\"", "null", "true", "0", "-1", "1e3", "\"\\uD800\"", "\"x\"", " ",
                    "\"policies\"", "\"policy\"", "\"summary\"", "\"failure-details\"", "\"mx-host\"", "\"policy-string\"",
                    "\"date-range\"", "\"start-datetime\"", "\"2024-01-01T00:00:00\"", "\"total-failure-session-count\"",
                    "\"failed-session-count\"", "\"result-type\"", "\"sts\"", "\"[\\\"a\\\"]\"", "\"mx: x\"", "\"12\"", "\"sending-mta-ip\""),
                Gen.Char['\0', '\u00ff'].Select(c => c.ToString()))
            .Array[0, 60].Select(parts => string.Concat(parts));

    [Fact]
    public void Report_reader_random_json_ish_text()
    {
        JsonishText.Sample(s =>
        {
            AssertReadContract(TlsRptReportReader.ReadJson(s));
            AssertReadContract(TlsRptReportReader.ReadJson("{\"policies\":[{\"policy\":" + s + "}]}"));
        }, iter: 20_000);
    }

    [Fact]
    public void Report_reader_mutated_samples()
    {
        Mutated(Seeds).Sample(b => AssertReadContract(TlsRptReportReader.Read(b)), iter: 40_000);
    }

    private static readonly Gen<string> RecordText =
        Gen.OneOf(
                Gen.OneOf<string>("v=TLSRPTv1", ";", " ", "\t", "rua=", "RUA=", "mailto:", "https://", "http://", "a@b.example", ",",
                    "!", "%2C", "%", "=", "x.example", "/", "ext=", "é", "v=STSv1"),
                Gen.Char['\0', '\u007f'].Select(c => c.ToString()))
            .Array[0, 24].Select(parts => string.Concat(parts));

    private static void AssertRecordContract(TlsRptRecordParseResult r)
    {
        Assert.Equal(r.Record is not null && !r.Findings.HasErrors(), r.IsValid);
        if (r.IsValid)
        {
            Assert.Contains(r.Record!.Rua, u => u.Scheme is "mailto" or "https");
            var again = TlsRptRecordParser.Parse(TlsRptRecordFormatter.Format(r.Record.Rua));
            Assert.True(again.IsValid);
            Assert.Equal(r.Record.Rua.Select(u => u.OriginalString), again.Record!.Rua.Select(u => u.OriginalString));
        }
    }

    [Fact]
    public void Record_parser_random_text()
    {
        RecordText.Sample(s => AssertRecordContract(TlsRptRecordParser.Parse(s)), iter: 50_000);
        RecordText.Sample(s => AssertRecordContract(TlsRptRecordParser.Parse("v=TLSRPTv1; rua=" + s)), iter: 20_000);
    }

    [Fact]
    public void Record_parser_mutated_records()
    {
        var seeds = ValidRecords.Select(Encoding.Latin1.GetBytes).ToArray();
        Mutated(seeds).Sample(b => AssertRecordContract(TlsRptRecordParser.Parse(Encoding.Latin1.GetString(b))), iter: 40_000);
    }

    [Fact]
    public void Record_formatter_round_trip()
    {
        var label = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[1, 10].Select(a => new string(a));
        var uri = Gen.Select(Gen.Bool, label, label, label).Select(t => t.Item1
            ? new Uri($"mailto:{t.Item2}@{t.Item3}.example")
            : new Uri($"https://{t.Item3}.{t.Item4}.example/{t.Item2}"));
        uri.Array[1, 2].Sample(list =>
        {
            var r = TlsRptRecordParser.Parse(TlsRptRecordFormatter.Format(list));
            Assert.True(r.IsValid);
            Assert.Equal(list.Select(u => u.OriginalString).Distinct(StringComparer.OrdinalIgnoreCase), r.Record!.Rua.Select(u => u.OriginalString));
        }, iter: 10_000);
    }

    [Fact]
    public void Record_selector_random_rrsets()
    {
        var strings = Gen.OneOf(RecordText, Gen.OneOf<string>(ValidRecords)).Array[0, 3];
        strings.Array[0, 4].Sample(rrset =>
        {
            var set = rrset.Select(IReadOnlyList<string> (r) => r).ToList();
            var s = TlsRptRecordSelector.Select(set);
            var expected = rrset.Count(r => TlsRptGrammar.IsCandidate(string.Concat(r)));
            Assert.Equal(expected, s.CandidateCount);
            Assert.Equal(s.ParseResult is { IsValid: true } && expected == 1, s.IsValid);
            Assert.Equal(s.IsValid, s.Record is not null);
        }, iter: 100_000);
    }

    [Fact]
    public void File_name_random_and_mutated()
    {
        var text = Gen.OneOf(
                Gen.OneOf<string>("!", ".json", ".json.gz", ".gz", "google.com", "example.com", "1725321600", "001", "-", ".", "a", "0"),
                Gen.Char['\0', '\u007f'].Select(c => c.ToString()))
            .Array[0, 12].Select(p => string.Concat(p));
        text.Sample(s => AssertFileNameContract(s), iter: 50_000);

        var seeds = new[]
        {
            "google.com!cardinalhealth.ca!1725321600!1725407999!001.json.gz",
            "mail.sender.example!example.com!1013662812!1013749130.json",
        }.Select(Encoding.Latin1.GetBytes).ToArray();
        Mutated(seeds).Sample(b => AssertFileNameContract(Encoding.Latin1.GetString(b)), iter: 50_000);
    }

    [Fact]
    public void Message_reader_mutated_emails()
    {
        var emls = Directory.GetFiles(TestPaths.TestData("TlsRpt"), "*.eml").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
        Mutated(emls).Sample(b =>
        {
            using var ms = new MemoryStream(b);
            var r = TlsRptMessageReader.ReadAsync(ms).GetAwaiter().GetResult();
            Assert.Equal(r.Reports.Count == 0, r.Findings.Any(f => f.Code == "tlsrpt.message.no-report" || f.Code == "tlsrpt.message.unparseable"));
            Assert.All(r.Reports, p => AssertReadContract(p.Result));
        }, iter: 3_000);

        Gen.Byte.Array[0, 400].Sample(b =>
        {
            using var ms = new MemoryStream(b);
            var r = TlsRptMessageReader.ReadAsync(ms).GetAwaiter().GetResult();
            Assert.All(r.Reports, p => AssertReadContract(p.Result));
        }, iter: 3_000);
    }

    private static void AssertFileNameContract(string s)
    {
        var ok = TlsRptFileName.TryParse(s, out var f);
        Assert.Equal(ok, f is not null);
        if (ok)
        {
            // Parse(ToString(x)) == x. The text itself comes back except for the extension's case and leading zeros
            // of timestamps (1*DIGIT allows them; they are numbers).
            Assert.True(TlsRptFileName.TryParse(f!.ToString(), out var again));
            Assert.Equal(f, again);
            if (!System.Text.RegularExpressions.Regex.IsMatch(s, "![0][0-9]+!|![0][0-9]+[.!]json", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
            {
                Assert.Equal(s, f.ToString(), StringComparer.OrdinalIgnoreCase);
            }
        }
    }
}
