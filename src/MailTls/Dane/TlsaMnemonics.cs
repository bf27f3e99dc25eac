using System.Globalization;

namespace MailTls.Dane;

/// <summary>
/// TLSA parameter fields as numbers 0–255 or RFC 7218 acronyms (DANE-EE, SPKI, SHA2-256, …), case-insensitive.
/// One rule for zone-file parsing and for command-line options.
/// </summary>
public static class TlsaMnemonics
{
    private static readonly Dictionary<string, byte> UsageNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["PKIX-TA"] = 0,
        ["PKIX-EE"] = 1,
        ["DANE-TA"] = 2,
        ["DANE-EE"] = 3,
        ["PrivCert"] = 255,
    };

    private static readonly Dictionary<string, byte> SelectorNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Cert"] = 0,
        ["SPKI"] = 1,
        ["PrivSel"] = 255,
    };

    private static readonly Dictionary<string, byte> MatchingNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Full"] = 0,
        ["SHA2-256"] = 1,
        ["SHA2-512"] = 2,
        ["PrivMatch"] = 255,
    };

    /// <summary>Certificate usage (RFC 6698 §2.1.1, RFC 7218 §2.1).</summary>
    public static bool TryParseUsage(string? token, out byte value) => TryField(token, UsageNames, out value);

    /// <summary>Selector (RFC 6698 §2.1.2, RFC 7218 §2.2).</summary>
    public static bool TryParseSelector(string? token, out byte value) => TryField(token, SelectorNames, out value);

    /// <summary>Matching type (RFC 6698 §2.1.3, RFC 7218 §2.3).</summary>
    public static bool TryParseMatchingType(string? token, out byte value) => TryField(token, MatchingNames, out value);

    private static bool TryField(string? token, Dictionary<string, byte> names, out byte value)
    {
        value = 0;
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        if (token.Length <= 3 && token.All(char.IsAsciiDigit))
        {
            var ok = int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v <= 255;
            value = ok ? (byte)v : (byte)0;
            return ok;
        }

        return names.TryGetValue(token, out value);
    }
}
