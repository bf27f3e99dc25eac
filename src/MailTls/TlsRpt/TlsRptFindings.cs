using MailTls.Findings;

namespace MailTls.TlsRpt;

/// <summary>
/// Finding codes for TLS-RPT (RFC 8460): <c>tlsrpt.record.*</c> for the <c>_smtp._tls</c> TXT record (§3),
/// <c>tlsrpt.report.*</c> for deviations in a JSON report (§4, notes §5 Q1–Q16) and <c>tlsrpt.message.*</c> for
/// the e-mail envelope of a report (§5.3, §5.6).
/// </summary>
public static class TlsRptFindings
{
    // ---- TXT record (RFC 8460 §3) ----

    public static readonly FindingDefinition RecordTooLong = new(
        "tlsrpt.record.too-long", Severity.Error, "TLS-RPT record is too long",
        "RFC 8460 §3; Limits.TxtRecordMaxChars",
        "A record this long is not a TLS-RPT record anyone meant to publish and is not parsed.",
        "Publish a short record: v=TLSRPTv1; rua=mailto:tlsrpt@example.com");

    public static readonly FindingDefinition RecordNonAscii = new(
        "tlsrpt.record.non-ascii", Severity.Error, "TLS-RPT record contains non-ASCII characters",
        "RFC 8460 §3 (the record is US-ASCII text)",
        "Senders parse the record as US-ASCII; other characters make it syntactically invalid, so no reports are sent.",
        "Remove the non-ASCII characters; percent-encode them inside URIs.");

    public static readonly FindingDefinition RecordVersion = new(
        "tlsrpt.record.version", Severity.Error, "TLS-RPT record does not start with v=TLSRPTv1",
        "RFC 8460 §3 (tlsrpt-version = %s\"v=TLSRPTv1\", first field, case-sensitive)",
        "Senders discard TXT records that do not begin with exactly \"v=TLSRPTv1\", so no reports are sent.",
        "Start the record with v=TLSRPTv1; (exact case), e.g. v=TLSRPTv1; rua=mailto:tlsrpt@example.com");

    public static readonly FindingDefinition RecordSyntax = new(
        "tlsrpt.record.syntax", Severity.Error, "TLS-RPT record syntax error",
        "RFC 8460 §3 (field-delim = *WSP \";\" *WSP; tlsrpt-extension = ext-name \"=\" ext-value)",
        "A syntactically invalid record is ignored by senders, so no reports are sent.",
        "Use \"name=value\" fields separated by \";\", with at most one trailing \";\" and no stray spaces.");

    public static readonly FindingDefinition RecordDuplicateField = new(
        "tlsrpt.record.duplicate-field", Severity.Warning, "TLS-RPT record repeats a field",
        "RFC 8460 §3 (as RFC 8461 §3.2: all but the first occurrence SHALL be ignored)",
        "Only the first occurrence is used; the later one is silently ignored, which is rarely what was meant.",
        "Keep one rua= field and list every URI in it, separated by commas.");

    public static readonly FindingDefinition RecordMissingRua = new(
        "tlsrpt.record.missing-rua", Severity.Error, "TLS-RPT record has no rua field",
        "RFC 8460 §3 (the tlsrpt-rua field is required; %s\"rua=\" is case-sensitive)",
        "Without rua senders have nowhere to deliver reports.",
        "Add rua=mailto:tlsrpt@example.com (lower-case \"rua\").");

    public static readonly FindingDefinition RecordRuaInvalidUri = new(
        "tlsrpt.record.rua-invalid-uri", Severity.Error, "rua contains an invalid URI",
        "RFC 8460 §3 (tlsrpt-uri = URI from RFC 3986; commas and \"!\" MUST be percent-encoded)",
        "Senders cannot use a malformed URI, and an unencoded comma splits one URI into two broken ones.",
        "Write each URI in RFC 3986 syntax and percent-encode \",\" (%2C), \"!\" (%21) and \";\" (%3B) inside it.");

