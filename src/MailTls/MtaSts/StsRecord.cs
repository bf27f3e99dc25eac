using MailTls.Findings;

namespace MailTls.MtaSts;

/// <summary>
/// A syntactically valid MTA-STS TXT record (RFC 8461 §3.1): the policy <see cref="Id"/>, the extension
/// fields in record order (unknown fields are kept for display but carry no meaning), and the record
/// <see cref="Text"/> as published (character-strings already concatenated).
/// </summary>
public sealed record StsRecord(string Id, IReadOnlyList<StsExtension> Extensions, string Text);

/// <summary>Result of <see cref="StsRecordParser.Parse"/>: the record when valid, and what was found.</summary>
public sealed record StsRecordParseResult(StsRecord? Record, IReadOnlyList<Finding> Findings)
{
    /// <summary>True when the text matches the RFC 8461 §3.1 grammar and has an id.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Record))]
    public bool IsValid => Record is not null;
}
