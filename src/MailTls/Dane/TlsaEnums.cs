namespace MailTls.Dane;

/// <summary>TLSA certificate usage field (RFC 6698 §2.1.1) with the RFC 7218 §2.1 acronyms.</summary>
public enum TlsaUsage : byte
{
    /// <summary>PKIX-TA(0): CA constraint. Unusable for SMTP (RFC 7672 §3.1.3).</summary>
    PkixTa = 0,

    /// <summary>PKIX-EE(1): service certificate constraint. Unusable for SMTP (RFC 7672 §3.1.3).</summary>
    PkixEe = 1,

    /// <summary>DANE-TA(2): trust anchor assertion (RFC 7671 §5.2).</summary>
    DaneTa = 2,

    /// <summary>DANE-EE(3): domain-issued certificate; no name or date checks (RFC 7671 §5.1).</summary>
    DaneEe = 3,

    /// <summary>PrivCert(255): private use (RFC 6698 §7.2).</summary>
    PrivCert = 255,
}

/// <summary>TLSA selector field (RFC 6698 §2.1.2) with the RFC 7218 §2.2 acronyms.</summary>
public enum TlsaSelector : byte
{
    /// <summary>Cert(0): the full DER certificate.</summary>
    Cert = 0,

    /// <summary>SPKI(1): the DER SubjectPublicKeyInfo.</summary>
    Spki = 1,

    /// <summary>PrivSel(255): private use.</summary>
    PrivSel = 255,
}

/// <summary>TLSA matching type field (RFC 6698 §2.1.3) with the RFC 7218 §2.3 acronyms.</summary>
public enum TlsaMatchingType : byte
{
    /// <summary>Full(0): the selected content itself, no hash.</summary>
    Full = 0,

    /// <summary>SHA2-256(1).</summary>
    Sha256 = 1,

    /// <summary>SHA2-512(2).</summary>
    Sha512 = 2,

    /// <summary>PrivMatch(255): private use.</summary>
    PrivMatch = 255,
}
