using System.Text;
using MailTls.TlsRpt;

namespace MailTls.Tests.TlsRpt;

public sealed class TlsRptMessageReaderTests
{
    /// <summary>
    /// Each .eml sample: the extracted .json sample its attachment must equal (null where none was extracted),
    /// the attachment file name, the message-level finding codes and the part-level (envelope vs body) codes.
    /// </summary>
    public static TheoryData<string, string, string, string[], string[]> Messages => new()
    {
        { "domainaware+parsedmarc__google.com_smtp_tls_report.eml",
            "domainaware+parsedmarc__google.com_smtp_tls_report__google.com!cardinalhealth.ca!1725321600!1725407999!001.json",
            "google.com!cardinalhealth.ca!1725321600!1725407999!001.json.gz", [], [] },
        // Modified sample: the attached body covers 2026-02-08 while the file name says 2026-05-12 (§5.6: body wins).
        { "isseis+tlsrpt-digest__tlsrpt_failure.eml",
            "isseis+tlsrpt-digest__tlsrpt_failure__google.com!example.com!1778544000!1778630399!001.json",
            "google.com!example.com!1778544000!1778630399!001.json.gz", [], ["tlsrpt.message.filename-mismatch"] },
        { "isseis+tlsrpt-digest__tlsrpt_success_google_1.eml",
            "isseis+tlsrpt-digest__tlsrpt_success_google_1__google.com!example.com!1778457600!1778543999!001.json",
            "google.com!example.com!1778457600!1778543999!001.json.gz", [], [] },
        { "isseis+tlsrpt-digest__tlsrpt_success_google_2.eml",
            "isseis+tlsrpt-digest__tlsrpt_success_google_2__google.com!example.com!1778544000!1778630399!001.json",
            "google.com!example.com!1778544000!1778630399!001.json.gz", [], [] },
        { "isseis+tlsrpt-digest__tlsrpt_success_microsoft.eml",
            "isseis+tlsrpt-digest__tlsrpt_success_microsoft__microsoft.com!example.com!1778630400!1778716799!134232617934286362.json",
            "microsoft.com!example.com!1778630400!1778716799!134232617934286362.json.gz", [], [] },
        // The RFC 8460 §5.3.1 example mail is inconsistent with its own report (notes Q22): submitter
        // mail.sender.example.com vs contact-info company-x.example, TLS-Report-Domain and Subject example.net vs
        // policy-domain company-y.example, and a file name with another domain and other timestamps.
        { "stalwartlabs+mail-auth__rpt01.eml", "stalwartlabs+mail-auth__rpt01.json",
            "mail.sender.example!example.com!1013662812!1013749130.json.gz", [],
            ["tlsrpt.message.submitter-mismatch", "tlsrpt.message.report-domain-mismatch", "tlsrpt.message.report-domain-mismatch",
             "tlsrpt.message.filename-mismatch", "tlsrpt.message.filename-mismatch"] },
        // Unregistered application/tlsrpt with plain JSON (Q21); submitter mail.sender.example.com vs google.com.
        { "stalwartlabs+mail-auth__rpt02.eml", "stalwartlabs+mail-auth__rpt02.json",
            "mail.sender.example!example.com!1013662812!1013749130.json", [],
            ["tlsrpt.message.media-type", "tlsrpt.message.submitter-mismatch", "tlsrpt.message.report-domain-mismatch",
             "tlsrpt.message.report-domain-mismatch", "tlsrpt.message.filename-mismatch"] },
    };

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
