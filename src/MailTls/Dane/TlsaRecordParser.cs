using System.Globalization;
using MailTls.Findings;

namespace MailTls.Dane;

/// <summary>
/// Parses one TLSA record in presentation format (RFC 6698 §2.2): <c>usage selector mtype hex</c>, where the hex
/// may be split by whitespace and wrapped in zone-file parentheses, the three fields may be RFC 7218 acronyms
/// (<c>DANE-EE SPKI SHA2-256</c>), and a zone-file prefix <c>owner [ttl] [class] TLSA</c> is allowed. Also the
/// RFC 3597 generic form <c>\# length hex</c> (with or without <c>TYPE52</c>). <c>;</c> starts a comment.
/// Never throws for bad input; input is capped at <see cref="Limits.TlsaMaxTextChars"/>.
/// </summary>
public static class TlsaRecordParser
{
    private const string Subject = "TLSA record";

    /// <summary>Parses <paramref name="text"/>; see the type remarks for the accepted forms.</summary>
    public static TlsaParseResult Parse(string? text)
    {
        var findings = new List<Finding>();
        if (text?.Length > Limits.TlsaMaxTextChars)
        {
            findings.Add(DaneFindings.TooLarge.Create(Subject, $"The text is {text!.Length} characters; the limit is {Limits.TlsaMaxTextChars}."));
            return new TlsaParseResult(null, null, null, findings);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return Fail(findings, "The text is empty.");
        }

        var tokens = Tokenize(text, out var tokenError);
        if (tokenError is not null)
        {
            return Fail(findings, tokenError);
        }

        string? owner = null;
        uint? ttl = null;
        var typeIndex = tokens.FindIndex(t => t.Equals("TLSA", StringComparison.OrdinalIgnoreCase) || t.Equals("TYPE52", StringComparison.OrdinalIgnoreCase));
        if (typeIndex >= 0)
        {
            if (!ParsePrefix(tokens.GetRange(0, typeIndex), ref owner, ref ttl, out var prefixError))
            {
                return Fail(findings, prefixError!);
            }

            tokens = tokens.GetRange(typeIndex + 1, tokens.Count - typeIndex - 1);
            if (owner is not null && !TlsaOwner.LooksLikeTlsaOwner(owner))
            {
                findings.Add(DaneFindings.OwnerName.Create(owner, $"'{owner}' is not of the form _<port>._<protocol>.<host>."));
            }
        }

        if (tokens.Count == 0)
        {
            return Fail(findings, "The record has no RDATA.", owner, ttl);
        }

        var record = tokens[0] == "\\#" ? ParseGeneric(tokens, findings) : ParseFields(tokens, findings);
        return new TlsaParseResult(record, owner, ttl, findings);
    }

    private static TlsaRecord? ParseFields(List<string> tokens, List<Finding> findings)
    {
        if (tokens.Count < 4)
        {
            findings.Add(DaneFindings.Syntax.Create(Subject, $"Expected 'usage selector matching-type data' but found {tokens.Count} field(s)."));
            return null;
        }

        if (!TlsaMnemonics.TryParseUsage(tokens[0], out var usage) || !TlsaMnemonics.TryParseSelector(tokens[1], out var selector)
            || !TlsaMnemonics.TryParseMatchingType(tokens[2], out var matching))
        {
            findings.Add(DaneFindings.Syntax.Create(Subject, $"'{tokens[0]} {tokens[1]} {tokens[2]}' are not three numbers 0–255 or RFC 7218 acronyms."));
            return null;
        }

        var data = ParseHex(tokens, 3, findings);
        return data is null ? null : new TlsaRecord(usage, selector, matching, data);
    }

