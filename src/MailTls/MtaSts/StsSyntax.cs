namespace MailTls.MtaSts;

/// <summary>Character classes and small checks shared by the RFC 8461 TXT and policy grammars.</summary>
internal static class StsSyntax
{
    /// <summary>sts-ext-name / sts-policy-ext-name allow at most 32 characters (1 + *31).</summary>
    public const int ExtNameMaxLength = 32;

    public static bool IsWsp(char c) => c is ' ' or '\t';

    public static bool IsAlphaDigit(char c) => char.IsAsciiLetterOrDigit(c);

    /// <summary><c>(ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")</c>; returns a reason or null.</summary>
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

    /// <summary>Optimal string alignment distance, case-insensitive, capped early for long inputs.</summary>
    public static int EditDistance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 3)
        {
            return int.MaxValue;
        }

        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var v = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    v = Math.Min(v, d[i - 2, j - 2] + 1);
                }

                d[i, j] = v;
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>Shortens long values for messages and evidence.</summary>
    public static string Clip(string s, int max = 200) => s.Length <= max ? s : string.Concat(s.AsSpan(0, max), "…");
}
