using System.IO.Compression;
using System.Text;
using CsCheck;
using MailTls.Reports;
using MailTls.Reports.Storage;
using MailTls.TlsRpt;
using Microsoft.Data.Sqlite;

namespace MailTls.Tests.TlsRpt;

/// <summary>
/// The import fast paths give the same results as the general rules they short-cut: the RFC 3339 common form, gzip
/// output sized from the trailer, and the raw payload a message part keeps.
/// </summary>
public sealed class TlsRptFastPathTests
{
    private static readonly Gen<string> DateLike =
        Gen.Select(Gen.Int[0, 10000], Gen.Int[0, 13], Gen.Int[0, 32], Gen.Int[0, 25], Gen.Int[0, 61], Gen.Int[0, 61], Gen.Char["Tt xZz:-0"], Gen.Char["Zz+0 T"])
            .Select(t => $"{t.Item1:0000}-{t.Item2:00}-{t.Item3:00}{t.Item7}{t.Item4:00}:{t.Item5:00}:{t.Item6:00}{t.Item8}");

    [Fact]
    public void Rfc3339_common_form_reads_as_the_general_rule_does()
    {
        Gen.OneOf(DateLike, DateLike.Select(s => s.Replace(':', '-')), Gen.String[Gen.Char["0123456789-:TZ"], 18, 22])
            .Sample(text =>
            {
                var fast = Rfc3339.TryParse(text, out var a, out var ao);
                var general = Rfc3339.TryParsePattern(text, out var b, out var bo);
                return fast == general && a == b && a.Offset == b.Offset && ao == bo;
            }, iter: 200_000);
        Assert.True(Rfc3339.TryParse("2026-02-29T00:00:00Z", out _, out _) == Rfc3339.TryParsePattern("2026-02-29T00:00:00Z", out _, out _));
        Assert.True(Rfc3339.TryParse("2024-02-29t23:59:59z", out var leap, out var offset) && offset);
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.Zero), leap);
    }

    [Fact]
    public void Gzip_with_several_members_is_read_whole_and_a_wrong_trailer_is_bad_compression()
    {
        var json = File.ReadAllBytes(TestPaths.TestData("TlsRpt", "domainaware+parsedmarc__rfc8460.json"));
        var expected = TlsRptReportReader.Read(json);
        Assert.True(expected.IsValid);

        // Two members: the trailer of the last one announces only its own length.
        var half = json.Length / 2;
        byte[] twoMembers = [.. Gzip(json[..half]), .. Gzip(json[half..])];
        var read = TlsRptReportReader.Read(twoMembers);
        Assert.True(read.IsValid, string.Join("; ", read.Findings.Select(f => f.Message)));
        Assert.Equal(expected.Json, read.Json);
        Assert.Equal(expected.CanonicalSha256, read.CanonicalSha256);

        // A trailer whose length is wrong (more or less than there is) fails zlib's length check: bad compression,
        // whatever size the output was read with.
        foreach (var wrong in new[] { json.Length + 100, json.Length / 3 })
        {
            var lying = Gzip(json);
            BitConverter.TryWriteBytes(lying.AsSpan(lying.Length - 4), (uint)wrong);
            var r = TlsRptReportReader.Read(lying);
            Assert.Null(r.Report);
            Assert.Contains(r.Findings, f => f.Code == TlsRptFindings.ReportBadCompression.Code);
        }

        // A bomb that lies about its size is still stopped at the cap.
        var bomb = Gzip(new byte[Limits.TlsRptMaxDecompressedBytes * 2]);
        BitConverter.TryWriteBytes(bomb.AsSpan(bomb.Length - 4), 1000u);
        Assert.Contains(TlsRptReportReader.Read(bomb).Findings, f => f.Code == TlsRptFindings.ReportDecompressedTooLarge.Code);
    }

    [Fact]
    public void The_text_of_a_read_report_is_the_decoded_json_without_its_bom()
    {
        var json = File.ReadAllBytes(TestPaths.TestData("TlsRpt", "cry-inc+dmarc-report-viewer__google.json"));
        byte[] withBom = [0xEF, 0xBB, 0xBF, .. json];
        var read = TlsRptReportReader.Read(Gzip(withBom));
        Assert.Equal(Encoding.UTF8.GetString(json), read.Json);
        var (report, findings, text, format) = read;
        Assert.Equal((read.Report, read.Findings, read.Json, TlsRptPayloadFormat.Gzip), (report, findings, text, format));
    }

    [Theory]
    [InlineData("isseis+tlsrpt-digest__tlsrpt_success_google_1.eml", "gzip")]
    [InlineData("stalwartlabs+mail-auth__rpt02.eml", "gzip")]
    public async Task A_message_part_keeps_its_payload_as_attached(string eml, string format)
    {
        var items = await ReportPipeline.DecodeAsync(File.ReadAllBytes(TestPaths.TestData("TlsRpt", eml)), ReportSource.File(eml));
        var report = Assert.IsType<ReportItem>(Assert.Single(items)).Report;
        Assert.Equal(format, report.RawFormat);
        var attached = AttachedBytes(TestPaths.TestData("TlsRpt", eml));
        var kept = report.RawCompressed;
        if (TlsRptReportReader.Sniff(attached) == TlsRptPayloadFormat.Gzip)
        {
            Assert.Equal(attached, kept); // as attached, not recompressed
        }
        else
        {
            Assert.Equal(attached, Gunzip(kept)); // JSON as attached, gzipped
        }

        // And that is what the store keeps.
        var db = Path.Combine(Reports.ReportTestData.TempDir(), "raw.db");
        await using (var store = await ReportDatabase.OpenAsync(db))
        {
            await store.StoreAsync(items);
        }

        await using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT raw_format, raw FROM reports";
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(format, reader.GetString(0));
        Assert.Equal(kept, (byte[])reader.GetValue(1));
    }

    private static byte[] AttachedBytes(string eml)
    {
        using var message = MimeKit.MimeMessage.Load(eml);
        var part = message.BodyParts.OfType<MimeKit.MimePart>().Single(p => p.ContentType.MimeType.StartsWith("application/", StringComparison.Ordinal));
        using var ms = new MemoryStream();
        part.Content!.DecodeTo(ms);
        return ms.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var gz = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
}
