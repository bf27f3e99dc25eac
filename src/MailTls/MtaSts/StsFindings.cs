using MailTls.Findings;

namespace MailTls.MtaSts;

/// <summary>
/// Finding codes of the MTA-STS core (RFC 8461): the <c>_mta-sts</c> TXT record (§3.1), the policy text (§3.2)
/// and MX host validation (§4.1). Codes are stable; messages on each finding say what and where.
/// </summary>
public static class StsFindings
{
    private const string TxtRule = "RFC 8461 §3.1";
    private const string PolicyRule = "RFC 8461 §3.2";

    private const string TxtFix = "Publish exactly one TXT record at _mta-sts.<domain> of the form \"v=STSv1; id=20260101T120000;\".";
    private const string PolicyFix = "Serve a policy of the form \"version: STSv1\\nmode: enforce\\nmx: mail.example.com\\nmax_age: 604800\\n\".";

    private const string TxtInvalidWhy = "Senders treat a domain whose only MTA-STS record is invalid as having no policy, so mail is not protected.";
    private const string PolicyInvalidWhy = "Senders discard an invalid policy and deliver as if the domain had no MTA-STS policy.";

    // ---- TXT record (§3.1) ----

    public static readonly FindingDefinition TxtInvalid = new(
        "sts.txt.invalid", Severity.Error, "The MTA-STS TXT record is not syntactically valid",
        TxtRule + " (sts-text-record ABNF)", TxtInvalidWhy,
        "Fix the record so it matches the ABNF: \"v=STSv1\" first, fields separated by \";\" (whitespace only around \";\"), at most one trailing \";\".");

    public static readonly FindingDefinition TxtBadVersion = new(
        "sts.txt.bad-version", Severity.Error, "The TXT record does not begin with v=STSv1",
        TxtRule + " (sts-version = %s\"v=STSv1\", case-sensitive, first field)", TxtInvalidWhy,
        "Start the record with exactly \"v=STSv1;\" (upper/lower case as shown).");

    public static readonly FindingDefinition TxtMissingId = new(
        "sts.txt.missing-id", Severity.Error, "The TXT record has no id field",
        TxtRule + " (the id field is REQUIRED)", TxtInvalidWhy,
        "Add \"id=<1-32 letters or digits>\", e.g. \"id=20260101T120000\", and change it whenever the policy changes.");

    public static readonly FindingDefinition TxtBadId = new(
        "sts.txt.bad-id", Severity.Error, "The TXT record id is not 1-32 letters or digits",
        TxtRule + " (sts-id = %s\"id=\" 1*32(ALPHA / DIGIT))", TxtInvalidWhy,
        "Use only ASCII letters and digits (no '-', '.', '_' or ':'), at most 32 of them, e.g. \"id=20260101T120000\".");

    public static readonly FindingDefinition TxtBadExtension = new(
        "sts.txt.bad-extension", Severity.Error, "An extension field of the TXT record is malformed",
        TxtRule + " (sts-extension = sts-ext-name \"=\" sts-ext-value)", TxtInvalidWhy,
        "Extension names are 1-32 letters, digits, '_', '-', '.' starting with a letter or digit; values are printable ASCII without '=', ';' or spaces. Remove the field if it is not needed.");

    public static readonly FindingDefinition TxtNonAscii = new(
        "sts.txt.non-ascii", Severity.Error, "The TXT record contains non-ASCII characters",
        TxtRule + " (records MUST be US-ASCII)", TxtInvalidWhy,
        "Remove every character outside US-ASCII from the record.");

    public static readonly FindingDefinition TxtTooLong = new(
        "sts.txt.too-long", Severity.Error, "The TXT record is implausibly long",
        TxtRule + " (size limit of this tool)", TxtInvalidWhy,
        "Publish the short record \"v=STSv1; id=...;\" only.");

    public static readonly FindingDefinition TxtDuplicateField = new(
        "sts.txt.duplicate-field", Severity.Warning, "A TXT record field appears more than once",
        PolicyRule + " (last paragraph: for TXT records and policies, all but the first of a duplicated field SHALL be ignored)",
        "Senders use only the first occurrence, and some (mox) reject the whole record, so the later value is at best ignored.",
        "Keep one occurrence of each field.");

