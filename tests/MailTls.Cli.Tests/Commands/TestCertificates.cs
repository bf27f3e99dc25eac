using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailTls.Cli.Tests.Commands;

/// <summary>A CA and a leaf made in-process, written as PEM files for the CLI to read.</summary>
internal sealed class TestCertificates : IDisposable
{
    public TestCertificates(string host = "mail.example.com")
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        Ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        LeafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=" + host, LeafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        leafRequest.CertificateExtensions.Add(san.Build());
        Leaf = leafRequest.Create(Ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), [1, 2, 3, 4]);

        Directory = Path.Combine(Path.GetTempPath(), "mailtls-cli-certs-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        ChainPath = Path.Combine(Directory, "chain.pem");
        File.WriteAllText(ChainPath, Leaf.ExportCertificatePem() + "\n" + Ca.ExportCertificatePem() + "\n");
        KeyPath = Path.Combine(Directory, "leaf.key");
        File.WriteAllText(KeyPath, LeafKey.ExportPkcs8PrivateKeyPem());
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Leaf { get; }

    public ECDsa LeafKey { get; }

    public string Directory { get; }

    public string ChainPath { get; }

    public string KeyPath { get; }

    /// <summary>SHA-256 of the leaf's SubjectPublicKeyInfo: the data of its 3 1 1 record.</summary>
    public string LeafSpkiSha256 => Convert.ToHexStringLower(SHA256.HashData(Leaf.PublicKey.ExportSubjectPublicKeyInfo()));

    /// <summary>SHA-256 of the CA's SubjectPublicKeyInfo: the data of its 2 1 1 record.</summary>
    public string CaSpkiSha256 => Convert.ToHexStringLower(SHA256.HashData(Ca.PublicKey.ExportSubjectPublicKeyInfo()));

    public void Dispose()
    {
        LeafKey.Dispose();
        Leaf.Dispose();
        Ca.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
