using MailTls.Findings;

namespace MailTls.TlsRpt;

/// <summary>
/// Result of <see cref="TlsRptReportReader.Read"/>. Warnings are deviations from RFC 8460 that were tolerated;
/// errors mean the input is unusable and <see cref="Report"/> is null. <see cref="Json"/> is the decoded JSON text
/// whenever decoding got that far (store it: tolerant re-parsing later is the usual fix, notes §6).
/// </summary>
public sealed record TlsRptReadResult(TlsRptReport? Report, IReadOnlyList<Finding> Findings, string? Json, TlsRptPayloadFormat Format)
{
    public bool IsValid => Report is not null && !Findings.HasErrors();
}