    public static readonly FindingDefinition TxtWhitespaceBeforeDelimiter = new(
        "sts.txt.whitespace-before-delimiter", Severity.Warning, "Whitespace between v=STSv1 and the first ';'",
        TxtRule + " (sts-field-delim = *WSP \";\" *WSP; erratum 6285)",
        "The ABNF allows it, but the prose says records not beginning with \"v=STSv1;\" are discarded, so a literal-minded sender ignores the record.",
        "Write \"v=STSv1;\" with no space before the ';'.");

    public static readonly FindingDefinition TxtUnknownKeyTypo = new(
        "sts.txt.unknown-key-typo", Severity.Warning, "An unknown TXT field looks like a misspelt known field",
        TxtRule + " (field names are case-sensitive; unknown fields are ignored)",
        "A misspelt field is silently ignored by senders, so the value it was meant to carry has no effect.",
        "Spell the field exactly as the RFC does: \"v\" and \"id\" in lower case.");

    public static readonly FindingDefinition TxtNoRecord = new(
        "sts.txt.no-record", Severity.Warning, "No MTA-STS TXT record",
        TxtRule + " (records not beginning with \"v=STSv1;\" are discarded)",
        "Without a record at _mta-sts.<domain> senders never fetch a policy, so mail to the domain is not protected by MTA-STS.",
        "Publish \"v=STSv1; id=<id>;\" at _mta-sts.<domain> and serve the policy at https://mta-sts.<domain>/.well-known/mta-sts.txt.");

    public static readonly FindingDefinition TxtMultipleRecords = new(
        "sts.txt.multiple-records", Severity.Error, "More than one MTA-STS TXT record",
        TxtRule + " (if the number of records is not exactly one, senders MUST assume there is no policy)",
        "Senders ignore all of them and treat the domain as having no policy.",
        "Delete all but one record beginning with \"v=STSv1\".");

    public static readonly FindingDefinition TxtDiscardedRecord = new(
        "sts.txt.discarded-record", Severity.Warning, "A TXT record looks like MTA-STS but senders discard it",
        TxtRule + " (records not beginning with \"v=STSv1;\" are discarded)",
        "A record that is meant to be the MTA-STS record but does not start exactly with \"v=STSv1;\" is ignored by senders.",
        "Start the record with exactly \"v=STSv1;\".");

    public static readonly FindingDefinition TxtTemporaryFailure = new(
        "sts.txt.dns-temporary", Severity.Error, "The MTA-STS TXT lookup failed temporarily",
        TxtRule + " (SERVFAIL or timeout is not proof that no policy exists)",
        "Senders that cannot read the record fall back to a cached policy or to no policy; repeated failures weaken protection.",
        "Check that the authoritative servers for _mta-sts.<domain> answer (and, if signed, that DNSSEC validates).");

    // ---- Policy text (§3.2) ----

    public static readonly FindingDefinition PolicySyntax = new(
        "sts.policy.syntax", Severity.Error, "A policy line is not a valid \"key: value\" field",
        PolicyRule + " (sts-policy-field = name \":\" *WSP value)", PolicyInvalidWhy,
        "Write each line as \"key: value\" with the key at the start of the line and no space before ':'.");

    public static readonly FindingDefinition PolicyBlankLine = new(
        "sts.policy.blank-line", Severity.Error, "The policy contains an empty line",
        PolicyRule + " (no empty lines; at most one final line break)", PolicyInvalidWhy,
        "Remove empty lines, including extra line breaks at the end of the file.");

    public static readonly FindingDefinition PolicyBareCr = new(
        "sts.policy.bare-cr", Severity.Error, "The policy contains a CR not followed by LF",
        PolicyRule + " (sts-policy-term = LF / CRLF; erratum 6253)", PolicyInvalidWhy,
        "Use LF or CRLF line endings (not old Mac-style CR) and no CR inside values.");

    public static readonly FindingDefinition PolicyBom = new(
        "sts.policy.bom", Severity.Error, "The policy starts with a UTF-8 byte order mark",
        PolicyRule + " (the first field name must begin with ALPHA / DIGIT)", PolicyInvalidWhy,
        "Save the file as UTF-8 without BOM (or plain ASCII).");

