namespace MailTls.Dns;

/// <summary>
/// DNS RR TYPE codes used by the library (IANA "Resource Record (RR) TYPEs"). Other values are carried
/// through unchanged (RFC 3597 unknown types).
/// </summary>
public enum DnsRecordType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "RFC 1035 mnemonic.")]
    PTR = 12,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    SRV = 33,
    DNAME = 39,
    OPT = 41,
    DS = 43,
    RRSIG = 46,
    NSEC = 47,
    DNSKEY = 48,
    NSEC3 = 50,
    NSEC3PARAM = 51,
    TLSA = 52,
    CAA = 257,
}

/// <summary>Text forms of <see cref="DnsRecordType"/> (RFC 3597 §5 <c>TYPEnnn</c> for unknown values).</summary>
public static class DnsRecordTypeText
{
    public static string ToText(DnsRecordType type) =>
        Enum.IsDefined(type) ? type.ToString() : "TYPE" + ((ushort)type).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parses a mnemonic or <c>TYPEnnn</c>, case-insensitively.</summary>
    public static bool TryParse(string? text, out DnsRecordType type)
    {
        type = default;
        if (string.IsNullOrEmpty(text) || text.Length > 16)
        {
            return false;
        }

        if (text.StartsWith("TYPE", StringComparison.OrdinalIgnoreCase))
        {
            if (ushort.TryParse(text.AsSpan(4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                type = (DnsRecordType)n;
                return true;
            }

            return false;
        }

        foreach (var value in Enum.GetValues<DnsRecordType>())
        {
            if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                type = value;
                return true;
            }
        }

        return false;
    }
}
