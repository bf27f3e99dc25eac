using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MailTls.Pki;

/// <summary>Result of <see cref="PemReader.ReadCertificates(string)"/>: the certificates in file order, or an error.</summary>
public sealed record PemCertificatesResult(IReadOnlyList<X509Certificate2> Certificates, string? Error)
{
    public bool IsSuccess => Error is null;
}

/// <summary>Result of <see cref="PemReader.ReadSubjectPublicKeyInfo"/>: the DER SPKI and the PEM label it came from, or an error.</summary>
public sealed record SpkiResult(ReadOnlyMemory<byte> SubjectPublicKeyInfo, string? SourceLabel, string? Error)
{
    public bool IsSuccess => Error is null;
}

/// <summary>
/// Loads certificates and public keys from PEM (RFC 7468) or DER, for TLSA generation and for chains saved
/// from a server. Text around the PEM blocks (e.g. openssl's <c>subject=</c> lines) is ignored. Bad input
/// gives an error result, never an exception; sizes are capped by <see cref="Limits.PemMaxBytes"/> and
/// <see cref="Limits.ChainMaxCertificates"/>.
/// </summary>
public static class PemReader
{
    /// <summary>Every CERTIFICATE block of <paramref name="pemText"/>, in file order (a server chain: leaf first).</summary>
    public static PemCertificatesResult ReadCertificates(string pemText)
    {
        ArgumentNullException.ThrowIfNull(pemText);
        if (pemText.Length > Limits.PemMaxBytes)
        {
            return CertError($"The input is larger than {Limits.PemMaxBytes} bytes.");
        }

        var certs = new List<X509Certificate2>();
        foreach (var (label, der) in Blocks(pemText))
        {
            if (label is not ("CERTIFICATE" or "X509 CERTIFICATE"))
            {
                continue;
            }

            if (certs.Count == Limits.ChainMaxCertificates)
            {
                return CertError($"More than {Limits.ChainMaxCertificates} certificates.");
            }

            var cert = LoadDer(der);
            if (cert is null)
            {
                return CertError($"Certificate {certs.Count + 1} is not a valid DER X.509 certificate.");
            }

            certs.Add(cert);
        }

        return certs.Count == 0
            ? CertError("No '-----BEGIN CERTIFICATE-----' block found.")
            : new PemCertificatesResult(certs, null);
    }

    /// <summary>Certificates from file bytes: PEM text, or one or more concatenated DER certificates.</summary>
    public static PemCertificatesResult ReadCertificates(ReadOnlySpan<byte> data)
    {
        if (data.Length > Limits.PemMaxBytes)
        {
            return CertError($"The input is larger than {Limits.PemMaxBytes} bytes.");
        }

        if (data.IsEmpty || data[0] != 0x30)
        {
            return ReadCertificates(Encoding.UTF8.GetString(data));
        }

        var certs = new List<X509Certificate2>();
        var rest = data;
        while (!rest.IsEmpty)
        {
            if (certs.Count == Limits.ChainMaxCertificates)
            {
                return CertError($"More than {Limits.ChainMaxCertificates} certificates.");
            }

            int consumed;
            try
            {
                System.Formats.Asn1.AsnDecoder.ReadEncodedValue(rest, System.Formats.Asn1.AsnEncodingRules.DER, out _, out _, out consumed);
            }
            catch (System.Formats.Asn1.AsnContentException)
            {
                return CertError($"DER certificate {certs.Count + 1} is malformed.");
            }

            var cert = LoadDer(rest[..consumed].ToArray());
            if (cert is null)
            {
                return CertError($"DER certificate {certs.Count + 1} is not a valid X.509 certificate.");
            }

            certs.Add(cert);
            rest = rest[consumed..];
        }

        return new PemCertificatesResult(certs, null);
    }

