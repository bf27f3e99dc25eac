namespace MailTls.Dns;

/// <summary>
/// The <c>key=value</c> field grammar that the MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3) TXT records
/// share: <c>*WSP ";" *WSP</c> delimiters, extension names and values, and the "begins with the version" candidate
/// rule. One implementation, used by both record parsers and selectors (and by the MTA-STS policy's extension names).
/// </summary>
internal static class TxtFieldGrammar
{
    /// <summary><c>(ALPHA / DIGIT) *31(...)</c>: extension names have at most 32 characters.</summary>
    public const int ExtNameMaxLength = 32;

    /// <summary>RFC 5234 WSP: space or horizontal tab.</summary>
    public static bool IsWsp(char c) => c is ' ' or '\t';

    /// <summary>ASCII ALPHA / DIGIT.</summary>
    public static bool IsAlphaDigit(char c) => char.IsAsciiLetterOrDigit(c);

    /// <summary>
    /// <c>ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")</c> (sts-ext-name, tlsrpt-ext-name,
    /// sts-policy-ext-name); returns why <paramref name="name"/> is not one, or null when it is.
    /// </summary>
    public static string? CheckExtName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return "the field name is empty";
        }

        if (!IsAlphaDigit(name[0]))
        {
            return $"the field name must start with a letter or digit, not {Describe(name[0])}";
        }

        for (var i = 1; i < name.Length; i++)
        {
            var c = name[i];
            if (!IsAlphaDigit(c) && c is not ('_' or '-' or '.'))
            {
                return $"the field name contains {Describe(c)} at offset {i + 1}; only letters, digits, '_', '-' and '.' are allowed";
            }
        }

        return name.Length > ExtNameMaxLength ? $"the field name has {name.Length} characters; at most {ExtNameMaxLength} are allowed" : null;
    }

    /// <summary><c>ext-value = 1*(%x21-3A / %x3C / %x3E-7E)</c>: printable ASCII except ';' and '='.</summary>
    public static bool IsExtValueChar(char c) => c is >= '!' and <= '~' and not ';' and not '=';

    /// <summary>
    /// True when <paramref name="text"/> begins with <paramref name="version"/> (e.g. <c>v=STSv1</c>) followed by
    /// <c>*WSP ";"</c>: the records senders keep before counting (RFC 8461 §3.1, RFC 8460 §3), with WSP before the
    /// ';' allowed as the ABNF's field delimiter permits (RFC 8461 erratum 6285; mox and postfix-tlspol agree).
    /// </summary>
    public static bool BeginsWithVersion(string text, string version)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith(version, StringComparison.Ordinal))
        {
            return false;
        }

        var i = version.Length;
        while (i < text.Length && IsWsp(text[i]))
        {
            i++;
        }

        return i < text.Length && text[i] == ';';
    }

    /// <summary>A printable description of a character for messages (control characters as U+XXXX).</summary>
    public static string Describe(char c) => c switch
    {
        ' ' => "a space",
        '\t' => "a tab (HTAB)",
        '\r' => "a carriage return (CR)",
        '\n' => "a line feed (LF)",
        _ when char.IsControl(c) || char.IsSurrogate(c) || c > 0x7E => $"U+{(int)c:X4}",
        _ => $"'{c}'",
    };
}
