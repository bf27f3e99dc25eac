namespace MailTls.Tests.Shared;

/// <summary>
/// The golden expectations of the TLS-RPT samples (tests/MailTls.Tests/TestData/TlsRpt, copies of
/// ../shared/samples/tlsrpt), shared by the reader tests, the store tests and the serve receiver tests. Linked into
/// each test project that needs it.
/// </summary>
internal static class TlsRptGolden
{
    /// <summary>
    /// Golden expectations, read by hand from each sample file: organization-name, report-id, number of policies,
    /// the sums of total-successful-session-count and total-failure-session-count over all policies, and the
    /// exact finding codes (in order) that the deviations in the file must produce.
    /// </summary>
    public static readonly Sample[] Samples =
    [
        new("cry-inc+dmarc-report-viewer__google.json", "Google Inc.", "2025-05-22T00:00:00Z_foo-bar.io", 1, 1, 0, []),
        // sts + tlsa for the same sessions (Q13): 2 + 2 successes; the TLSA policy-string is JSON in a string (Q3).
        new("cry-inc+dmarc-report-viewer__microsoft.json", "Microsoft Corporation", "133925885310113267+random.net", 2, 4, 0,
            ["tlsrpt.report.policy-string-json"]),
        // contact-info null (Q6); mx-host ["mx: mx.server.com"] (Q2); end at next-day 00:00 is fine (Q9); failure-details [] (Q7).
        new("cry-inc+dmarc-report-viewer__no-contact.json", "server.com", "123_456", 1, 1, 0,
            ["tlsrpt.report.missing-contact-info", "tlsrpt.report.mx-host-prefix"]),
        new("cry-inc+dmarc-report-viewer__no-policy.json", "Google Inc.", "2025-03-27T00:00:00Z_foo-bar.io", 1, 1, 0, []),
        // Microsoft fetch error: no policy-string (Q14) and no endpoint fields (Q8).
        new("cry-inc+dmarc-report-viewer__no_ip_and_mx.json", "Microsoft Corporation", "1234567890+", 1, 0, 3,
            ["tlsrpt.report.missing-policy-string", "tlsrpt.report.missing-endpoint"]),
        new("domainaware+parsedmarc__google.com_smtp_tls_report__google.com!cardinalhealth.ca!1725321600!1725407999!001.json",
            "Google Inc.", "2024-09-03T00:00:00Z_cardinalhealth.ca", 1, 48, 0, []),
        // Mail.ru: no policy-string, two details without endpoints, details add up to 2 against a total of 1 (Q11).
        new("domainaware+parsedmarc__mail.ru.json", "Mail.ru", "b28254de-7b2e-be36-bb5c-4c3b92da8b25@mail.ru", 1, 0, 1,
            ["tlsrpt.report.missing-policy-string", "tlsrpt.report.missing-endpoint", "tlsrpt.report.missing-endpoint", "tlsrpt.report.counts-mismatch"]),
        // The RFC 8460 §4.4 example: mx-host as a string, which erratum 6241 corrects. 100 + 200 + 3 = 303.
        new("domainaware+parsedmarc__rfc8460.json", "Company-X", "5065427c-23d3-47ca-b6e0-946ea0e8c4be", 1, 5326, 303,
            ["tlsrpt.report.mx-host-string"]),
        new("domainaware+parsedmarc__smtp_tls.json", "Example Inc.", "2024-01-09T00:00:00Z_example.com", 1, 0, 3, []),
        new("isseis+tlsrpt-digest__tlsrpt_failure__google.com!example.com!1778544000!1778630399!001.json",
            "Google Inc.", "2026-02-08T00:00:00Z_example.com", 1, 4523, 2, []),
        new("isseis+tlsrpt-digest__tlsrpt_success_google_1__google.com!example.com!1778457600!1778543999!001.json",
            "Google Inc.", "2026-05-11T00:00:00Z_example.com", 1, 1, 0, []),
        new("isseis+tlsrpt-digest__tlsrpt_success_google_2__google.com!example.com!1778544000!1778630399!001.json",
            "Google Inc.", "2026-05-12T00:00:00Z_example.com", 1, 4, 0, []),
        new("isseis+tlsrpt-digest__tlsrpt_success_microsoft__microsoft.com!example.com!1778630400!1778716799!134232617934286362.json",
            "Microsoft Corporation", "134232617934286362+example.com", 1, 2, 0, []),
        new("stalwartlabs+mail-auth__rpt01.json", "Company-X", "5065427c-23d3-47ca-b6e0-946ea0e8c4be", 1, 5326, 303, []),
        // Synthetic 7-day range (Q9): against the RFC 8460 §4.1 SHOULD of one UTC day.
        new("stalwartlabs+mail-auth__rpt02.json", "Google Inc.", "2020-01-01T00:00:00Z_example.com", 1, 23, 1,
            ["tlsrpt.report.date-range-not-day"]),
        // Synthetic negative test: no policy-domain (Q5), no total-failure-session-count, an unknown policy-type (Q12).
        new("stalwartlabs+mail-auth__rpt03.json", "Google Inc.", "2019-04-14T00:00:00Z_example.org", 2, 2, 0,
            ["tlsrpt.report.missing-policy-domain", "tlsrpt.report.missing-field",
             "tlsrpt.report.unknown-policy-type", "tlsrpt.report.missing-policy-domain", "tlsrpt.report.missing-field"]),
    ];

