using MailTls.Dns;
using MailTls.Findings;
namespace MailTls.MtaSts;

/// <summary>
/// Strict parser for one MTA-STS TXT record (RFC 8461 §3.1, RFC 7405 case-sensitive literals):
/// <c>sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]</c>, with
/// <c>sts-field-delim = *WSP ";" *WSP</c>, <c>sts-id = %s"id=" 1*32(ALPHA / DIGIT)</c>, US-ASCII only.
/// Duplicated fields: the first wins (§3.2 last paragraph covers TXT records too); the later ones are
/// reported. Whitespace before the first ';' is valid but warned about (erratum 6285).
/// </summary>
public static class StsRecordParser
{
    internal const string Subject = "_mta-sts TXT record";
    private const string Version = "v=STSv1";

    /// <summary>Parses <paramref name="text"/> (the RR's character-strings concatenated without spaces).</summary>
    public static StsRecordParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<Finding>();
        var record = ParseCore(text, findings);
        return new StsRecordParseResult(record, findings);
    }

    private static StsRecord? ParseCore(string text, List<Finding> findings)
    {
        if (text.Length > Limits.TxtRecordMaxChars)
        {
            findings.Add(StsFindings.TxtTooLong.Create(Subject, $"The record has {text.Length} characters; more than {Limits.TxtRecordMaxChars} is not accepted.",
                FindingList.Evidence(("length", text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
            return null;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > 0x7F)
            {
                findings.Add(At(StsFindings.TxtNonAscii, text, i, null,
                    $"The record contains the non-ASCII character {TxtFieldGrammar.Describe(text[i])} at position {i + 1}; TXT records MUST be US-ASCII."));
                return null;
            }
        }

        if (!CheckVersion(text, findings))
        {
            return null;
        }

        var n = text.Length;
        var pos = Version.Length;
        var first = true;
        var fieldCount = 0;
        string? id = null;
        var extensions = new List<StsExtension>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var typoHint = false;
        while (true)
        {
            var delimStart = pos;
            while (pos < n && TxtFieldGrammar.IsWsp(text[pos]))
            {
                pos++;
            }

            if (pos == n)
            {
                if (pos > delimStart)
                {
                    findings.Add(At(StsFindings.TxtInvalid, text, delimStart, null,
                        $"Trailing whitespace at position {delimStart + 1} is not followed by ';': whitespace is allowed only around a ';' delimiter."));
                    return null;
                }

                break;
            }

            if (text[pos] != ';')
            {
                var message = first
                    ? $"Expected ';' after \"v=STSv1\" but found {TxtFieldGrammar.Describe(text[pos])} at position {pos + 1}: fields are separated by ';'."
                    : $"Unexpected {TxtFieldGrammar.Describe(text[pos])} at position {pos + 1}: fields are separated by ';' and whitespace is allowed only around ';' (not inside a field).";
                findings.Add(At(StsFindings.TxtInvalid, text, pos, null, message));
                return null;
            }

            if (first && pos > delimStart)
            {
                findings.Add(At(StsFindings.TxtWhitespaceBeforeDelimiter, text, delimStart, "v",
                    $"Whitespace at position {delimStart + 1} between \"v=STSv1\" and ';': valid per the ABNF, but senders reading the prose (\"records that do not begin with v=STSv1;\") discard the record."));
            }

            pos++;
            while (pos < n && TxtFieldGrammar.IsWsp(text[pos]))
            {
                pos++;
            }

            if (pos == n)
            {
                break;
            }

            if (text[pos] == ';')
            {
                findings.Add(At(StsFindings.TxtInvalid, text, pos, null,
                    $"Two ';' delimiters in a row at position {pos + 1}: only one optional trailing ';' is allowed and fields cannot be empty."));
                return null;
            }

            var nameStart = pos;
            while (pos < n && text[pos] != '=' && text[pos] != ';' && !TxtFieldGrammar.IsWsp(text[pos]))
            {
                pos++;
            }

            var name = text[nameStart..pos];
            if (pos == n || text[pos] != '=')
            {
                findings.Add(At(StsFindings.TxtInvalid, text, nameStart, name,
                    $"The field \"{StsSyntax.Clip(name, 40)}\" at position {nameStart + 1} has no '=': every field is name=value."));
                return null;
            }

            var nameError = TxtFieldGrammar.CheckExtName(name);
            if (nameError is not null)
            {
                findings.Add(At(StsFindings.TxtBadExtension, text, nameStart, name,
                    $"Invalid field name \"{StsSyntax.Clip(name, 40)}\" at position {nameStart + 1}: {nameError}."));
                return null;
            }

            pos++;
            var valueStart = pos;
            while (pos < n && text[pos] != ';' && !TxtFieldGrammar.IsWsp(text[pos]))
            {
                pos++;
            }

            var value = text[valueStart..pos];
            fieldCount++;
            first = false;
            if (name == "id" && id is null)
            {
                var idError = CheckId(value, valueStart, out var idErrorAt);
                if (idError is not null)
                {
                    findings.Add(At(StsFindings.TxtBadId, text, idErrorAt, name, idError));
                    return null;
                }

                id = value;
                continue;
            }

            var valueError = CheckExtValue(value, valueStart, out var valueErrorAt);
            if (valueError is not null)
            {
                findings.Add(At(StsFindings.TxtBadExtension, text, valueErrorAt, name, $"The value of field \"{name}\" {valueError}."));
                return null;
            }

            if (name is "id" or "v" || !seen.Add(name))
            {
                findings.Add(At(StsFindings.TxtDuplicateField, text, nameStart, name,
                    $"The field \"{name}\" appears again at position {nameStart + 1}; only the first occurrence counts, \"{StsSyntax.Clip(name + "=" + value, 60)}\" is ignored."));
                continue;
            }

            if (string.Equals(name, "id", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "v", StringComparison.OrdinalIgnoreCase))
            {
                typoHint |= string.Equals(name, "id", StringComparison.OrdinalIgnoreCase);
                findings.Add(At(StsFindings.TxtUnknownKeyTypo, text, nameStart, name,
                    $"The field \"{name}\" at position {nameStart + 1} is not \"{name.ToLowerInvariant()}\": field names are case-sensitive, so senders treat it as an unknown extension and ignore it."));
            }

            extensions.Add(new StsExtension(name, value));
        }

        if (id is null)
        {
            var message = fieldCount == 0
                ? "The record has no field after \"v=STSv1\"; the id field is required."
                : typoHint ? "The record has no \"id\" field (\"ID\" and other spellings do not count); the id field is required."
                : "The record has no \"id\" field; it is required.";
            findings.Add(StsFindings.TxtMissingId.Create(Subject, message, FindingList.Evidence(("record", StsSyntax.Clip(text)))));
            return null;
        }

        return new StsRecord(id, extensions, text);
    }

    private static bool CheckVersion(string text, List<Finding> findings)
    {
        if (text.StartsWith(Version, StringComparison.Ordinal))
        {
            var end = Version.Length;
            if (end == text.Length || text[end] == ';' || TxtFieldGrammar.IsWsp(text[end]))
            {
                return true;
            }

            var tokenEnd = end;
            while (tokenEnd < text.Length && text[tokenEnd] != ';' && !TxtFieldGrammar.IsWsp(text[tokenEnd]))
            {
                tokenEnd++;
            }

            findings.Add(At(StsFindings.TxtBadVersion, text, 0, "v",
                $"The version field is \"{StsSyntax.Clip(text[..tokenEnd], 40)}\", not \"v=STSv1\" (only version STSv1 exists)."));
            return false;
        }

        string message;
        if (text.Length == 0)
        {
            message = "The record is empty; it must begin with \"v=STSv1\".";
        }
        else if (text.StartsWith(Version, StringComparison.OrdinalIgnoreCase))
        {
            message = $"The record begins with \"{text[..Version.Length]}\": \"v=STSv1\" is case-sensitive.";
        }
        else if (text.StartsWith("v=STSv", StringComparison.Ordinal))
        {
            var tokenEnd = 0;
            while (tokenEnd < text.Length && text[tokenEnd] != ';' && !TxtFieldGrammar.IsWsp(text[tokenEnd]))
            {
                tokenEnd++;
            }

            message = $"The version field is \"{StsSyntax.Clip(text[..tokenEnd], 40)}\", not \"v=STSv1\" (only version STSv1 exists).";
        }
        else if (text.Contains(Version, StringComparison.Ordinal))
        {
            message = $"\"v=STSv1\" appears at position {text.IndexOf(Version, StringComparison.Ordinal) + 1}, but it MUST be the first field of the record.";
        }
        else
        {
            message = $"The record must begin with \"v=STSv1\"; it begins with \"{StsSyntax.Clip(text, 20)}\".";
        }

        findings.Add(At(StsFindings.TxtBadVersion, text, 0, "v", message));
        return false;
    }

    private static string? CheckId(string value, int valueStart, out int errorAt)
    {
        errorAt = valueStart;
        if (value.Length == 0)
        {
            return $"The id at position {valueStart + 1} is empty; it must be 1 to 32 letters or digits.";
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (!TxtFieldGrammar.IsAlphaDigit(value[i]))
            {
                errorAt = valueStart + i;
                return $"The id \"{StsSyntax.Clip(value, 40)}\" contains {TxtFieldGrammar.Describe(value[i])} at position {valueStart + i + 1}; only letters and digits are allowed.";
            }
        }

        return value.Length > 32 ? $"The id \"{StsSyntax.Clip(value, 40)}\" has {value.Length} characters; at most 32 are allowed." : null;
    }

    /// <summary><c>sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)</c>: printable ASCII except '=' and ';'.</summary>
    private static string? CheckExtValue(string value, int valueStart, out int errorAt)
    {
        errorAt = valueStart;
        if (value.Length == 0)
        {
            return $"at position {valueStart + 1} is empty; a value needs at least one character";
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (!TxtFieldGrammar.IsExtValueChar(c))
            {
                errorAt = valueStart + i;
                return $"contains {TxtFieldGrammar.Describe(c)} at position {valueStart + i + 1}; only printable ASCII other than '=', ';' and space is allowed";
            }
        }

        return null;
    }

    private static Finding At(FindingDefinition definition, string text, int index, string? field, string message) =>
        definition.Create(Subject, message, FindingList.Evidence(
            ("record", StsSyntax.Clip(text)),
            ("position", (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("field", field)));
}
