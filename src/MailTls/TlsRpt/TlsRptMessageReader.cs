using System.Text.RegularExpressions;
using MailTls.Findings;
using MimeKit;

namespace MailTls.TlsRpt;

/// <summary>
/// Extracts TLS-RPT reports from an e-mail (RFC 8460 §5.3). Report parts are found by media type
/// (<c>application/tlsrpt+gzip</c>, <c>+json</c>, the unregistered <c>application/tlsrpt</c>, and the generic
/// gzip / zip / json / octet-stream types) or by file name, then sniffed and read with
/// <see cref="TlsRptReportReader"/>: the label is never trusted (notes Q21). The envelope is checked against the
/// body: TLS-Report-* headers (§5.3), the submitter against contact-info (Q19), and file name and Subject against
/// the body, which is authoritative (§5.6).
/// </summary>
public static partial class TlsRptMessageReader
{
    private const string Subject = "TLS-RPT message";

    private static readonly string[] StrongTypes = ["application/tlsrpt+gzip", "application/tlsrpt+json", "application/tlsrpt", "application/tlsrpt+zip"];

    private static readonly string[] WeakTypes =
    [
        "application/gzip", "application/x-gzip", "application/zip", "application/x-zip-compressed", "application/json", "application/octet-stream",
    ];

    [GeneratedRegex(@"Report\s+Domain:\s*(?<domain>[^\s]+)\s+Submitter:\s*(?<submitter>[^\s]+)(?:\s+Report-ID:\s*<?(?<id>[^<>\s]+)>?)?",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 200)]
    private static partial Regex SubjectPattern();

    public static async Task<TlsRptMessageResult> ReadAsync(Stream mimeMessage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mimeMessage);
        var findings = new List<Finding>();
        var buffer = await ReadBoundedAsync(mimeMessage, Limits.TlsRptMaxMessageBytes, cancellationToken).ConfigureAwait(false);
        if (buffer is null)
        {
            findings.Add(TlsRptFindings.MessageTooLarge.Create(Subject,
                $"The message is larger than {Limits.TlsRptMaxMessageBytes} bytes and was not read."));
            return new TlsRptMessageResult(null, [], findings);
        }

        MimeMessage message;
        try
        {
            using var ms = new MemoryStream(buffer, writable: false);
            message = await MimeMessage.LoadAsync(ms, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            findings.Add(TlsRptFindings.MessageUnparseable.Create(Subject, $"The message cannot be parsed: {e.Message}"));
            return new TlsRptMessageResult(null, [], findings);
        }

        var envelope = ReadEnvelope(message);
        if (!envelope.IsMultipartReport)
        {
            findings.Add(TlsRptFindings.MessageNotMultipartReport.Create(Subject,
                $"The message is {message.Body?.ContentType.MimeType ?? "empty"}, not multipart/report; report-type=tlsrpt."));
        }

        if (string.IsNullOrWhiteSpace(envelope.ReportDomain))
        {
            findings.Add(TlsRptFindings.MessageMissingReportDomain.Create(Subject, "The TLS-Report-Domain header is missing."));
        }

        if (string.IsNullOrWhiteSpace(envelope.ReportSubmitter))
        {
            findings.Add(TlsRptFindings.MessageMissingReportSubmitter.Create(Subject, "The TLS-Report-Submitter header is missing."));
        }

        var reports = new List<TlsRptMessageReport>();
        foreach (var part in message.BodyParts.OfType<MimePart>())
        {
            var report = ReadPart(part, envelope);
            if (report is not null)
            {
                reports.Add(report);
            }
        }

        if (reports.Count == 0)
        {
            findings.Add(TlsRptFindings.MessageNoReport.Create(Subject, "No part of the message holds a TLS-RPT report."));
        }

        return new TlsRptMessageResult(envelope, reports, findings);
    }

    private static TlsRptEnvelope ReadEnvelope(MimeMessage message)
    {
        var subject = message.Subject;
        string? sDomain = null, sSubmitter = null, sId = null;
        if (subject is not null && subject.Length <= 2048)
        {
            Match m;
            try
            {
                m = SubjectPattern().Match(subject);
            }
            catch (RegexMatchTimeoutException)
            {
                m = Match.Empty;
            }

            if (m.Success)
            {
                sDomain = m.Groups["domain"].Value;
                sSubmitter = m.Groups["submitter"].Value;
                sId = m.Groups["id"].Success ? m.Groups["id"].Value : null;
            }
        }

        var body = message.Body;
        var isReport = body is not null && body.ContentType.IsMimeType("multipart", "report")
            && string.Equals(body.ContentType.Parameters["report-type"], "tlsrpt", StringComparison.OrdinalIgnoreCase);
        return new TlsRptEnvelope(
            Header(message, "TLS-Report-Domain"),
            Header(message, "TLS-Report-Submitter"),
            subject,
            message.MessageId,
            message.From.Mailboxes.FirstOrDefault()?.Address,
            sDomain,
            sSubmitter,
            sId,
            isReport);
    }

    private static string? Header(MimeMessage message, string name)
    {
        var value = message.Headers[name];
        return value is null ? null : value.Trim();
    }

    private static TlsRptMessageReport? ReadPart(MimePart part, TlsRptEnvelope envelope)
    {
        var mediaType = part.ContentType.MimeType.ToLowerInvariant();
        var fileName = part.FileName;
        var strong = StrongTypes.Contains(mediaType);
        var byName = fileName is not null
            && (fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                || fileName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                || fileName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase));
        if (!strong && !byName && !WeakTypes.Contains(mediaType))
        {
            return null;
        }

        if (part.Content is null)
        {
            return null;
        }