    public static readonly FindingDefinition RecordRuaUnsupportedScheme = new(
        "tlsrpt.record.rua-unsupported-scheme", Severity.Warning, "rua URI uses a scheme senders do not support",
        "RFC 8460 §3 (only mailto: and https: are defined)",
        "Senders skip URIs with other schemes, so that destination never receives reports.",
        "Use a mailto: address or an https: endpoint.");

    public static readonly FindingDefinition RecordRuaHttp = new(
        "tlsrpt.record.rua-http", Severity.Warning, "rua uses plain http:",
        "RFC 8460 §3 (reports are POSTed only to https: URIs)",
        "Senders do not deliver to http: URIs, and reports would travel unencrypted if they did.",
        "Change the URI to https:.");

    public static readonly FindingDefinition RecordRuaMailtoInvalid = new(
        "tlsrpt.record.rua-mailto-invalid", Severity.Error, "rua mailto: URI has no valid address",
        "RFC 8460 §3; RFC 6068 (mailto); RFC 5321 addr-spec",
        "Senders cannot deliver a report to an address that does not parse.",
        "Use mailto:local-part@domain, e.g. mailto:tlsrpt@example.com.");

    public static readonly FindingDefinition RecordRuaHttpsInvalid = new(
        "tlsrpt.record.rua-https-invalid", Severity.Error, "rua https: URI has no host",
        "RFC 8460 §3; RFC 3986 §3 (absolute URI with an authority)",
        "Senders cannot POST a report to an https: URI without a host.",
        "Use an absolute URI such as https://tlsrpt.example.com/v1/report.");

    public static readonly FindingDefinition RecordRuaDuplicate = new(
        "tlsrpt.record.rua-duplicate", Severity.Warning, "rua lists the same URI twice",
        "RFC 8460 §3",
        "Senders that deliver to every URI send the same report twice.",
        "List each destination once.");

    public static readonly FindingDefinition RecordRuaMany = new(
        "tlsrpt.record.rua-many", Severity.Warning, "rua lists more than two URIs",
        "RFC 8460 §3 (senders MAY deliver to every URI); DMARCwise: some providers send to one only",
        "Some senders deliver only to the first URI, so destinations after it may never get reports.",
        "Put the most important destination first and keep the list to one or two URIs.");

    public static readonly FindingDefinition RecordNoUsableRua = new(
        "tlsrpt.record.no-usable-rua", Severity.Error, "rua has no usable mailto: or https: URI",
        "RFC 8460 §3",
        "With no URI a sender can use, no reports are delivered at all.",
        "Add a valid mailto: or https: URI to rua.");

    public static readonly FindingDefinition RecordNone = new(
        "tlsrpt.record.none", Severity.Warning, "No TLS-RPT record",
        "RFC 8460 §3 (records not beginning with \"v=TLSRPTv1\" are discarded)",
        "Without a record, sending MTAs do not report TLS failures, so MTA-STS or DANE problems go unnoticed.",
        "Publish TXT _smtp._tls.<domain> \"v=TLSRPTv1; rua=mailto:tlsrpt@<domain>\".");

    public static readonly FindingDefinition RecordMultiple = new(
        "tlsrpt.record.multiple", Severity.Error, "More than one TLS-RPT record",
        "RFC 8460 §3 (exactly one record must remain after discarding others)",
        "With several v=TLSRPTv1 records senders treat TLS-RPT as not configured and send no reports.",
        "Merge them into one record: list every URI in a single rua=, separated by commas.");

    // ---- JSON report (RFC 8460 §4) ----

    public static readonly FindingDefinition ReportTooLarge = new(
        "tlsrpt.report.too-large", Severity.Error, "Report payload is too large",
        "RFC 8460 §5.2 (\"a commonly observed receiver limit is ten megabytes\"); Limits.TlsRptMaxCompressedBytes",
        "Larger payloads are refused to bound memory use; real reports are a few kilobytes.",
        "Check the input; if it is a real report, raise the limit in the front end.");

