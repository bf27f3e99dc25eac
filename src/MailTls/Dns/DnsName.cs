using System.Globalization;

namespace MailTls.Dns;

/// <summary>
/// Normalised DNS host names for comparisons: lower case, no trailing root dot, IDN U-labels converted to
/// A-labels (RFC 5890). Used by every name comparison in the library (MX patterns, certificate DNS-IDs,
/// TLSA base domains), so the rules are applied the same way everywhere.
/// </summary>
public static class DnsName
{
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    /// <summary>Maximum length of a presentation-format domain name without the trailing dot (RFC 1035 §2.3.4).</summary>
    public const int MaxLength = 253;

    /// <summary>
    /// Normalises <paramref name="name"/> for comparison, or returns null when it is not a usable host name
    /// (empty, too long, an empty label, or an IDN that cannot be converted).
    /// </summary>
    public static string? TryNormalize(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        var s = name.EndsWith('.') ? name[..^1] : name;
        if (s.Length == 0 || s.Length > 1024)
        {
            return null;
        }

        if (!IsAscii(s))
        {
            try
            {
                // Lower-case first: with InvariantGlobalization the managed IdnMapping does not apply the UTS #46
                // case mapping, so "ÑACA" would encode to a different A-label than "ñaca".
                s = Idn.GetAscii(s.ToLowerInvariant());
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        s = s.ToLowerInvariant();
        if (s.Length > MaxLength)
        {
            return null;
        }

        foreach (var label in s.Split('.'))
        {
            if (label.Length is 0 or > 63)
            {
                return null;
            }
        }

        return s;
    }

    /// <summary>True when both names normalise to the same A-label form.</summary>
    public static bool EqualsNormalized(string? a, string? b)
    {
        var na = TryNormalize(a);
        return na is not null && string.Equals(na, TryNormalize(b), StringComparison.Ordinal);
    }

    /// <summary>
    /// RFC 5321 <c>Domain</c> syntax on an already-ASCII name: dot-separated LDH labels that do not start or end
    /// with a hyphen, 1–63 octets each, no trailing dot.
    /// </summary>
    public static bool IsLdhDomain(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxLength)
        {
            return false;
        }

        var labelLength = 0;
        var previous = '.';
        foreach (var c in name)
        {
            if (c == '.')
            {
                if (labelLength == 0 || previous == '-')
                {
                    return false;
                }

                labelLength = 0;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c == '-')
            {
                if (labelLength == 0 && c == '-')
                {
                    return false;
                }

                if (++labelLength > 63)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }

            previous = c;
        }

        return labelLength > 0 && previous != '-';
    }

    private static bool IsAscii(string s)
    {
        foreach (var c in s)
        {
            if (c > 0x7F)
            {
                return false;
            }
        }

        return true;
    }
}
