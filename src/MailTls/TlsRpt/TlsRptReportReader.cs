using System.Text;
using System.Text.Json;
using MailTls.Findings;

namespace MailTls.TlsRpt;

/// <summary>
/// Tolerant reader of RFC 8460 §4.4 reports: sniffs gzip / zip / JSON from the bytes (notes Q21), bounds sizes,
/// parses with <see cref="JsonDocument"/> (not strict binding) and turns every real-world deviation (notes §5,
/// Q1–Q15) into a <c>tlsrpt.report.*</c> warning whose evidence names the JSON path. Never throws for bad input.
/// </summary>
public static class TlsRptReportReader
{
    private const string Subject = "TLS-RPT report";

    /// <summary>
    /// What the payload is by its magic bytes (gzip, zip, JSON object), never by name or label; Unknown for anything
    /// else, e.g. the e-mail that carries a report (read that with <see cref="TlsRptMessageReader"/>).
    /// </summary>
    public static TlsRptPayloadFormat Sniff(ReadOnlySpan<byte> payload) => TlsRptPayload.Sniff(payload);

    /// <param name="payload">The report bytes: JSON, gzip or zip.</param>
    /// <param name="fileName">Optional file name, only used in messages (the content decides the format).</param>
    public static TlsRptReadResult Read(ReadOnlySpan<byte> payload, string? fileName = null)
    {
        var findings = new List<Finding>();
        var subject = fileName is null ? Subject : $"{Subject} {fileName}";
        if (payload.Length > Limits.TlsRptMaxCompressedBytes)
        {
            findings.Add(TlsRptFindings.ReportTooLarge.Create(subject,
                $"The payload is {payload.Length} bytes; the limit is {Limits.TlsRptMaxCompressedBytes}."));
            return new TlsRptReadResult(null, findings, (string?)null, TlsRptPayloadFormat.Unknown);
        }

        var format = TlsRptPayload.Sniff(payload);
        var bytes = TlsRptPayload.Decode(payload, format, findings, out var truncated);
        if (bytes is null)
        {
            return new TlsRptReadResult(null, findings, (string?)null, format);
        }

        var bom = bytes.Length - TlsRptPayload.StripBom(bytes).Length;
        var memory = bytes.AsMemory(bom);
        var json = memory.Span;
        if (format == TlsRptPayloadFormat.Unknown)
        {
            format = TlsRptPayloadFormat.Json;
        }

        if (json.Length > Limits.TlsRptMaxJsonElements && CountTokens(json) is var tokens and > Limits.TlsRptMaxJsonElements)
        {
            findings.Add(TlsRptFindings.ReportTooManyElements.Create(subject,
                $"The report holds more than {Limits.TlsRptMaxJsonElements} JSON elements ({tokens} counted); it was not parsed.",
                FindingList.Evidence(("limit", Limits.TlsRptMaxJsonElements.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
            return new TlsRptReadResult(null, findings, (string?)null, format);
        }

        JsonDocument document;
        try
        {
            // Parsed in place: the document reads the decoded bytes, which the result keeps (no copy, no string).
            document = JsonDocument.Parse(memory, new JsonDocumentOptions { MaxDepth = Limits.JsonMaxDepth });
        }
        catch (JsonException e) when (truncated)
        {
            findings.Add(TlsRptFindings.ReportBadCompression.Create(subject,
                $"The gzip payload is truncated or corrupt (its length does not match the gzip trailer): {e.Message}"));
            return TlsRptReadResult.FromUtf8(null, findings, memory, format);
        }
        catch (JsonException e)
        {
            var result = TlsRptReadResult.FromUtf8(null, findings, memory, format);
            findings.Add(TlsRptFindings.ReportNotJson.Create(subject, $"The report is not valid JSON: {e.Message}",
                FindingList.Evidence(("start", Preview(result.Json!)))));
            return result;
        }

        using (document)
        {
            var validUtf8 = System.Text.Unicode.Utf8.IsValid(json);
            // Valid UTF-8 can hold a lone surrogate only as a \u escape, so only documents with one are walked.
            var bad = !validUtf8 ? "$" : json.IndexOf("\\u"u8) < 0 ? null : FindBadString(document.RootElement, "");
            if (bad is not null)
            {
                var where = validUtf8 ? $" (at {bad})" : string.Empty;
                findings.Add(TlsRptFindings.ReportNotJson.Create(subject,
                    $"The report contains invalid UTF-8 or a lone surrogate escape{where}; I-JSON (RFC 7493 §2.1) forbids both."));
                return TlsRptReadResult.FromUtf8(null, findings, memory, format);
            }

            var report = new TlsRptJsonMapper(findings, subject).ReadReport(document.RootElement);
            return TlsRptReadResult.FromUtf8(report, findings, memory, format, CanonicalSha256(document.RootElement));
        }
    }

    /// <summary>
    /// THE content-hash rule of stored reports: SHA-256 of <paramref name="root"/> written compactly by
    /// <see cref="Utf8JsonWriter"/> (see <see cref="TlsRptReadResult.CanonicalSha256"/>).
    /// </summary>
    internal static byte[] CanonicalSha256(JsonElement root)
    {
        // One buffer and writer per thread: a report's canonical form is written and hashed, never kept.
        var buffer = canonicalBuffer ??= new System.Buffers.ArrayBufferWriter<byte>(4096);
        var writer = canonicalWriter ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        root.WriteTo(writer);
        writer.Flush();
        var hash = System.Security.Cryptography.SHA256.HashData(buffer.WrittenSpan);
        if (buffer.Capacity > 1024 * 1024)
        {
            // Do not keep a huge report's buffer alive on the thread.
            canonicalBuffer = null;
            canonicalWriter = null;
        }

        return hash;
    }

    [ThreadStatic]
    private static System.Buffers.ArrayBufferWriter<byte>? canonicalBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? canonicalWriter;

    /// <summary>Reads a report from JSON text.</summary>
    public static TlsRptReadResult ReadJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Read(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Path of the first string or key that cannot be turned into valid UTF-16 (lone surrogate escapes), or null.</summary>
    private static string? FindBadString(JsonElement e, string path)
    {
        try
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String:
                    _ = e.GetString();
                    return null;
                case JsonValueKind.Array:
                    var i = 0;
                    foreach (var item in e.EnumerateArray())
                    {
                        if (FindBadString(item, $"{path}[{i++}]") is { } bad)
                        {
                            return bad;
                        }
                    }

                    return null;
                case JsonValueKind.Object:
                    foreach (var prop in e.EnumerateObject())
                    {
                        var name = prop.Name;
                        if (FindBadString(prop.Value, path.Length == 0 ? name : path + "." + name) is { } bad)
                        {
                            return bad;
                        }
                    }

                    return null;
                default:
                    return null;
            }
        }
        catch (InvalidOperationException)
        {
            return path.Length == 0 ? "$" : path;
        }
    }

    // Only inputs longer than the cap in bytes can exceed it in tokens, so real reports never pay for this pass.
    private static long CountTokens(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = Limits.JsonMaxDepth, CommentHandling = JsonCommentHandling.Skip });
        long n = 0;
        try
        {
            while (reader.Read() && n <= Limits.TlsRptMaxJsonElements)
            {
                n++;
            }
        }
        catch (JsonException)
        {
            // Malformed JSON is reported by the parse that follows.
        }

        return n;
    }

    internal static string Preview(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