        byte[]? bytes;
        using (var decoded = part.Content.Open())
        {
            // Base64 is decoded leniently by MimeKit (Google's once failed a strict check, notes Q20).
            bytes = TlsRptPayload.ReadBounded(decoded, Limits.TlsRptMaxCompressedBytes + 1);
        }

        if (bytes is null)
        {
            var tooLarge = TlsRptFindings.ReportTooLarge.Create($"{Subject} part {fileName ?? mediaType}",
                $"The decoded part is larger than {Limits.TlsRptMaxCompressedBytes} bytes and was not read.");
            return new TlsRptMessageReport(fileName, mediaType, new TlsRptReadResult(null, [tooLarge], (string?)null, TlsRptPayloadFormat.Unknown), []);
        }

        var format = TlsRptPayload.Sniff(bytes);
        if (!strong && format == TlsRptPayloadFormat.Unknown)
        {
            // A generic attachment that is neither gzip, zip nor JSON: not a report.
            return null;
        }

        var result = TlsRptReportReader.Read(bytes, fileName);
        var partFindings = new List<Finding>();
        var partSubject = $"{Subject} part {fileName ?? mediaType}";
        if (mediaType is "application/tlsrpt" or "application/tlsrpt+zip" || !strong
            || (mediaType == "application/tlsrpt+gzip" && format != TlsRptPayloadFormat.Gzip)
            || (mediaType == "application/tlsrpt+json" && format != TlsRptPayloadFormat.Json))
        {
            partFindings.Add(TlsRptFindings.MessageMediaType.Create(partSubject,
                $"The part is labelled {mediaType} but holds {format}.",
                FindingList.Evidence(("media-type", mediaType), ("content", format.ToString()), ("filename", fileName))));
        }

        if (result.Report is { } report)
        {
            CheckAgainstBody(report, envelope, fileName, partSubject, partFindings);
        }

        return new TlsRptMessageReport(fileName, mediaType, result, partFindings) { Payload = bytes };
    }

    private static void CheckAgainstBody(TlsRptReport report, TlsRptEnvelope envelope, string? fileName, string subject, List<Finding> findings)
    {
        var domains = report.Policies.Select(p => p.Policy.PolicyDomain).Where(d => d is not null).ToList();

        // §5.3: the submitter MUST match the domain of contact-info (Mail.ru: "mail.ru" vs corp.mail.ru, Q19).
        if (!string.IsNullOrWhiteSpace(envelope.ReportSubmitter) && report.ContactInfo is { } contact)
        {
            var at = contact.LastIndexOf('@');
            var contactDomain = at >= 0 ? contact[(at + 1)..] : contact;
            if (!Dns.DnsName.EqualsNormalized(contactDomain, envelope.ReportSubmitter))
            {
                findings.Add(TlsRptFindings.MessageSubmitterMismatch.Create(subject,
                    $"TLS-Report-Submitter \"{envelope.ReportSubmitter}\" does not match the contact-info domain \"{contactDomain}\".",
                    FindingList.Evidence(("tls-report-submitter", envelope.ReportSubmitter), ("contact-info", contact))));
            }
        }

        if (domains.Count > 0)
        {
            foreach (var (source, value) in new[] { ("TLS-Report-Domain", envelope.ReportDomain), ("Subject Report Domain", envelope.SubjectReportDomain) })
            {
                if (!string.IsNullOrWhiteSpace(value) && !domains.Any(d => Dns.DnsName.EqualsNormalized(d, value)))
                {
                    findings.Add(TlsRptFindings.MessageReportDomainMismatch.Create(subject,
                        $"{source} \"{value}\" is not a policy-domain of the report ({string.Join(", ", domains)}).",
                        FindingList.Evidence(("source", source), ("value", value), ("policy-domains", string.Join(",", domains)))));
                }
            }
        }

        if (fileName is null)
        {
            return;
        }

        if (!TlsRptFileName.TryParse(fileName, out var parsed) || parsed is null)
        {
            findings.Add(TlsRptFindings.MessageFileNameFormat.Create(subject,
                $"\"{fileName}\" does not follow sender!policy-domain!begin!end[!unique-id].json[.gz].", FindingList.Evidence(("filename", fileName))));
            return;
        }

        if (domains.Count > 0 && !domains.Any(d => Dns.DnsName.EqualsNormalized(d, parsed.PolicyDomain)))
        {
            findings.Add(TlsRptFindings.MessageFileNameMismatch.Create(subject,
                $"The file name's policy-domain \"{parsed.PolicyDomain}\" is not a policy-domain of the report ({string.Join(", ", domains)}).",
                FindingList.Evidence(("filename", fileName), ("policy-domains", string.Join(",", domains)))));
        }

        if (report.DateRange is { } dr
            && (parsed.BeginTimestamp != dr.StartDatetime.ToUnixTimeSeconds() || parsed.EndTimestamp != dr.EndDatetime.ToUnixTimeSeconds()))
        {
            findings.Add(TlsRptFindings.MessageFileNameMismatch.Create(subject,
                $"The file name's time range {Rfc3339.Format(parsed.Begin)} – {Rfc3339.Format(parsed.End)} differs from the report's date-range "
                + $"{Rfc3339.Format(dr.StartDatetime)} – {Rfc3339.Format(dr.EndDatetime)}.",
                FindingList.Evidence(("filename", fileName), ("start-datetime", Rfc3339.Format(dr.StartDatetime)), ("end-datetime", Rfc3339.Format(dr.EndDatetime)))));
        }
    }

    private static async Task<byte[]?> ReadBoundedAsync(Stream stream, int max, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + n > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, n);
        }
    }
}