    private static TlsaRecord? ParseGeneric(List<string> tokens, List<Finding> findings)
    {
        if (tokens.Count < 3 || !int.TryParse(tokens[1], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            findings.Add(DaneFindings.Syntax.Create(Subject, "RFC 3597 generic RDATA must be '\\# <length> <hex>'."));
            return null;
        }

        var data = ParseHex(tokens, 2, findings);
        if (data is null)
        {
            return null;
        }

        if (data.Length != length)
        {
            findings.Add(DaneFindings.Syntax.Create(Subject, $"The generic RDATA length says {length} octets but {data.Length} follow."));
            return null;
        }

        if (data.Length < 3)
        {
            findings.Add(DaneFindings.Syntax.Create(Subject, "TLSA RDATA needs at least 3 octets (usage, selector, matching type)."));
            return null;
        }

        if (data.Length == 3)
        {
            // RFC 6698 §2.1.4 requires association data; a zero-length field can only come from the generic form.
            findings.Add(DaneFindings.Syntax.Create(Subject, "The certificate association data is empty."));
        }

        return new TlsaRecord(data[0], data[1], data[2], data.AsMemory(3));
    }

    private static byte[]? ParseHex(List<string> tokens, int start, List<Finding> findings)
    {
        var total = 0;
        for (var i = start; i < tokens.Count; i++)
        {
            total += tokens[i].Length;
        }

        if (total % 2 != 0)
        {
            findings.Add(DaneFindings.Syntax.Create(Subject, "The hex data has an odd number of digits."));
            return null;
        }

        if (total / 2 > Limits.TlsaMaxDataBytes + 3)
        {
            findings.Add(DaneFindings.TooLarge.Create(Subject, $"The data is {total / 2} octets; the limit is {Limits.TlsaMaxDataBytes}."));
            return null;
        }

        var bytes = new byte[total / 2];
        var pos = 0;
        int? high = null;
        for (var i = start; i < tokens.Count; i++)
        {
            foreach (var c in tokens[i])
            {
                var v = HexValue(c);
                if (v < 0)
                {
                    findings.Add(DaneFindings.Syntax.Create(Subject, $"'{tokens[i]}' is not hexadecimal."));
                    return null;
                }

                if (high is null)
                {
                    high = v;
                }
                else
                {
                    bytes[pos++] = (byte)((high.Value << 4) | v);
                    high = null;
                }
            }
        }

        if (bytes.Length - (start == 2 ? 3 : 0) > Limits.TlsaMaxDataBytes)
        {
            findings.Add(DaneFindings.TooLarge.Create(Subject, $"The data is {bytes.Length} octets; the limit is {Limits.TlsaMaxDataBytes}."));
            return null;
        }

        return bytes;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static bool ParsePrefix(List<string> prefix, ref string? owner, ref uint? ttl, out string? error)
    {
        error = null;
        foreach (var t in prefix)
        {
            if (t.Equals("IN", StringComparison.OrdinalIgnoreCase) || t.Equals("CLASS1", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (t.Length > 0 && char.IsAsciiDigit(t[0]) && ttl is null && uint.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                ttl = v;
                continue;
            }

            if (owner is null && ttl is null)
            {
                owner = t;
                continue;
            }

            error = $"Unexpected '{t}' before the record type.";
            return false;
        }

        return true;
    }

    private static List<string> Tokenize(string text, out string? error)
    {
        error = null;
        var tokens = new List<string>();
        var depth = 0;
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            var separator = char.IsWhiteSpace(c) || c is '(' or ')' or ';';
            if (!separator)
            {
                if (start < 0)
                {
                    start = i;
                }

                continue;
            }

            if (start >= 0)
            {
                tokens.Add(text[start..i]);
                start = -1;
            }

            if (c == ';')
            {
                // Comment to end of line; inside parentheses the record continues on the next line.
                while (i + 1 < text.Length && text[i + 1] != '\n')
                {
                    i++;
                }
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && --depth < 0)
            {
                error = "Unbalanced ')'.";
                return tokens;
            }
            else if (c == '\n' && depth == 0 && tokens.Count > 0 && HasMoreContent(text, i + 1))
            {
                error = "The text holds more than one line outside parentheses.";
                return tokens;
            }
        }

        if (depth != 0)
        {
            error = "Unbalanced '('.";
        }

        return tokens;
    }

    private static bool HasMoreContent(string text, int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] == ';')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (!char.IsWhiteSpace(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static TlsaParseResult Fail(List<Finding> findings, string message, string? owner = null, uint? ttl = null)
    {
        findings.Add(DaneFindings.Syntax.Create(Subject, message));
        return new TlsaParseResult(null, owner, ttl, findings);
    }
}
