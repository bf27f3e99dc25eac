using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailTls.Tests.Dane;

/// <summary>Certificates generated for the tests: RSA and ECDSA leaves, and a root → intermediate → leaf chain.</summary>
internal sealed class TestCertificates : IDisposable
{
    public static readonly DateTimeOffset NotBefore = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset NotAfter = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public TestCertificates()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("mailtls-dane-");
        RsaKey = RSA.Create(2048);
        EcKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        RsaLeaf = SelfSigned(new CertificateRequest("CN=mx.example.com", RsaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        EcLeaf = SelfSigned(new CertificateRequest("CN=mx.example.com", EcKey, HashAlgorithmName.SHA256));

        RootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootReq = new CertificateRequest("CN=Test Root", RootKey, HashAlgorithmName.SHA256);
        rootReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        Root = rootReq.CreateSelfSigned(NotBefore, NotAfter);

        IntermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var intReq = new CertificateRequest("CN=Test Intermediate", IntermediateKey, HashAlgorithmName.SHA384);
        intReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using (var signed = intReq.Create(Root, NotBefore, NotAfter, [1, 2]))
        {
            Intermediate = signed.CopyWithPrivateKey(IntermediateKey);
        }

        ChainLeafKey = RSA.Create(2048);
        var leafReq = new CertificateRequest("CN=mx.example.com", ChainLeafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        AddLeafExtensions(leafReq);
        // RSA leaf under an ECDSA intermediate: mixed algorithms need an explicit signature generator.
        ChainLeaf = leafReq.Create(Intermediate.SubjectName, X509SignatureGenerator.CreateForECDsa(IntermediateKey), NotBefore.AddDays(1), NotAfter.AddDays(-1), [3, 4]);

        RsaLeafPem = Write("rsa-leaf.pem", RsaLeaf.ExportCertificatePem());
        EcLeafPem = Write("ec-leaf.pem", EcLeaf.ExportCertificatePem());
        IntermediatePem = Write("intermediate.pem", Intermediate.ExportCertificatePem());
        ChainPem = Write("chain.pem", ChainLeaf.ExportCertificatePem() + "\n" + Intermediate.ExportCertificatePem() + "\n" + Root.ExportCertificatePem() + "\n");
    }

    public DirectoryInfo Directory { get; }

    public RSA RsaKey { get; }

    public ECDsa EcKey { get; }

    public ECDsa RootKey { get; }

    public ECDsa IntermediateKey { get; }

    public RSA ChainLeafKey { get; }

    public X509Certificate2 RsaLeaf { get; }

    public X509Certificate2 EcLeaf { get; }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    public X509Certificate2 ChainLeaf { get; }

    public string RsaLeafPem { get; }

    public string EcLeafPem { get; }

    public string IntermediatePem { get; }

    public string ChainPem { get; }

    /// <summary>The served chain, leaf first (root included, as some servers send it).</summary>
    public IReadOnlyList<X509Certificate2> Chain => [ChainLeaf, Intermediate, Root];

    public string Write(string name, string text)
    {
        var path = Path.Combine(Directory.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        foreach (var d in new IDisposable[] { RsaLeaf, EcLeaf, Root, Intermediate, ChainLeaf, RsaKey, EcKey, RootKey, IntermediateKey, ChainLeafKey })
        {
            d.Dispose();
        }

        Directory.Delete(recursive: true);
    }

    private static void AddLeafExtensions(CertificateRequest req)
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("mx.example.com");
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
    }

    private static X509Certificate2 SelfSigned(CertificateRequest req)
    {
        AddLeafExtensions(req);
        return req.CreateSelfSigned(NotBefore, NotAfter);
    }
}
