using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailTls.Pki;

namespace MailTls.Dane;

/// <summary>
/// Builds TLSA records (RFC 6698 §2.1) from certificates and keys. Cert(0) selects the DER certificate;
/// SPKI(1) selects the DER SubjectPublicKeyInfo taken verbatim from the certificate (RFC 6698 §2.1.2).
/// Full(0) keeps the bytes, SHA2-256(1)/SHA2-512(2) hash them.
/// </summary>
public static class TlsaBuilder
{
    /// <summary>The record for <paramref name="certificate"/> with the given parameters.</summary>
    public static TlsaRecord FromCertificate(X509Certificate2 certificate, TlsaUsage usage = TlsaUsage.DaneEe,
        TlsaSelector selector = TlsaSelector.Spki, TlsaMatchingType matching = TlsaMatchingType.Sha256)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new TlsaRecord(usage, selector, matching, Association(certificate.RawData, selector, matching)
            ?? throw new ArgumentException("Unsupported selector or matching type, or the certificate has no parsable SubjectPublicKeyInfo.", nameof(selector)));
    }

    /// <summary>The SPKI(1) record for a DER SubjectPublicKeyInfo (a key has no certificate, so only selector SPKI).</summary>
    public static TlsaRecord FromSubjectPublicKeyInfo(ReadOnlyMemory<byte> spkiDer, TlsaUsage usage = TlsaUsage.DaneEe,
        TlsaMatchingType matching = TlsaMatchingType.Sha256)
    {
        if (!CertificateDer.IsSubjectPublicKeyInfo(spkiDer))
        {
            throw new ArgumentException("Not a DER SubjectPublicKeyInfo.", nameof(spkiDer));
        }

        return new TlsaRecord(usage, TlsaSelector.Spki, matching, Digest(spkiDer.Span, matching)
            ?? throw new ArgumentException("Unsupported matching type.", nameof(matching)));
    }

    /// <summary>The SPKI(1) record for a public (or private) key, e.g. the next key to pre-publish (RFC 7671 §8.1).</summary>
    public static TlsaRecord FromPublicKey(AsymmetricAlgorithm key, TlsaUsage usage = TlsaUsage.DaneEe,
        TlsaMatchingType matching = TlsaMatchingType.Sha256)
    {
        ArgumentNullException.ThrowIfNull(key);
        return FromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), usage, matching);
    }

    /// <summary>
    /// The association data of the DER certificate <paramref name="certificateDer"/> for a selector and matching
    /// type, or null for unsupported values or a certificate whose SPKI cannot be found.
    /// </summary>
    public static byte[]? Association(ReadOnlyMemory<byte> certificateDer, TlsaSelector selector, TlsaMatchingType matching)
    {
        ReadOnlyMemory<byte> selected;
        switch (selector)
        {
            case TlsaSelector.Cert:
                selected = certificateDer;
                break;
            case TlsaSelector.Spki:
                if (!CertificateDer.TryGetSubjectPublicKeyInfo(certificateDer, out selected))
                {
                    return null;
                }

                break;
            default:
                return null;
        }

        return Digest(selected.Span, matching);
    }

    internal static byte[]? Digest(ReadOnlySpan<byte> selected, TlsaMatchingType matching) => matching switch
    {
        TlsaMatchingType.Full => selected.ToArray(),
        TlsaMatchingType.Sha256 => SHA256.HashData(selected),
        TlsaMatchingType.Sha512 => SHA512.HashData(selected),
        _ => null,
    };
}
