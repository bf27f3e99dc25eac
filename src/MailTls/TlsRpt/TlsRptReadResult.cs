using System.Text;
using MailTls.Findings;

namespace MailTls.TlsRpt;

/// <summary>
/// Result of <see cref="TlsRptReportReader.Read"/>. Warnings are deviations from RFC 8460 that were tolerated;
/// errors mean the input is unusable and <see cref="Report"/> is null. <see cref="Json"/> is the decoded JSON text
/// whenever decoding got that far (store it: tolerant re-parsing later is the usual fix, notes §6); the reader keeps
/// the decoded bytes and makes the text only when asked (an import of many reports never needs it).
/// </summary>
public sealed record TlsRptReadResult
{
    private readonly ReadOnlyMemory<byte> jsonUtf8;
    private readonly bool hasUtf8;
    private string? json;

    public TlsRptReadResult(TlsRptReport? report, IReadOnlyList<Finding> findings, string? json, TlsRptPayloadFormat format)
    {
        Report = report;
        Findings = findings;
        this.json = json;
        Format = format;
    }

    private TlsRptReadResult(TlsRptReport? report, IReadOnlyList<Finding> findings, ReadOnlyMemory<byte> jsonUtf8, TlsRptPayloadFormat format)
    {
        Report = report;
        Findings = findings;
        this.jsonUtf8 = jsonUtf8;
        hasUtf8 = true;
        Format = format;
    }

    public TlsRptReport? Report { get; init; }

    /// <summary>A result whose JSON text is the UTF-8 <paramref name="jsonUtf8"/> (BOM removed), decoded on first use.</summary>
    internal static TlsRptReadResult FromUtf8(TlsRptReport? report, IReadOnlyList<Finding> findings, ReadOnlyMemory<byte> jsonUtf8, TlsRptPayloadFormat format,
        byte[]? canonicalSha256 = null) =>
        new(report, findings, jsonUtf8, format) { CanonicalSha256 = canonicalSha256 };

    public IReadOnlyList<Finding> Findings { get; init; }

    public string? Json => json ??= hasUtf8 ? Encoding.UTF8.GetString(jsonUtf8.Span) : null;

    public TlsRptPayloadFormat Format { get; init; }

    /// <summary>
    /// SHA-256 of the report JSON re-written compactly (insignificant whitespace removed, strings re-escaped by
    /// <see cref="System.Text.Json.Utf8JsonWriter"/>), computed from the reader's own parse so the bytes are parsed
    /// once; null when the JSON did not parse. Transport re-encodings (IMAP CRLF, pretty printing) hash alike.
    /// </summary>
    public byte[]? CanonicalSha256 { get; init; }

    public bool IsValid => Report is not null && !Findings.HasErrors();

    /// <summary>The decoded JSON as UTF-8 (what <see cref="Json"/> holds), without making a string.</summary>
    internal ReadOnlyMemory<byte> JsonUtf8 => hasUtf8 ? jsonUtf8 : json is null ? default : Encoding.UTF8.GetBytes(json);

    public void Deconstruct(out TlsRptReport? report, out IReadOnlyList<Finding> findings, out string? json, out TlsRptPayloadFormat format)
    {
        report = Report;
        findings = Findings;
        json = Json;
        format = Format;
    }
}
