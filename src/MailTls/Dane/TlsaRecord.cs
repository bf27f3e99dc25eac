using System.Globalization;

namespace MailTls.Dane;

/// <summary>
/// One TLSA RR's RDATA (RFC 6698 §2.1): usage, selector, matching type and certificate association data.
/// The three fields keep their raw octets so values outside the RFC 7218 registries stay representable
/// (they are "unusable", RFC 7671 §4). Equality compares the fields and the data bytes.
/// <see cref="ToString"/> is the presentation form <c>3 1 1 hex</c> with lowercase hex, as hash-slinger's
/// <c>tlsa</c> prints it (parsing is case-insensitive).
/// </summary>
public sealed record TlsaRecord(byte Usage, byte Selector, byte MatchingType, ReadOnlyMemory<byte> Data)
{
    /// <summary>Creates a record from the typed fields.</summary>
    public TlsaRecord(TlsaUsage usage, TlsaSelector selector, TlsaMatchingType matchingType, ReadOnlyMemory<byte> data)
        : this((byte)usage, (byte)selector, (byte)matchingType, data)
    {
    }

    /// <summary>The usage as the enum (the value may be undefined in the enum: check <see cref="Enum.IsDefined{TEnum}(TEnum)"/>).</summary>
    public TlsaUsage CertificateUsage => (TlsaUsage)Usage;

    /// <summary>The selector as the enum (may be an undefined value).</summary>
    public TlsaSelector SelectorType => (TlsaSelector)Selector;

    /// <summary>The matching type as the enum (may be an undefined value).</summary>
    public TlsaMatchingType Matching => (TlsaMatchingType)MatchingType;

    /// <summary>The association data as lowercase hex.</summary>
    public string DataHex => Convert.ToHexStringLower(Data.Span);

    /// <summary>Presentation format: <c>usage selector mtype hex</c> with lowercase hex.</summary>
    /// <remarks>Empty association data cannot be written in TLSA presentation syntax; it is shown as the RFC 3597 generic form.</remarks>
    public override string ToString() => Data.IsEmpty
        ? string.Create(CultureInfo.InvariantCulture, $"\\# 3 {Usage:x2}{Selector:x2}{MatchingType:x2}")
        : string.Create(CultureInfo.InvariantCulture, $"{Usage} {Selector} {MatchingType} {DataHex}");

    public bool Equals(TlsaRecord? other) =>
        other is not null && Usage == other.Usage && Selector == other.Selector && MatchingType == other.MatchingType
        && Data.Span.SequenceEqual(other.Data.Span);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Usage);
        h.Add(Selector);
        h.Add(MatchingType);
        h.AddBytes(Data.Span);
        return h.ToHashCode();
    }
}
