using MailTls.Findings;

namespace MailTls.TlsRpt;

/// <summary>
/// A TLS-RPT policy record (RFC 8460 §3), published as TXT at <c>_smtp._tls.&lt;domain&gt;</c>:
/// <c>v=TLSRPTv1; rua=mailto:…,https://…</c>. <see cref="Rua"/> holds every URI that is syntactically a URI, in
/// record order (unsupported schemes included, flagged by the parser); <see cref="Extensions"/> holds unknown
/// fields, which RFC 8460 §3 says are ignored.
/// </summary>
public sealed record TlsRptRecord(IReadOnlyList<Uri> Rua, IReadOnlyList<KeyValuePair<string, string>> Extensions, string Text)
{
    /// <summary>The URIs a sender can deliver to: <c>mailto:</c> and <c>https:</c> (RFC 8460 §3).</summary>
    public IEnumerable<Uri> UsableRua => Rua.Where(u => u.Scheme is "mailto" or "https");

    public bool Equals(TlsRptRecord? other) =>
        other is not null && Text == other.Text && Rua.SequenceEqual(other.Rua) && Extensions.SequenceEqual(other.Extensions);

    public override int GetHashCode() => HashCode.Combine(Text, Rua.Count, Extensions.Count);
}

/// <summary>
/// Result of <see cref="TlsRptRecordParser.Parse"/>. <see cref="Record"/> is the best-effort parse whenever the
/// version and a <c>rua</c> field were found; <see cref="IsValid"/> is false when any finding is an error, in which
/// case a sender treats the record as absent (RFC 8460 §3).
/// </summary>
public sealed record TlsRptRecordParseResult(TlsRptRecord? Record, IReadOnlyList<Finding> Findings)
{
    public bool IsValid => Record is not null && !Findings.HasErrors();
}

/// <summary>
/// Result of <see cref="TlsRptRecordSelector.Select"/>: the one record that remains after discarding TXT records
/// that do not begin with <c>v=TLSRPTv1</c> (RFC 8460 §3), and its parse.
/// </summary>
public sealed record TlsRptRecordSelection(string? RecordText, TlsRptRecordParseResult? ParseResult, int CandidateCount, IReadOnlyList<Finding> Findings)
{
    public TlsRptRecord? Record => IsValid ? ParseResult?.Record : null;

    public bool IsValid => ParseResult is { IsValid: true } && !Findings.HasErrors();
}