    /// <summary>
    /// Each .eml sample: the extracted .json sample its attachment must equal (null where none was extracted),
    /// the attachment file name, the message-level finding codes and the part-level (envelope vs body) codes.
    /// </summary>
    public static readonly Message[] Messages =
    [
        new("domainaware+parsedmarc__google.com_smtp_tls_report.eml",
            "domainaware+parsedmarc__google.com_smtp_tls_report__google.com!cardinalhealth.ca!1725321600!1725407999!001.json",
            "google.com!cardinalhealth.ca!1725321600!1725407999!001.json.gz", [], []),
        // Modified sample: the attached body covers 2026-02-08 while the file name says 2026-05-12 (§5.6: body wins).
        new("isseis+tlsrpt-digest__tlsrpt_failure.eml",
            "isseis+tlsrpt-digest__tlsrpt_failure__google.com!example.com!1778544000!1778630399!001.json",
            "google.com!example.com!1778544000!1778630399!001.json.gz", [], ["tlsrpt.message.filename-mismatch"]),
        new("isseis+tlsrpt-digest__tlsrpt_success_google_1.eml",
            "isseis+tlsrpt-digest__tlsrpt_success_google_1__google.com!example.com!1778457600!1778543999!001.json",
            "google.com!example.com!1778457600!1778543999!001.json.gz", [], []),
        new("isseis+tlsrpt-digest__tlsrpt_success_google_2.eml",
            "isseis+tlsrpt-digest__tlsrpt_success_google_2__google.com!example.com!1778544000!1778630399!001.json",
            "google.com!example.com!1778544000!1778630399!001.json.gz", [], []),
        new("isseis+tlsrpt-digest__tlsrpt_success_microsoft.eml",
            "isseis+tlsrpt-digest__tlsrpt_success_microsoft__microsoft.com!example.com!1778630400!1778716799!134232617934286362.json",
            "microsoft.com!example.com!1778630400!1778716799!134232617934286362.json.gz", [], []),
        // The RFC 8460 §5.3.1 example mail is inconsistent with its own report (notes Q22): submitter
        // mail.sender.example.com vs contact-info company-x.example, TLS-Report-Domain and Subject example.net vs
        // policy-domain company-y.example, and a file name with another domain and other timestamps.
        new("stalwartlabs+mail-auth__rpt01.eml", "stalwartlabs+mail-auth__rpt01.json",
            "mail.sender.example!example.com!1013662812!1013749130.json.gz", [],
            ["tlsrpt.message.submitter-mismatch", "tlsrpt.message.report-domain-mismatch", "tlsrpt.message.report-domain-mismatch",
             "tlsrpt.message.filename-mismatch", "tlsrpt.message.filename-mismatch"]),
        // Unregistered application/tlsrpt with plain JSON (Q21); submitter mail.sender.example.com vs google.com.
        new("stalwartlabs+mail-auth__rpt02.eml", "stalwartlabs+mail-auth__rpt02.json",
            "mail.sender.example!example.com!1013662812!1013749130.json", [],
            ["tlsrpt.message.media-type", "tlsrpt.message.submitter-mismatch", "tlsrpt.message.report-domain-mismatch",
             "tlsrpt.message.report-domain-mismatch", "tlsrpt.message.filename-mismatch"]),
    ];

    /// <summary>One JSON sample: organization-name, report-id, policies, summed session totals, deviation codes in order.</summary>
    public sealed record Sample(string File, string Org, string ReportId, int Policies, long Ok, long Failed, string[] Codes);

    /// <summary>One .eml sample: the JSON sample its attachment equals, the attachment name, message and part codes.</summary>
    public sealed record Message(string Eml, string Json, string FileName, string[] MessageCodes, string[] PartCodes);
}
