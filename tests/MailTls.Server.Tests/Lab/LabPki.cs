using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailTls.Server.Tests.Lab;

/// <summary>Certificates from the lab's intermediate CA (trusted inside the namespace), issued the way certbot renews.</summary>
internal static class LabPki
{
    private const string KeysDir = "/run/mailtls-lab/pki/keys";

    /// <summary>A new ECDSA P-256 leaf for <paramref name="host"/>: the chain PEM (leaf, intermediate) and the key PEM.</summary>
    public static async Task<(string Chain, string Key)> IssueAsync(string host)
    {
        using var issuerKey = ECDsa.Create();
        issuerKey.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(KeysDir, "ca-intermediate.ecdsa.key")));
        var issuerPem = await File.ReadAllTextAsync(Path.Combine(KeysDir, "ca-intermediate.crt"));
        using var issuer = X509Certificate2.CreateFromPem(issuerPem).CopyWithPrivateKey(issuerKey);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + host, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var leaf = request.Create(issuer, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(12));
        return (leaf.ExportCertificatePem() + "\n" + issuerPem, key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
