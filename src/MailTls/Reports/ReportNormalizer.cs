using System.IO.Compression;
using System.Text.Json;
using MailTls.Dane;
using MailTls.Findings;
using MailTls.MtaSts;
using MailTls.TlsRpt;

namespace MailTls.Reports;

/// <summary>
/// Turns a report read by <see cref="TlsRptReportReader"/> into a <see cref="NormalizedReport"/>: derives the
/// natural key, hashes the JSON (in compact canonical form, so the same report hashes alike whatever its
/// transport did to insignificant whitespace, e.g. IMAP's CRLF line endings in an unencoded attachment), parses policy strings with the MTA-STS and TLSA parsers (one implementation of each
/// rule), fills a missing policy-domain from the envelope (notes Q5) and keeps the raw payload compressed.
/// </summary>
public static class ReportNormalizer
{
    /// <summary>Null with a reason when the report lacks what its natural key needs (report-id, date-range).</summary>
    public static NormalizedReport? Normalize(
        TlsRptReadResult read,
        ReadOnlySpan<byte> rawPayload,
        IReadOnlyList<Finding> extraDeviations,
        ReportSource source,
        string? fallbackPolicyDomain,
        out string? reason)
    {
        reason = null;
        var report = read.Report;
        if (report is null || read.Json is null)
        {
            reason = Reason(read.Findings) ?? "the report could not be read";
            return null;
        }

        if (read.Findings.HasErrors())
        {
            reason = Reason(read.Findings);
            return null;
        }

        if (string.IsNullOrWhiteSpace(report.ReportId))
        {
            reason = "the report has no report-id, so it cannot be told apart from others (RFC 8460 §4.4)";
            return null;
        }

        if (report.DateRange is not { } range)
        {
            reason = "the report has no usable date-range (RFC 8460 §4.4)";
            return null;
        }

        var sender = SenderKey(report.ContactInfo, report.OrganizationName);
        var hash = read.CanonicalSha256 ?? ContentHash(read.Json);
        var (rawFormat, raw) = read.Format switch
        {
            TlsRptPayloadFormat.Gzip => ("gzip", rawPayload.ToArray()),
            TlsRptPayloadFormat.Zip => ("zip", rawPayload.ToArray()),
            _ => ("gzip", Gzip(rawPayload.ToArray())),
        };

        var policies = new List<NormalizedPolicy>(report.Policies.Count);
        foreach (var p in report.Policies)
        {
            policies.Add(Policy(p, fallbackPolicyDomain));
        }

        var deviations = new List<Finding>(read.Findings.Count + extraDeviations.Count);
        deviations.AddRange(read.Findings);
        deviations.AddRange(extraDeviations);
        return new NormalizedReport
        {
            Sender = sender,
            OrganizationName = report.OrganizationName,
            ContactInfo = report.ContactInfo,
            ReportId = report.ReportId.Trim(),
            Start = range.StartDatetime.ToUniversalTime(),
            End = range.EndDatetime.ToUniversalTime(),
            ContentSha256 = hash,
            Policies = policies,
            Deviations = deviations,
            Source = source,
            RawFormat = rawFormat,
            RawCompressed = raw,
        };
    }

    /// <summary>
    /// The sending-organisation key (notes §0.3, Q23): the domain of contact-info (an addr-spec or a URI) in lower
    /// case, else the trimmed, lower-cased organization-name, else "unknown".
    /// </summary>
    public static string SenderKey(string? contactInfo, string? organizationName)
    {
        if (!string.IsNullOrWhiteSpace(contactInfo))
        {
            var c = contactInfo.Trim().Trim('<', '>');
            var at = c.LastIndexOf('@');
            string? domain = null;
            if (at >= 0)
            {
                domain = c[(at + 1)..];
            }
            else if (Uri.TryCreate(c, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host))
            {
                domain = uri.Host;
            }

            if (!string.IsNullOrWhiteSpace(domain))
            {
                return domain.Trim().TrimEnd('.').ToLowerInvariant();
            }
        }

        return string.IsNullOrWhiteSpace(organizationName) ? "unknown" : organizationName.Trim().ToLowerInvariant();
    }

    internal static string? Reason(IEnumerable<Finding> findings)
    {
        var errors = findings.Where(f => f.IsError).Select(f => $"{f.Code}: {f.Message}").ToList();
        return errors.Count == 0 ? null : string.Join("; ", errors);
    }