    public static readonly FindingDefinition ReportDecompressedTooLarge = new(
        "tlsrpt.report.decompressed-too-large", Severity.Error, "Report decompresses to more than the limit",
        "RFC 8460 §5.2; Limits.TlsRptMaxDecompressedBytes (a gzip bomb stops here)",
        "Decompression is stopped at the limit so that a small hostile archive cannot exhaust memory.",
        "Reject the report; real reports decompress to a few kilobytes.");

    public static readonly FindingDefinition ReportTooManyElements = new(
        "tlsrpt.report.too-many-elements", Severity.Error, "Report JSON has more elements than the limit",
        "Limits.TlsRptMaxJsonElements (JSON depth is capped separately by Limits.JsonMaxDepth)",
        "Millions of tokens in one report would make parsing and storing it cost far more than any real report; it is refused, not parsed.",
        "Reject the report; real reports hold a few hundred values. If a sender really sends this much, raise the limit.");

    public static readonly FindingDefinition ReportBadCompression = new(
        "tlsrpt.report.bad-compression", Severity.Error, "Compressed report is corrupt",
        "RFC 8460 §5.2 (gzip); RFC 1952; APPNOTE (zip)",
        "The payload starts like gzip or zip but cannot be decompressed, so the report cannot be read.",
        "Ask the sender to resend; keep the raw payload for a later attempt.");

    public static readonly FindingDefinition ReportZipNoJson = new(
        "tlsrpt.report.zip-no-json", Severity.Error, "Zip archive holds no .json report",
        "RFC 8460 §5.1 (file name ends in .json or .json.gz)",
        "No entry of the archive looks like a TLS-RPT report.",
        "Check the archive content.");

    public static readonly FindingDefinition ReportNotJson = new(
        "tlsrpt.report.not-json", Severity.Error, "Report is not valid JSON",
        "RFC 8460 §4.4 (I-JSON, RFC 7493)",
        "The payload cannot be parsed as JSON, so no data can be taken from it.",
        "Keep the raw payload and check whether it is a TLS-RPT report at all (DMARC reports are XML).");

    public static readonly FindingDefinition ReportNotObject = new(
        "tlsrpt.report.not-object", Severity.Error, "Report is not a JSON object",
        "RFC 8460 §4.4 (the report is one JSON object)",
        "A report must be an object with organization-name, date-range, report-id and policies.",
        "Check the input; it is not a TLS-RPT report.");

    public static readonly FindingDefinition ReportMissingPolicies = new(
        "tlsrpt.report.missing-policies", Severity.Error, "Report has no policies array",
        "RFC 8460 §4 (policies MUST be an array, even with a single policy)",
        "Without policies the report carries no session counts and cannot be used.",
        "Check the sender; the report is unusable.");

    public static readonly FindingDefinition ReportEmptyPolicies = new(
        "tlsrpt.report.empty-policies", Severity.Warning, "Report has an empty policies array",
        "RFC 8460 §4.4",
        "The report carries no session counts at all.",
        "Nothing to fix on the receiving side; the sender has nothing to report.");

    public static readonly FindingDefinition ReportMissingField = new(
        "tlsrpt.report.missing-field", Severity.Warning, "Report omits a required field",
        "RFC 8460 §4.4 (JSON report schema)",
        "A missing field leaves a gap in storage and dashboards; strict tools reject such reports.",
        "Nothing to fix on the receiving side; the value is treated as absent (counts as 0).");

    public static readonly FindingDefinition ReportMissingContactInfo = new(
        "tlsrpt.report.missing-contact-info", Severity.Warning, "Report has no contact-info",
        "RFC 8460 §4.4 (contact-info is required); notes Q6",
        "Without contact-info the sender cannot be contacted and TLS-Report-Submitter cannot be checked against it.",
        "Identify the sender by TLS-Report-Submitter or organization-name instead.");

    public static readonly FindingDefinition ReportMissingPolicyDomain = new(
        "tlsrpt.report.missing-policy-domain", Severity.Warning, "Policy has no policy-domain",
        "RFC 8460 §4.4 (policy-domain is required); notes Q5 (Postfix tlsrpt-reporter)",
        "The policy cannot be attributed to a domain from the body alone.",
        "Fall back to TLS-Report-Domain, the Subject or the file name's policy-domain.");

