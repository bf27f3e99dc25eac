using System.Formats.Asn1;

namespace MailTls.Pki;

/// <summary>
/// Byte-exact slices of a DER certificate (RFC 5280 §4.1). The SubjectPublicKeyInfo is taken verbatim from the
/// TBSCertificate, never re-encoded, so TLSA SPKI(1) data equals what OpenSSL and every DANE client hash.
/// </summary>
public static class CertificateDer
{
    /// <summary>
    /// The DER SubjectPublicKeyInfo inside <paramref name="certificateDer"/> (a slice of the input), or false when
    /// the input is not a DER certificate.
    /// </summary>
    public static bool TryGetSubjectPublicKeyInfo(ReadOnlyMemory<byte> certificateDer, out ReadOnlyMemory<byte> spki)
    {
        spki = default;
        try
        {
            var outer = new AsnReader(certificateDer, AsnEncodingRules.DER);
            var cert = outer.ReadSequence();
            if (outer.HasData)
            {
                return false;
            }

            var tbs = cert.ReadSequence();
            var explicitVersion = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(explicitVersion))
            {
                tbs.ReadEncodedValue();
            }

            tbs.ReadEncodedValue(); // serialNumber
            tbs.ReadSequence(); // signature AlgorithmIdentifier
            tbs.ReadSequence(); // issuer
            tbs.ReadSequence(); // validity
            tbs.ReadSequence(); // subject
            var candidate = tbs.ReadEncodedValue();
            if (!IsSubjectPublicKeyInfo(candidate))
            {
                return false;
            }

            spki = candidate;
            return true;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="der"/> is exactly one DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).</summary>
    public static bool IsSubjectPublicKeyInfo(ReadOnlyMemory<byte> der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var seq = outer.ReadSequence();
            if (outer.HasData)
            {
                return false;
            }

            var alg = seq.ReadSequence();
            alg.ReadObjectIdentifier();
            seq.ReadBitString(out _);
            return !seq.HasData;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="der"/> is exactly one DER X.509 certificate that has an SPKI where expected.</summary>
    public static bool IsCertificate(ReadOnlyMemory<byte> der) => TryGetSubjectPublicKeyInfo(der, out _);
}
