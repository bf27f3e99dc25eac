using System.Globalization;
using System.Text;

namespace MailTls.Dane;

/// <summary>
/// Writes TLSA records in presentation format (RFC 6698 §2.2) with lowercase hex, as hash-slinger's
/// <c>tlsa --output rfc</c> does: <c>_25._tcp.mx.example.com. 3600 IN TLSA 3 1 1 hex</c>, or in the
/// RFC 3597 generic form.
/// </summary>
public static class TlsaRecordFormatter
{
    /// <summary>
    /// The record, optionally as a full zone-file line. A relative <paramref name="owner"/> gets a trailing dot
    /// (zone files read names without one as relative to $ORIGIN).
    /// </summary>
    public static string Format(TlsaRecord record, string? owner = null, uint? ttl = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (owner is null)
        {
            return record.ToString();
        }

        var sb = new StringBuilder();
        sb.Append(owner.EndsWith('.') ? owner : owner + ".");
        if (ttl is { } t)
        {
            sb.Append(' ').Append(t.ToString(CultureInfo.InvariantCulture));
        }

        sb.Append(" IN TLSA ").Append(record);
        return sb.ToString();
    }

    /// <summary>RFC 3597 generic RDATA: <c>\# length hex</c> (what <c>tlsa --output generic</c> prints after TYPE52).</summary>
    public static string FormatGeneric(TlsaRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return string.Create(CultureInfo.InvariantCulture,
            $"\\# {record.Data.Length + 3} {record.Usage:x2}{record.Selector:x2}{record.MatchingType:x2}{record.DataHex}");
    }
}