    public static readonly FindingDefinition ReportMissingPolicyString = new(
        "tlsrpt.report.missing-policy-string", Severity.Info, "sts or tlsa policy has no policy-string",
        "RFC 8460 §4.4; notes Q14 (omitted when the STS policy fetch failed)",
        "The policy the sender applied is unknown, so it cannot be compared with the published one.",
        "Nothing to fix on the receiving side; expected for sts-policy-fetch-error reports.");

    public static readonly FindingDefinition ReportWrongType = new(
        "tlsrpt.report.wrong-type", Severity.Warning, "Report field has the wrong JSON type",
        "RFC 8460 §4.4 (JSON report schema)",
        "The value cannot be used as sent, so it is ignored (kept in the raw JSON).",
        "Nothing to fix on the receiving side; tell the sender if it persists.");

    public static readonly FindingDefinition ReportDuplicateKey = new(
        "tlsrpt.report.duplicate-key", Severity.Warning, "JSON object repeats a key",
        "RFC 7493 §2.3 (I-JSON: names MUST be unique); RFC 8460 §4.4",
        "Parsers disagree on which duplicate wins; the first occurrence is used here.",
        "Nothing to fix on the receiving side.");

    public static readonly FindingDefinition ReportKeySpelling = new(
        "tlsrpt.report.key-spelling", Severity.Warning, "Report uses a value-type name as a JSON key",
        "RFC 8460 §4.4 (keys are mx-host and additional-information); notes Q1",
        "Tools that read only the RFC keys silently lose this data.",
        "Nothing to fix on the receiving side; the value is read under the RFC key.");

    public static readonly FindingDefinition ReportMxHostString = new(
        "tlsrpt.report.mx-host-string", Severity.Warning, "mx-host is a string, not an array",
        "RFC 8460 §4.4 with erratum EID 6241 (mx-host is an array of strings); notes Q2",
        "Parsers that expect an array (most, after the erratum) reject the report.",
        "Nothing to fix on the receiving side; the string is read as a one-element array.");

    public static readonly FindingDefinition ReportMxHostPrefix = new(
        "tlsrpt.report.mx-host-prefix", Severity.Warning, "mx-host value keeps the policy's \"mx: \" prefix",
        "RFC 8460 §4.4 (mx-host holds MX host patterns); notes Q2",
        "The prefix makes the value an invalid host pattern; it is stripped here.",
        "Nothing to fix on the receiving side.");

    public static readonly FindingDefinition ReportPolicyStringJson = new(
        "tlsrpt.report.policy-string-json", Severity.Warning, "policy-string is one string holding a JSON array",
        "RFC 8460 §4.5 (one array element per TLSA RR or policy line); notes Q3 (Microsoft)",
        "Tools that read the RFC form see one garbled TLSA record; it is unwrapped here.",
        "Nothing to fix on the receiving side.");

    public static readonly FindingDefinition ReportPolicyStringNotArray = new(
        "tlsrpt.report.policy-string-not-array", Severity.Warning, "policy-string is not an array",
        "RFC 8460 §4.4, §4.5 (array of strings); §4 overview is inconsistent (notes Q4)",
        "Parsers expecting an array reject the report; it is read as a one-element array here.",
        "Nothing to fix on the receiving side.");

    public static readonly FindingDefinition ReportUnknownPolicyType = new(
        "tlsrpt.report.unknown-policy-type", Severity.Warning, "Unknown policy-type",
        "RFC 8460 §4.4 (tlsa, sts, no-policy-found); notes Q12",
        "The policy cannot be classified; the raw value is kept.",
        "Nothing to fix on the receiving side; tell the sender if it persists.");