    /// <summary>
    /// The DER SubjectPublicKeyInfo of the first key or certificate in <paramref name="pem"/>: PUBLIC KEY (verbatim),
    /// RSA PUBLIC KEY, PRIVATE KEY (PKCS#8, RSA or EC), RSA PRIVATE KEY, EC PRIVATE KEY, or CERTIFICATE (its SPKI,
    /// verbatim). Lets operators pre-publish the TLSA record of the next key (RFC 7671 §8.1) from a key file.
    /// Encrypted keys are refused with a clear error (no passphrase handling).
    /// </summary>
    public static SpkiResult ReadSubjectPublicKeyInfo(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (pem.Length > Limits.PemMaxBytes)
        {
            return SpkiError($"The input is larger than {Limits.PemMaxBytes} bytes.");
        }

        if (pem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal) || pem.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
        {
            return SpkiError("The key is encrypted: decrypt it first (e.g. 'openssl pkey -in key.pem -out plain.pem') or use the certificate or public key instead.");
        }

        foreach (var (label, der) in Blocks(pem))
        {
            var spki = label switch
            {
                "PUBLIC KEY" => CertificateDer.IsSubjectPublicKeyInfo(der) ? der : null,
                "CERTIFICATE" or "X509 CERTIFICATE" => CertificateDer.TryGetSubjectPublicKeyInfo(der, out var s) ? s.ToArray() : null,
                "RSA PUBLIC KEY" => Export(() => { using var k = RSA.Create(); k.ImportRSAPublicKey(der, out var n); return Whole(n, der) ? k.ExportSubjectPublicKeyInfo() : null; }),
                "RSA PRIVATE KEY" => Export(() => { using var k = RSA.Create(); k.ImportRSAPrivateKey(der, out var n); return Whole(n, der) ? k.ExportSubjectPublicKeyInfo() : null; }),
                "EC PRIVATE KEY" => Export(() => { using var k = ECDsa.Create(); k.ImportECPrivateKey(der, out var n); return Whole(n, der) ? k.ExportSubjectPublicKeyInfo() : null; }),
                "PRIVATE KEY" => FromPkcs8(der),
                _ => Array.Empty<byte>(),
            };

            if (spki is { Length: 0 })
            {
                continue; // another kind of block (parameters, CSR…): look further
            }

            return spki is null
                ? SpkiError($"The '{label}' block is malformed or uses an unsupported key algorithm.")
                : new SpkiResult(spki, label, null);
        }

        return SpkiError("No PUBLIC KEY, PRIVATE KEY, RSA/EC PRIVATE KEY, RSA PUBLIC KEY or CERTIFICATE block found.");
    }

    private static byte[]? FromPkcs8(byte[] der)
    {
        // Try the BCL key types DANE servers use (RSA, ECDSA); each import checks the algorithm OID itself.
        var rsa = Export(() => { using var k = RSA.Create(); k.ImportPkcs8PrivateKey(der, out var n); return Whole(n, der) ? k.ExportSubjectPublicKeyInfo() : null; });
        return rsa ?? Export(() => { using var k = ECDsa.Create(); k.ImportPkcs8PrivateKey(der, out var n); return Whole(n, der) ? k.ExportSubjectPublicKeyInfo() : null; });
    }

    private static bool Whole(int read, byte[] der) => read == der.Length;

    private static byte[]? Export(Func<byte[]?> export)
    {
        try
        {
            return export();
        }
        catch (Exception ex) when (ex is CryptographicException or PlatformNotSupportedException)
        {
            // Malformed key, or a curve/algorithm this platform cannot load (reported as unsupported).
            return null;
        }
    }

    private static IEnumerable<(string Label, byte[] Der)> Blocks(string text)
    {
        var rest = text.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var label = rest.Span[fields.Label].ToString();
            var der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(rest.Span[fields.Base64Data], der, out var written))
            {
                der = [];
                written = 0;
            }

            yield return (label, der.AsSpan(0, written).ToArray());
            rest = rest[fields.Location.End..];
        }
    }

    private static X509Certificate2? LoadDer(byte[] der)
    {
        if (!CertificateDer.IsCertificate(der))
        {
            return null;
        }

        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (Exception ex) when (ex is CryptographicException or PlatformNotSupportedException)
        {
            return null;
        }
    }

    private static PemCertificatesResult CertError(string message) => new([], message);

    private static SpkiResult SpkiError(string message) => new(ReadOnlyMemory<byte>.Empty, null, message);
}
