using MailTls.Findings;

namespace MailTls.TlsRpt;

/// <summary>
/// Result of <see cref="TlsRptReportReader.Read"/>. Warnings are deviations from RFC 8460 that were tolerated;
/// errors mean the input is unusable and <see cref="Report"/> is null. <see cref="Json"/> is the decoded JSON text
/// whenever decoding got that far (store it: tolerant re-parsing later is the usual fix, notes §6).
/// </summary>
public sealed record TlsRptReadResult(TlsRptReport? Report, IReadOnlyList<Finding> Findings, string? Json, TlsRptPayloadFormat Format)
{
    /// <summary>
    /// SHA-256 of the report JSON re-written compactly (insignificant whitespace removed, strings re-escaped by
    /// <see cref="System.Text.Json.Utf8JsonWriter"/>), computed from the reader's own parse so the bytes are parsed
    /// once; null when the JSON did not parse. Transport re-encodings (IMAP CRLF, pretty printing) hash alike.
    /// </summary>
    public byte[]? CanonicalSha256 { get; init; }

    public bool IsValid => Report is not null && !Findings.HasErrors();
}