    public static readonly FindingDefinition ReportUnknownResultType = new(
        "tlsrpt.report.unknown-result-type", Severity.Warning, "Unknown result-type",
        "RFC 8460 §4.3, §6.6 (IANA STARTTLS Validation Result Types; the list may grow); notes Q12",
        "The failure cannot be classified; the raw value is kept.",
        "Check the IANA registry for new types; otherwise tell the sender.");

    public static readonly FindingDefinition ReportNumberAsString = new(
        "tlsrpt.report.number-as-string", Severity.Warning, "Count sent as a JSON string",
        "RFC 8460 §4.4 (integer, encoded as a JSON number); notes Q15",
        "Strict parsers reject it; the digits are accepted here.",
        "Nothing to fix on the receiving side.");

    public static readonly FindingDefinition ReportInvalidCount = new(
        "tlsrpt.report.invalid-count", Severity.Warning, "Count is not a non-negative integer",
        "RFC 8460 §4.4 (session counts are non-negative integers)",
        "The value cannot be counted and is treated as 0.",
        "Nothing to fix on the receiving side; tell the sender.");

    public static readonly FindingDefinition ReportCountsMismatch = new(
        "tlsrpt.report.counts-mismatch", Severity.Warning, "failure-details do not add up to total-failure-session-count",
        "RFC 8460 §4 (failure types are non-exclusive, counts may overlap); notes Q11",
        "Totals taken from details and from the summary disagree; the summary is what the sender reports.",
        "Use total-failure-session-count for totals and the details only for breakdowns.");

    public static readonly FindingDefinition ReportInvalidIp = new(
        "tlsrpt.report.invalid-ip", Severity.Warning, "IP address field is not an IP address",
        "RFC 8460 §4.4 (sending-mta-ip and receiving-ip are IPv4 or IPv6 addresses)",
        "The value cannot be stored or grouped as an address; it is kept as text.",
        "Nothing to fix on the receiving side.");

    public static readonly FindingDefinition ReportMissingEndpoint = new(
        "tlsrpt.report.missing-endpoint", Severity.Warning, "Failure detail has no sending-mta-ip, receiving-mx-hostname or receiving-ip",
        "RFC 8460 §4.4 (listed without \"optional\"); notes Q8 (Microsoft and Mail.ru policy fetch errors)",
        "The failure cannot be tied to an MX host or sending IP.",
        "Nothing to fix on the receiving side; expected for sts-policy-fetch-error.");

    public static readonly FindingDefinition ReportDateNoTimeZone = new(
        "tlsrpt.report.date-no-timezone", Severity.Warning, "date-time has no time zone",
        "RFC 8460 §4.4 (RFC 3339 §5.6 date-time requires an offset); notes Q9 (Microsoft, per mox)",
        "The instant is ambiguous; it is read as UTC.",
        "Nothing to fix on the receiving side.");

    public static readonly FindingDefinition ReportDateInvalid = new(
        "tlsrpt.report.date-invalid", Severity.Warning, "date-time is not an RFC 3339 date-time",
        "RFC 8460 §4.4 (RFC 3339 §5.6)",
        "The report cannot be placed in time; its date-range is left empty.",
        "Use the file name's timestamps or the receive time instead.");

    public static readonly FindingDefinition ReportDateRangeNotDay = new(
        "tlsrpt.report.date-range-not-day", Severity.Warning, "date-range is not one full UTC day",
        "RFC 8460 §4.1 (\"Report should be for a full UTC day, 0000-2400\")",
        "Daily aggregation double-counts or misses sessions when ranges are not whole UTC days.",
        "Bucket by the UTC date of start-datetime and keep both ends.");

    public static readonly FindingDefinition ReportUnknownField = new(
        "tlsrpt.report.unknown-field", Severity.Info, "Report has a field not in RFC 8460",
        "RFC 8460 §4.4",
        "The field is kept verbatim but not interpreted.",
        "Nothing to fix.");

    // ---- e-mail envelope (RFC 8460 §5.3, §5.6) ----

    public static readonly FindingDefinition MessageTooLarge = new(
        "tlsrpt.message.too-large", Severity.Error, "Report message is too large",
        "RFC 8460 §5.2; Limits.TlsRptMaxMessageBytes",
        "Larger messages are refused to bound memory use.",
        "Check the message; real report e-mails are a few tens of kilobytes.");