    internal static byte[] Gzip(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream(data.Length / 4 + 64);
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(data);
        }

        return output.ToArray();
    }

    private static NormalizedPolicy Policy(TlsRptPolicyReport p, string? fallbackDomain)
    {
        var type = p.Policy.RawPolicyType ?? "unknown";
        string? mode = null;
        long? maxAge = null;
        IReadOnlyList<string>? stsMx = null;
        IReadOnlyList<string>? tlsa = null;
        var strings = p.Policy.PolicyString;
        if (strings is { Count: > 0 })
        {
            if (p.Policy.PolicyType == TlsRptPolicyType.Sts)
            {
                (mode, maxAge, stsMx) = ParseSts(string.Join("\n", strings) + "\n");
            }
            else if (p.Policy.PolicyType == TlsRptPolicyType.Tlsa)
            {
                var records = new List<string>();
                foreach (var s in strings)
                {
                    if (ParseTlsa(s) is { } r)
                    {
                        records.Add(r);
                    }
                }

                tlsa = records;
            }
        }

        var failures = p.FailureDetails is null
            ? []
            : p.FailureDetails.Select(f => new NormalizedFailure(
                f.RawResultType ?? "unknown",
                f.SendingMtaIp,
                f.ReceivingMxHostname?.Trim().TrimEnd('.').ToLowerInvariant(),
                f.ReceivingMxHelo,
                f.ReceivingIp,
                f.FailedSessionCount,
                f.AdditionalInformation,
                f.FailureReasonCode)).ToList();

        return new NormalizedPolicy
        {
            PolicyType = type,
            PolicyDomain = string.IsNullOrWhiteSpace(p.Policy.PolicyDomain)
                ? fallbackDomain?.Trim().TrimEnd('.').ToLowerInvariant()
                : p.Policy.PolicyDomain.Trim().TrimEnd('.').ToLowerInvariant(),
            PolicyStrings = strings,
            MxHosts = p.Policy.MxHost,
            StsMode = mode,
            StsMaxAge = maxAge,
            StsMx = stsMx,
            TlsaRecords = tlsa,
            SuccessfulSessions = p.Summary.TotalSuccessfulSessionCount,
            FailedSessions = p.Summary.TotalFailureSessionCount,
            Failures = failures,
        };
    }

    // Senders repeat the same policy strings in every report (one domain's policy, day after day), so parsing is
    // memoised: the MTA-STS and TLSA parsers stay the one implementation of each rule, run once per distinct text.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string? Mode, long? MaxAge, IReadOnlyList<string>? Mx)> StsParsed = new(StringComparer.Ordinal);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> TlsaParsed = new(StringComparer.Ordinal);
    private const int ParsedCacheSize = 4096;

    private static (string? Mode, long? MaxAge, IReadOnlyList<string>? Mx) ParseSts(string text)
    {
        if (StsParsed.TryGetValue(text, out var known))
        {
            return known;
        }

        (string? Mode, long? MaxAge, IReadOnlyList<string>? Mx) parsed = (null, null, null);
        if (StsPolicyParser.Parse(text).Policy is { } sts)
        {
            parsed = (sts.Mode.ToWireName(), sts.MaxAge, [.. sts.Mx.Select(m => m.Text)]);
        }

        if (StsParsed.Count >= ParsedCacheSize)
        {
            StsParsed.Clear();
        }

        StsParsed.TryAdd(text, parsed);
        return parsed;
    }

    private static string? ParseTlsa(string text)
    {
        if (TlsaParsed.TryGetValue(text, out var known))
        {
            return known;
        }

        var rr = TlsaRecordParser.Parse(text);
        var formatted = rr.Record is { } r && rr.IsValid ? TlsaRecordFormatter.Format(r) : null;
        if (TlsaParsed.Count >= ParsedCacheSize)
        {
            TlsaParsed.Clear();
        }

        TlsaParsed.TryAdd(text, formatted);
        return formatted;
    }

    /// <summary>SHA-256 of the report JSON re-written compactly (the reader's rule, <see cref="TlsRptReportReader.CanonicalSha256"/>), for results that carry no hash.</summary>
    internal static byte[] ContentHash(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = Limits.JsonMaxDepth });
        return TlsRptReportReader.CanonicalSha256(document.RootElement);
    }
}
