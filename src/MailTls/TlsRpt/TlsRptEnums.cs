namespace MailTls.TlsRpt;

/// <summary><c>policy-type</c> (RFC 8460 §4.4): "Presently, the only three valid choices". <see cref="Unknown"/> keeps the raw value elsewhere.</summary>
public enum TlsRptPolicyType
{
    Unknown = 0,
    Tlsa,
    Sts,
    NoPolicyFound,
}

/// <summary>
/// <c>result-type</c> (RFC 8460 §4.3; IANA "STARTTLS Validation Result Types", §6.6). The registry is expected to
/// grow, so <see cref="Unknown"/> stands for any other value, kept raw in <see cref="TlsRptFailureDetail.RawResultType"/>.
/// </summary>
public enum TlsRptResultType
{
    Unknown = 0,
    StarttlsNotSupported,
    CertificateHostMismatch,
    CertificateExpired,
    CertificateNotTrusted,
    ValidationFailure,
    TlsaInvalid,
    DnssecInvalid,
    DaneRequired,
    StsPolicyFetchError,
    StsPolicyInvalid,
    StsWebpkiInvalid,
}

/// <summary>Wire names (exact, case-sensitive JSON strings) of the RFC 8460 enumerations.</summary>
public static class TlsRptWireNames
{
    private static readonly Dictionary<string, TlsRptPolicyType> PolicyTypes = new(StringComparer.Ordinal)
    {
        ["tlsa"] = TlsRptPolicyType.Tlsa,
        ["sts"] = TlsRptPolicyType.Sts,
        ["no-policy-found"] = TlsRptPolicyType.NoPolicyFound,
    };

    private static readonly Dictionary<string, TlsRptResultType> ResultTypes = new(StringComparer.Ordinal)
    {
        ["starttls-not-supported"] = TlsRptResultType.StarttlsNotSupported,
        ["certificate-host-mismatch"] = TlsRptResultType.CertificateHostMismatch,
        ["certificate-expired"] = TlsRptResultType.CertificateExpired,
        ["certificate-not-trusted"] = TlsRptResultType.CertificateNotTrusted,
        ["validation-failure"] = TlsRptResultType.ValidationFailure,
        ["tlsa-invalid"] = TlsRptResultType.TlsaInvalid,
        ["dnssec-invalid"] = TlsRptResultType.DnssecInvalid,
        ["dane-required"] = TlsRptResultType.DaneRequired,
        ["sts-policy-fetch-error"] = TlsRptResultType.StsPolicyFetchError,
        ["sts-policy-invalid"] = TlsRptResultType.StsPolicyInvalid,
        ["sts-webpki-invalid"] = TlsRptResultType.StsWebpkiInvalid,
    };

    public static TlsRptPolicyType ParsePolicyType(string? raw) =>
        raw is not null && PolicyTypes.TryGetValue(raw, out var t) ? t : TlsRptPolicyType.Unknown;

    public static TlsRptResultType ParseResultType(string? raw) =>
        raw is not null && ResultTypes.TryGetValue(raw, out var t) ? t : TlsRptResultType.Unknown;

    /// <summary>The wire name, or null for <see cref="TlsRptPolicyType.Unknown"/>.</summary>
    public static string? ToWire(TlsRptPolicyType type) =>
        PolicyTypes.FirstOrDefault(p => p.Value == type).Key;

    /// <summary>The wire name, or null for <see cref="TlsRptResultType.Unknown"/>.</summary>
    public static string? ToWire(TlsRptResultType type) =>
        ResultTypes.FirstOrDefault(p => p.Value == type).Key;
}