    public static readonly FindingDefinition PolicyTooLarge = new(
        "sts.policy.too-large", Severity.Error, "The policy is larger than 64 KiB",
        "RFC 8461 §3.3 (senders MAY cap the body; 64 KB is suggested)",
        "Senders stop reading after 64 KiB and treat the policy as invalid.",
        "Serve only the policy fields; a real policy is a few hundred bytes.");

    public static readonly FindingDefinition PolicyInvalidUtf8 = new(
        "sts.policy.invalid-utf8", Severity.Error, "The policy is not valid UTF-8",
        PolicyRule + " (policy text is US-ASCII with UTF-8 only in extension values)", PolicyInvalidWhy,
        "Save the policy as UTF-8 (or plain ASCII).");

    public static readonly FindingDefinition PolicyMissingVersion = new(
        "sts.policy.missing-version", Severity.Error, "The policy has no version field",
        PolicyRule + " (version is REQUIRED)", PolicyInvalidWhy, "Add the line \"version: STSv1\".");

    public static readonly FindingDefinition PolicyBadVersion = new(
        "sts.policy.bad-version", Severity.Error, "The policy version is not STSv1",
        PolicyRule + " (sts-policy-version-value = %s\"STSv1\", case-sensitive)", PolicyInvalidWhy,
        "Write exactly \"version: STSv1\".");

    public static readonly FindingDefinition PolicyMissingMode = new(
        "sts.policy.missing-mode", Severity.Error, "The policy has no mode field",
        PolicyRule + " (mode is REQUIRED)", PolicyInvalidWhy, "Add \"mode: testing\" (to observe) or \"mode: enforce\".");

    public static readonly FindingDefinition PolicyBadMode = new(
        "sts.policy.bad-mode", Severity.Error, "The policy mode is not none, testing or enforce",
        PolicyRule + " (sts-policy-mode-value = %s\"testing\" / %s\"enforce\" / %s\"none\", case-sensitive)", PolicyInvalidWhy,
        "Use one of the lower-case values: none, testing, enforce.");

    public static readonly FindingDefinition PolicyMissingMaxAge = new(
        "sts.policy.missing-max-age", Severity.Error, "The policy has no max_age field",
        PolicyRule + " (max_age is REQUIRED)", PolicyInvalidWhy, "Add \"max_age: 604800\" (one week) or longer.");

    public static readonly FindingDefinition PolicyBadMaxAge = new(
        "sts.policy.bad-max-age", Severity.Error, "The policy max_age is not a number from 0 to 31557600",
        PolicyRule + " (sts-policy-max-age-value = 1*10(DIGIT), at most 31557600)", PolicyInvalidWhy,
        "Use plain decimal seconds without sign or unit, at most 31557600, e.g. \"max_age: 1209600\".");

    public static readonly FindingDefinition PolicyMissingMx = new(
        "sts.policy.missing-mx", Severity.Error, "The policy has no mx field",
        PolicyRule + " (mx is REQUIRED unless mode is none)", PolicyInvalidWhy,
        "Add one \"mx: <host or *.domain>\" line for every MX host of the domain.");

    public static readonly FindingDefinition PolicyBadMx = new(
        "sts.policy.bad-mx", Severity.Error, "An mx value is not a host name or a *.domain pattern",
        PolicyRule + " (sts-policy-mx-value = [\"*.\"] Domain, RFC 5321 Domain in A-label form)", PolicyInvalidWhy,
        "Write the MX host name in lower-case A-label (Punycode) form without trailing dot, or \"*.\" followed by a domain.");

    public static readonly FindingDefinition PolicyDuplicateField = new(
        "sts.policy.duplicate-field", Severity.Warning, "A policy field appears more than once",
        PolicyRule + " (all but the first of a non-repeated field SHALL be ignored)",
        "Senders use only the first value (and some, like mox, reject the policy), so the later line has no effect.",
        "Keep one line per field (only mx may repeat).");

    public static readonly FindingDefinition PolicyUnknownKeyTypo = new(
        "sts.policy.unknown-key-typo", Severity.Warning, "An unknown policy key looks like a misspelt known key",
        PolicyRule + " (keys are case-sensitive; unknown keys are ignored)",
        "Senders silently ignore the misspelt line, so the value it was meant to carry has no effect.",
        "Spell the key exactly: version, mode, mx, max_age (lower case, underscore in max_age).");