    public static readonly FindingDefinition MessageUnparseable = new(
        "tlsrpt.message.unparseable", Severity.Error, "Message is not a MIME message",
        "RFC 8460 §5.3 (RFC 5322 message, multipart/report)",
        "No report can be taken from a message that does not parse.",
        "Check the input.");

    public static readonly FindingDefinition MessageNoReport = new(
        "tlsrpt.message.no-report", Severity.Error, "Message holds no TLS-RPT report",
        "RFC 8460 §5.3 (application/tlsrpt+gzip or application/tlsrpt+json part)",
        "Nothing in the message looks like a TLS-RPT report.",
        "Check that the message is a TLS-RPT report (DMARC aggregate reports are XML).");

    public static readonly FindingDefinition MessageNotMultipartReport = new(
        "tlsrpt.message.not-multipart-report", Severity.Info, "Message is not multipart/report; report-type=tlsrpt",
        "RFC 8460 §5.3",
        "Filters that route reports by media type may miss this message.",
        "Nothing to fix on the receiving side.");

    public static readonly FindingDefinition MessageMediaType = new(
        "tlsrpt.message.media-type", Severity.Info, "Report part has an unregistered or mismatched media type",
        "RFC 8460 §5.3, §6.4–6.5 (application/tlsrpt+gzip, application/tlsrpt+json); notes Q21",
        "The label does not describe the content; the content was sniffed instead.",
        "Nothing to fix on the receiving side.");

    public static readonly FindingDefinition MessageMissingReportDomain = new(
        "tlsrpt.message.missing-report-domain", Severity.Warning, "Message has no TLS-Report-Domain header",
        "RFC 8460 §5.3 (MUST be included)",
        "The header lets receivers route and filter reports before parsing them.",
        "Nothing to fix on the receiving side; tell the sender.");

    public static readonly FindingDefinition MessageMissingReportSubmitter = new(
        "tlsrpt.message.missing-report-submitter", Severity.Warning, "Message has no TLS-Report-Submitter header",
        "RFC 8460 §5.3 (MUST be included)",
        "Without it the submitter cannot be checked against the report's contact-info.",
        "Nothing to fix on the receiving side; tell the sender.");

    public static readonly FindingDefinition MessageSubmitterMismatch = new(
        "tlsrpt.message.submitter-mismatch", Severity.Warning, "TLS-Report-Submitter does not match the contact-info domain",
        "RFC 8460 §5.3 (the submitter MUST match the domain of contact-info); notes Q19 (Mail.ru)",
        "A mismatch weakens the link between the DKIM-signed envelope and the report's author.",
        "Nothing to fix on the receiving side; identify the sender by the contact-info domain.");

    public static readonly FindingDefinition MessageReportDomainMismatch = new(
        "tlsrpt.message.report-domain-mismatch", Severity.Warning, "TLS-Report-Domain or Subject domain differs from the report's policy domains",
        "RFC 8460 §5.3, §5.6 (the report body is authoritative)",
        "Routing by header would file the report under the wrong domain.",
        "Use the policy-domain values from the report body.");

    public static readonly FindingDefinition MessageFileNameMismatch = new(
        "tlsrpt.message.filename-mismatch", Severity.Warning, "File name metadata differs from the report body",
        "RFC 8460 §5.1, §5.6 (the report body is authoritative)",
        "Indexing by file name would file the report under the wrong domain or day.",
        "Use the policy-domain and date-range from the report body.");

    public static readonly FindingDefinition MessageFileNameFormat = new(
        "tlsrpt.message.filename-format", Severity.Info, "Attachment file name does not follow the RFC 8460 pattern",
        "RFC 8460 §5.1 (sender!policy-domain!begin!end[!unique-id].json[.gz], RECOMMENDED)",
        "File-name based tools cannot index the report.",
        "Nothing to fix on the receiving side.");
}
