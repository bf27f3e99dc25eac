using MailTls.Findings;

namespace MailTls.Dane;

/// <summary>
/// Result of <see cref="TlsaRecordParser.Parse"/>: the record (null when the text is not a TLSA record), the
/// owner name and TTL when the text was a full zone-file line, and the findings about the text itself.
/// </summary>
public sealed record TlsaParseResult(TlsaRecord? Record, string? Owner, uint? Ttl, IReadOnlyList<Finding> Findings)
{
    /// <summary>True when a record was parsed and no finding is an error.</summary>
    public bool IsValid => Record is not null && !Findings.HasErrors();
}
