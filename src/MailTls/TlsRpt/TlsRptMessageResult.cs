using MailTls.Findings;

namespace MailTls.TlsRpt;

/// <summary>
/// Envelope metadata of a TLS-RPT e-mail (RFC 8460 §5.3). Only hints: the report body is authoritative (§5.6), and
/// the Subject's Report-ID need not equal the JSON report-id (Google, notes Q18).
/// </summary>
public sealed record TlsRptEnvelope(
    string? ReportDomain,
    string? ReportSubmitter,
    string? Subject,
    string? MessageId,
    string? From,
    string? SubjectReportDomain,
    string? SubjectSubmitter,
    string? SubjectReportId,
    bool IsMultipartReport);

/// <summary>One report part of a message, read with <see cref="TlsRptReportReader"/>, plus the part's envelope findings.</summary>
public sealed record TlsRptMessageReport(string? FileName, string MediaType, TlsRptReadResult Result, IReadOnlyList<Finding> Findings)
{
    /// <summary>The file name parsed by <see cref="TlsRptFileName.TryParse"/>, when it follows RFC 8460 §5.1.</summary>
    public TlsRptFileName? ParsedFileName => TlsRptFileName.TryParse(FileName, out var f) ? f : null;

    public TlsRptReport? Report => Result.Report;

    /// <summary>The part's decoded bytes (after its transfer encoding: gzip, zip or JSON as attached), kept as the raw payload.</summary>
    internal byte[]? Payload { get; init; }
}

/// <summary>
/// Result of <see cref="TlsRptMessageReader.ReadAsync"/>. <see cref="Findings"/> are message-level (missing
/// headers, no report, size); each report carries its own reader findings and envelope-versus-body findings.
/// </summary>
public sealed record TlsRptMessageResult(TlsRptEnvelope? Envelope, IReadOnlyList<TlsRptMessageReport> Reports, IReadOnlyList<Finding> Findings)
{
    /// <summary>
    /// Policy domain to use when a policy has no <c>policy-domain</c> (Postfix tlsrpt-reporter, notes Q5): the
    /// TLS-Report-Domain header, else the Subject's Report Domain, else the first file name's policy-domain.
    /// </summary>
    public string? FallbackPolicyDomain =>
        NonEmpty(Envelope?.ReportDomain) ?? NonEmpty(Envelope?.SubjectReportDomain)
        ?? Reports.Select(r => r.ParsedFileName?.PolicyDomain).FirstOrDefault(d => d is not null);

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    /// <summary>True when at least one report was read and no finding (message or report) is an error.</summary>
    public bool IsValid =>
        Reports.Count > 0 && !Findings.HasErrors() && Reports.All(r => r.Result.IsValid && !r.Findings.HasErrors());
}