    public static readonly FindingDefinition PolicyBadExtension = new(
        "sts.policy.bad-extension", Severity.Error, "An extension line of the policy is malformed",
        PolicyRule + " (sts-policy-extension: name of 1-32 ALPHA/DIGIT/_/-/., value of printable characters with inner spaces only)",
        PolicyInvalidWhy, "Fix or remove the extension line; values must be non-empty and contain no tabs or control characters.");

    public static readonly FindingDefinition PolicyMaxAgeShort = new(
        "sts.policy.max-age-short", Severity.Warning, "max_age is shorter than one day",
        PolicyRule + " (max_age values are expected to be weeks or greater)",
        "A short max_age makes the cached policy expire quickly, so an attacker who blocks policy discovery for a short while downgrades the domain to no policy.",
        "Use at least one week (604800); two weeks or more for enforce.");

    public static readonly FindingDefinition PolicyMaxAgeBelowWeek = new(
        "sts.policy.max-age-below-week", Severity.Warning, "max_age is shorter than one week",
        PolicyRule + " (max_age values are expected to be weeks or greater)",
        "The RFC expects weeks; a cached policy that expires within days gives little protection against blocked discovery.",
        "Use at least one week (604800); two weeks (1209600) or more once enforce works.");

    public static readonly FindingDefinition PolicyMxIpLiteral = new(
        "sts.policy.mx-ip-literal", Severity.Warning, "An mx pattern is an IP address, not a host name",
        PolicyRule + " (mx values are MX host names; RFC 8461 §4.1 matches MX host names)",
        "MX records name hosts, not addresses, so an IP-literal pattern never matches; some senders (postfix-tlspol) reject the policy.",
        "List the MX host names (as in the MX records), not their addresses.");

    public static readonly FindingDefinition PolicyMixedLineEndings = new(
        "sts.policy.mixed-line-endings", Severity.Warning, "The policy mixes CRLF and LF line endings",
        PolicyRule + " (sts-policy-term = LF / CRLF)",
        "It is valid, but it usually means the file was edited with different tools; some lenient parsers split lines differently.",
        "Use LF line endings throughout.");

    public static readonly FindingDefinition PolicyModeNone = new(
        "sts.policy.mode-none", Severity.Warning, "The policy mode is none",
        "RFC 8461 §5 (mode none: senders apply no MTA-STS protection) and §8.3 (removing MTA-STS)",
        "mode none tells senders to stop applying MTA-STS, so mail to the domain has no protection against downgrade attacks.",
        "Use \"mode: testing\" to observe or \"mode: enforce\" to protect; keep none only while withdrawing MTA-STS.");

    public static readonly FindingDefinition PolicyModeTesting = new(
        "sts.policy.mode-testing", Severity.Info, "The policy mode is testing",
        "RFC 8461 §5 (testing: failures are reported via TLS-RPT but mail is still delivered)",
        "In testing mode senders report TLS failures but still deliver over unauthenticated or plaintext connections.",
        "Once TLS-RPT reports show no failures, switch to \"mode: enforce\".");

    public static readonly FindingDefinition PolicyBroadWildcard = new(
        "sts.policy.broad-wildcard", Severity.Warning, "An mx wildcard covers a whole top-level domain",
        "RFC 8461 §4.1 (mx patterns authorise MX hosts)",
        "A pattern such as *.com authorises any host name directly under the TLD, which defeats the point of listing the MX hosts.",
        "List the exact MX host names, or a wildcard under your own domain such as *.mail.example.com.");

    public static readonly FindingDefinition PolicyTooManyFindings = new(
        "sts.policy.too-many-findings", Severity.Info, "Further findings about this policy were not reported",
        PolicyRule, "A badly broken policy yields many findings; the first ones show what is wrong.",
        "Fix the reported problems and check again.");

    // ---- MX validation (§4.1) ----

    public static readonly FindingDefinition MxNotCovered = new(
        "sts.mx.not-covered", Severity.Error, "An MX host is not matched by any mx pattern of the policy",
        "RFC 8461 §4.1 (senders MUST check that the MX host matches at least one mx pattern)",
        "Under enforce, senders refuse to deliver to this MX host; under testing they report a validation failure.",
        "Add an \"mx:\" line for this host (or a *.domain pattern covering it) to the policy, and change the TXT id.");
}
