using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailTls.Server.Tests;

/// <summary>In-test certificates: a CA and ECDSA P-256 leaves for policy host names, written as PEM files.</summary>
internal sealed class TestPki : IDisposable
{
    private readonly ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestPki()
    {
        var req = new CertificateRequest("CN=mailtls test CA", caKey, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Ca = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    public X509Certificate2 Ca { get; }

    /// <summary>Issues a leaf for <paramref name="host"/>; returns the chain PEM (leaf + CA) and the key PEM.</summary>
    public (string ChainPem, string KeyPem, X509Certificate2 Leaf) Issue(string host, TimeSpan? lifetime = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=" + host, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        var leaf = req.Create(Ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow + (lifetime ?? TimeSpan.FromDays(90)), serial);
        return (leaf.ExportCertificatePem() + "\n" + Ca.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n", leaf);
    }

    /// <summary>Writes a certbot-style <c>dir/host/fullchain.pem</c> + <c>privkey.pem</c>; returns the leaf.</summary>
    public X509Certificate2 WriteCertbot(string dir, string host, TimeSpan? lifetime = null)
    {
        var (chain, key, leaf) = Issue(host, lifetime);
        var d = Path.Combine(dir, host);
        Directory.CreateDirectory(d);
        File.WriteAllText(Path.Combine(d, "privkey.pem"), key);
        File.WriteAllText(Path.Combine(d, "fullchain.pem"), chain);
        return leaf;
    }

    public void Dispose()
    {
        caKey.Dispose();
        Ca.Dispose();
    }
}
