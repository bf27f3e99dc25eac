using System.Text;
using MailTls.Tests.Shared;
using MailTls.TlsRpt;

namespace MailTls.Tests.TlsRpt;

public sealed class TlsRptMessageReaderTests
{
    /// <summary>Each .eml sample and what its attachment must yield (<see cref="TlsRptGolden.Messages"/>).</summary>
    public static TheoryData<string, string, string, string[], string[]> Messages
    {
        get
        {
            var data = new TheoryData<string, string, string, string[], string[]>();
            foreach (var s in TlsRptGolden.Messages)
            {
                data.Add(s.Eml, s.Json, s.FileName, s.MessageCodes, s.PartCodes);
            }

            return data;
        }
    }

    [Fact]
    public void Every_eml_sample_has_a_row()
    {
        var names = Directory.GetFiles(TestPaths.TestData("TlsRpt"), "*.eml").Select(f => Path.GetFileName(f)!).Order().ToList();
        Assert.Equal(names, Messages.Select(r => (string)r[0]).Order().ToList());
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task Eml_yields_the_extracted_report(string eml, string json, string fileName, string[] messageCodes, string[] partCodes)
    {
        await using var stream = File.OpenRead(TestPaths.TestData("TlsRpt", eml));
        var result = await TlsRptMessageReader.ReadAsync(stream);

        var part = Assert.Single(result.Reports);
        Assert.Equal(fileName, part.FileName);
        Assert.True(part.Result.IsValid);
        var expected = TlsRptReportReader.Read(TlsRptReportReaderTests.Sample(json)).Report;
        Assert.Equal(expected, part.Report);
        Assert.Equal(messageCodes, result.Findings.Select(f => f.Code).ToArray());
        Assert.Equal(partCodes, part.Findings.Select(f => f.Code).ToArray());
        Assert.NotNull(result.Envelope!.ReportDomain);
        Assert.NotNull(result.Envelope.ReportSubmitter);
        Assert.True(result.Envelope.IsMultipartReport);
    }

    [Fact]
    public async Task Extracted_gzip_attachment_is_byte_identical_to_the_json_sample()
    {
        await using var stream = File.OpenRead(TestPaths.TestData("TlsRpt", "domainaware+parsedmarc__google.com_smtp_tls_report.eml"));
        var result = await TlsRptMessageReader.ReadAsync(stream);
        var json = File.ReadAllText(TestPaths.TestData("TlsRpt",
            "domainaware+parsedmarc__google.com_smtp_tls_report__google.com!cardinalhealth.ca!1725321600!1725407999!001.json"));
        Assert.Equal(json, result.Reports[0].Result.Json);
        Assert.Equal(TlsRptPayloadFormat.Gzip, result.Reports[0].Result.Format);
    }

    [Fact]
    public async Task Envelope_metadata_is_exposed()
    {
        await using var stream = File.OpenRead(TestPaths.TestData("TlsRpt", "isseis+tlsrpt-digest__tlsrpt_success_microsoft.eml"));
        var e = (await TlsRptMessageReader.ReadAsync(stream)).Envelope!;
        Assert.Equal("example.com", e.ReportDomain);
        Assert.Equal("microsoft.com", e.ReportSubmitter);
        Assert.Equal("134232617934286362+example.com@example.com", e.MessageId);
        Assert.Equal("example.com", e.SubjectReportDomain);
        Assert.Equal("microsoft.com", e.SubjectSubmitter);
        // Microsoft's Subject Report-ID has no angle brackets (notes Q17).
        Assert.Equal("134232617934286362+example.com", e.SubjectReportId);

        await using var g = File.OpenRead(TestPaths.TestData("TlsRpt", "domainaware+parsedmarc__google.com_smtp_tls_report.eml"));
        var ge = (await TlsRptMessageReader.ReadAsync(g)).Envelope!;
        Assert.Equal("2024.09.03T00.00.00Z+cardinalhealth.ca@google.com", ge.SubjectReportId);
        Assert.Equal("example.com", (await ReadEml("isseis+tlsrpt-digest__tlsrpt_success_microsoft.eml")).FallbackPolicyDomain);
        Assert.Equal("noreply-smtp-tls-reporting@google.com", ge.From);
    }

    private static async Task<TlsRptMessageResult> ReadEml(string name)
    {
        await using var stream = File.OpenRead(TestPaths.TestData("TlsRpt", name));
        return await TlsRptMessageReader.ReadAsync(stream);
    }

    private static async Task<TlsRptMessageResult> ReadText(string text)
    {
        using var ms = new MemoryStream(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n")));
        return await TlsRptMessageReader.ReadAsync(ms);
    }

    [Fact]
    public async Task Submitter_not_matching_contact_info_is_flagged_like_mail_ru()
    {
        var json = Convert.ToBase64String(TlsRptReportReaderTests.Gzip(TlsRptReportReaderTests.Sample("domainaware+parsedmarc__mail.ru.json")));
        var result = await ReadText($"""
            From: tls_support@corp.mail.ru
            Subject: Report
             Domain: example.com Submitter: mail.ru Report-ID: <b28254de@mail.ru>
            TLS-Report-Domain: example.com
            TLS-Report-Submitter: mail.ru
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=tlsrpt; boundary="b"

            --b
            Content-Type: text/plain

            report
            --b
            Content-Type: application/tlsrpt+gzip
            Content-Disposition: attachment; filename="mail.ru!example.com!1708560000!1708646400!001.json.gz"
            Content-Transfer-Encoding: base64

            {json}
            --b--
            """);
        var part = Assert.Single(result.Reports);
        Assert.Empty(result.Findings);
        Assert.Equal(["tlsrpt.message.submitter-mismatch"], part.Findings.Select(f => f.Code));
        Assert.Equal("example.com", result.Envelope!.SubjectReportDomain);
    }

    [Fact]
    public async Task Missing_headers_and_generic_parts_are_handled()
    {
        var json = Convert.ToBase64String(TlsRptReportReaderTests.Sample("cry-inc+dmarc-report-viewer__google.json"));
        var result = await ReadText($"""
            From: someone@example.net
            Subject: whatever
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: application/octet-stream
            Content-Transfer-Encoding: base64

            {json}
            --b
            Content-Type: application/octet-stream
            Content-Transfer-Encoding: base64

            AAECAwQ=
            --b--
            """);
        Assert.Equal(["tlsrpt.message.not-multipart-report", "tlsrpt.message.missing-report-domain", "tlsrpt.message.missing-report-submitter"],
            result.Findings.Select(f => f.Code));
        var part = Assert.Single(result.Reports);
        Assert.Equal("Google Inc.", part.Report!.OrganizationName);
        Assert.Equal(["tlsrpt.message.media-type"], part.Findings.Select(f => f.Code));
        Assert.Null(result.FallbackPolicyDomain);
    }

    [Fact]
    public async Task Message_without_report_is_an_error()
    {
        var result = await ReadText("""
            From: cron@example.net
            Subject: cron output
            TLS-Report-Domain: example.com
            TLS-Report-Submitter: example.net

            nothing here
            """);
        Assert.Empty(result.Reports);
        Assert.False(result.IsValid);
        Assert.Contains(result.Findings, f => f.Code == "tlsrpt.message.no-report");
    }

    [Fact]
    public async Task Oversized_message_is_refused_without_parsing()
    {
        using var ms = new MemoryStream(new byte[Limits.TlsRptMaxMessageBytes + 1]);
        var result = await TlsRptMessageReader.ReadAsync(ms);
        Assert.Equal(["tlsrpt.message.too-large"], result.Findings.Select(f => f.Code));
        Assert.Null(result.Envelope);
        Assert.False(result.IsValid);
    }
}
