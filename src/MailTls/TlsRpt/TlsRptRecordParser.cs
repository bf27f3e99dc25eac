using MailTls.Dns;
using MailTls.Findings;

namespace MailTls.TlsRpt;

/// <summary>
/// Parses a TLS-RPT TXT record (RFC 8460 §3):
/// <code>
/// tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
/// field-delim   = *WSP ";" *WSP
/// tlsrpt-rua    = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
/// </code>
/// The version must come first and is case-sensitive; duplicate fields keep the first occurrence (as RFC 8461
/// §3.2); unknown fields are kept as extensions. Never throws for bad input.
/// </summary>
public static class TlsRptRecordParser
{
    private const string Subject = "TLS-RPT record";

    public static TlsRptRecordParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<Finding>();
        if (text.Length > Limits.TxtRecordMaxChars)
        {
            findings.Add(TlsRptFindings.RecordTooLong.Create(Subject,
                $"The record is {text.Length} characters long; the limit is {Limits.TxtRecordMaxChars}.",
                FindingList.Evidence(("length", text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
            return new TlsRptRecordParseResult(null, findings);
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > '\x7F')
            {
                findings.Add(TlsRptFindings.RecordNonAscii.Create(Subject,
                    $"Character U+{(int)text[i]:X4} at offset {i} is not US-ASCII.",
                    FindingList.Evidence(("record", text), ("offset", i.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
                return new TlsRptRecordParseResult(null, findings);
            }
        }

        if (!text.StartsWith(TlsRptGrammar.Version, StringComparison.Ordinal)
            || (text.Length > TlsRptGrammar.Version.Length && !TxtFieldGrammar.IsWsp(text[TlsRptGrammar.Version.Length]) && text[TlsRptGrammar.Version.Length] != ';'))
        {
            var hint = text.StartsWith(TlsRptGrammar.Version, StringComparison.OrdinalIgnoreCase)
                ? " The version tag is case-sensitive."
                : string.Empty;
            findings.Add(TlsRptFindings.RecordVersion.Create(Subject,
                "The record does not begin with \"v=TLSRPTv1\"." + hint, FindingList.Evidence(("record", text))));
            return new TlsRptRecordParseResult(null, findings);
        }

        var fields = SplitFields(text, findings);
        List<Uri>? rua = null;
        var extensions = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            var eq = field.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                findings.Add(TlsRptFindings.RecordSyntax.Create(Subject,
                    $"Field \"{field}\" is not name=value.", FindingList.Evidence(("record", text), ("field", field))));
                continue;
            }

            var name = field[..eq];
            var value = field[(eq + 1)..];
            if (!TlsRptGrammar.IsExtName(name))
            {
                findings.Add(TlsRptFindings.RecordSyntax.Create(Subject,
                    $"\"{name}\" is not a valid field name.", FindingList.Evidence(("record", text), ("field", field))));
                continue;
            }

            if (!seen.Add(name))
            {
                findings.Add(TlsRptFindings.RecordDuplicateField.Create(Subject,
                    $"Field \"{name}\" appears more than once; the first occurrence is used.",
                    FindingList.Evidence(("record", text), ("field", field))));
                continue;
            }

            if (name == "rua")
            {
                rua = ParseRua(value, text, findings);
            }
            else if (name == "v")
            {
                findings.Add(TlsRptFindings.RecordSyntax.Create(Subject,
                    "The version field appears again after the first field.", FindingList.Evidence(("record", text), ("field", field))));
            }
            else if (!TlsRptGrammar.IsExtValue(value))
            {
                findings.Add(TlsRptFindings.RecordSyntax.Create(Subject,
                    $"The value of \"{name}\" is empty or contains a space, \"=\" or a control character.",
                    FindingList.Evidence(("record", text), ("field", field))));
            }
            else
            {
                extensions.Add(new(name, value));
            }
        }

        if (rua is null)
        {
            var caseHint = extensions.Any(e => string.Equals(e.Key, "rua", StringComparison.OrdinalIgnoreCase))
                ? " A field named \"" + extensions.First(e => string.Equals(e.Key, "rua", StringComparison.OrdinalIgnoreCase)).Key + "\" is present, but the name is case-sensitive."
                : string.Empty;
            findings.Add(TlsRptFindings.RecordMissingRua.Create(Subject, "The record has no rua= field." + caseHint,
                FindingList.Evidence(("record", text))));
            return new TlsRptRecordParseResult(null, findings);
        }

        return new TlsRptRecordParseResult(new TlsRptRecord(rua, extensions, text), findings);
    }

    /// <summary>Splits the text after the version into fields, reporting delimiter errors.</summary>
    private static List<string> SplitFields(string text, List<Finding> findings)
    {
        var fields = new List<string>();
        var i = TlsRptGrammar.Version.Length;
        var n = text.Length;
        while (true)
        {
            // field-delim = *WSP ";" *WSP
            var start = i;
            while (i < n && TxtFieldGrammar.IsWsp(text[i]))
            {
                i++;
            }

            if (i >= n)
            {
                if (i > start)
                {
                    findings.Add(TlsRptFindings.RecordSyntax.Create(Subject,
                        "Trailing whitespace without a \";\" is not allowed.", FindingList.Evidence(("record", text))));
                }

                if (fields.Count == 0)
                {
                    findings.Add(TlsRptFindings.RecordSyntax.Create(Subject,
                        "The version must be followed by \";\" and at least one field.", FindingList.Evidence(("record", text))));
                }

                return fields;
            }

            if (text[i] != ';')
            {
                // Only reachable after a field that ended in whitespace followed by more text.
                findings.Add(TlsRptFindings.RecordSyntax.Create(Subject,
                    $"Expected \";\" at offset {i}.", FindingList.Evidence(("record", text))));
                return fields;
            }

            i++;
            while (i < n && TxtFieldGrammar.IsWsp(text[i]))
            {
                i++;
            }

            if (i >= n)
            {
                // One optional trailing delimiter.
                if (fields.Count == 0)
                {
                    findings.Add(TlsRptFindings.RecordSyntax.Create(Subject,
                        "The record has no fields after the version.", FindingList.Evidence(("record", text))));
                }

                return fields;
            }

            var end = text.IndexOf(';', i);
            if (end < 0)
            {
                end = n;
            }

            var fieldEnd = end;
            while (fieldEnd > i && TxtFieldGrammar.IsWsp(text[fieldEnd - 1]))
            {
                fieldEnd--;
            }

            if (fieldEnd == i)
            {
                findings.Add(TlsRptFindings.RecordSyntax.Create(Subject,
                    $"Empty field at offset {i} (\";;\" is not allowed).", FindingList.Evidence(("record", text))));
                i = end;
                if (i >= n)
                {
                    return fields;
                }

                continue;
            }

            fields.Add(text[i..fieldEnd]);
            i = fieldEnd;
        }
    }

    private static List<Uri> ParseRua(string value, string record, List<Finding> findings)
    {
        var result = new List<Uri>();
        var usable = 0;
        var parts = value.Split(',');
        foreach (var raw in parts)
        {
            var part = raw.Trim(' ', '\t');
            var uri = RuaUri.Validate(part, record, findings);
            if (uri is null)
            {
                continue;
            }

            if (result.Any(u => string.Equals(u.OriginalString, uri.OriginalString, StringComparison.OrdinalIgnoreCase)))
            {
                findings.Add(TlsRptFindings.RecordRuaDuplicate.Create(Subject, $"\"{part}\" is listed more than once.",
                    FindingList.Evidence(("record", record), ("uri", part))));
                continue;
            }

            result.Add(uri);
            if (uri.Scheme is "mailto" or "https")
            {
                usable++;
            }
        }

        if (usable == 0)
        {
            findings.Add(TlsRptFindings.RecordNoUsableRua.Create(Subject, "rua has no valid mailto: or https: URI.",
                FindingList.Evidence(("record", record), ("rua", value))));
        }
        else if (result.Count > 2)
        {
            findings.Add(TlsRptFindings.RecordRuaMany.Create(Subject,
                $"rua lists {result.Count} URIs; some senders deliver only to the first.",
                FindingList.Evidence(("record", record), ("rua", value))));
        }

        return result;
    }
}
