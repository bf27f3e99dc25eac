using MailTls.Dns;

namespace MailTls.TlsRpt;

/// <summary>
/// Character classes of the RFC 8460 §3 ABNF (shared with RFC 8461 §3.1 for extensions) and of the RFC 5322
/// addr-spec used in <c>mailto:</c> URIs.
/// </summary>
internal static class TlsRptGrammar
{
    public const string Version = "v=TLSRPTv1";

    public static bool IsAlpha(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z');

    public static bool IsDigit(char c) => c is >= '0' and <= '9';

    /// <summary><c>tlsrpt-ext-name</c>: the shared extension-name production.</summary>
    public static bool IsExtName(ReadOnlySpan<char> s) => TxtFieldGrammar.CheckExtName(s) is null;

    /// <summary><c>tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)</c>: no SP, CTL, ";" or "=".</summary>
    public static bool IsExtValue(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!TxtFieldGrammar.IsExtValueChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the text begins with <c>v=TLSRPTv1 *WSP ";"</c> (the RFC 8460 §3 discard rule).</summary>
    public static bool IsCandidate(string text) => TxtFieldGrammar.BeginsWithVersion(text, Version);

    /// <summary>RFC 5322 atext.</summary>
    public static bool IsAtext(char c) =>
        TxtFieldGrammar.IsAlphaDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c, StringComparison.Ordinal);

    /// <summary>RFC 5321 addr-spec with a dot-atom or quoted-string local part and an LDH domain.</summary>
    public static bool IsAddrSpec(string s)
    {
        var at = s.LastIndexOf('@');
        if (at <= 0 || at == s.Length - 1 || s.Length > 320)
        {
            return false;
        }

        var local = s.AsSpan(0, at);
        var domain = s.AsSpan(at + 1);
        return IsLocalPart(local) && Dns.DnsName.IsLdhDomain(domain) && domain.Contains('.');
    }

    private static bool IsLocalPart(ReadOnlySpan<char> local)
    {
        if (local.Length > 64)
        {
            return false;
        }

        if (local.Length >= 2 && local[0] == '"' && local[^1] == '"')
        {
            for (var i = 1; i < local.Length - 1; i++)
            {
                var c = local[i];
                if (c == '\\')
                {
                    i++;
                    if (i >= local.Length - 1)
                    {
                        return false;
                    }

                    continue;
                }

                if (c is < '\x20' or > '\x7E' or '"')
                {
                    return false;
                }
            }

            return true;
        }

        var previousDot = true;
        foreach (var c in local)
        {
            if (c == '.')
            {
                if (previousDot)
                {
                    return false;
                }

                previousDot = true;
            }
            else if (IsAtext(c))
            {
                previousDot = false;
            }
            else
            {
                return false;
            }
        }

        return !previousDot;
    }

    /// <summary>Characters allowed in an RFC 3986 URI (unreserved, reserved and "%").</summary>
    public static bool IsUriChar(char c) =>
        TxtFieldGrammar.IsAlphaDigit(c) || "-._~:/?#[]@!$&'()*+,;=%".Contains(c, StringComparison.Ordinal);

    public static bool IsHex(char c) => IsDigit(c) || c is (>= 'a' and <= 'f') or (>= 'A' and <= 'F');
}
