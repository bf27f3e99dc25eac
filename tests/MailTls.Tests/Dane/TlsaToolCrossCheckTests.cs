using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailTls.Dane;
using MailTls.Pki;

namespace MailTls.Tests.Dane;

/// <summary>
/// TLSA generation checked byte for byte against openssl and hash-slinger's <c>tlsa --create</c> (which, with
/// <c>--certificate</c>, reads the file and runs only a local <c>openssl verify</c>: no network).
/// These tests fail, not skip, when a tool is missing.
/// </summary>
public sealed class TlsaToolCrossCheckTests : IDisposable
{
    private readonly TestCertificates certs = new();

    public static TheoryData<string, int, int> Combinations()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var key in new[] { "rsa", "ec" })
        {
            for (var s = 0; s <= 1; s++)
            {
                for (var m = 0; m <= 2; m++)
                {
                    data.Add(key, s, m);
                }
            }
        }

        return data;
    }

    public void Dispose() => certs.Dispose();

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Leaf_record_equals_openssl(string key, int selector, int mtype)
    {
        var (cert, pem) = Leaf(key);
        var ours = TlsaBuilder.FromCertificate(cert, TlsaUsage.DaneEe, (TlsaSelector)selector, (TlsaMatchingType)mtype);
        Assert.Equal(OpenSslAssociation(pem, selector, mtype), ours.DataHex);
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Leaf_record_equals_hash_slinger(string key, int selector, int mtype)
    {
        var (cert, pem) = Leaf(key);
        var ours = TlsaBuilder.FromCertificate(cert, TlsaUsage.DaneEe, (TlsaSelector)selector, (TlsaMatchingType)mtype);
        var theirs = HashSlinger(pem, usage: 3, selector, mtype, stdin: null);
        Assert.Equal("_25._tcp.mx.example.com.", theirs.Owner);
        Assert.Equal(ours, theirs.Record);
        Assert.Equal(TlsaRecordFormatter.Format(ours, TlsaOwner.For("mx.example.com")), theirs.Line);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(1, 0)]
    public void Issuer_record_from_chain_file_equals_hash_slinger_and_openssl(int selector, int mtype)
    {
        // tlsa asks for each non-last certificate of the chain whether to use it for usage 2: "n" (leaf), "y" (intermediate).
        var ours = TlsaBuilder.FromCertificate(certs.Intermediate, TlsaUsage.DaneTa, (TlsaSelector)selector, (TlsaMatchingType)mtype);
        var theirs = HashSlinger(certs.ChainPem, usage: 2, selector, mtype, stdin: "n\ny\n");
        Assert.Equal(ours, theirs.Record);
        Assert.Equal(OpenSslAssociation(certs.IntermediatePem, selector, mtype), ours.DataHex);
    }

    [Fact]
    public void Chain_file_reads_in_order_and_matches_its_own_records()
    {
        var read = PemReader.ReadCertificates(File.ReadAllText(certs.ChainPem));
        Assert.True(read.IsSuccess, read.Error);
        Assert.Equal(certs.Chain.Select(c => c.Thumbprint), read.Certificates.Select(c => c.Thumbprint));

        var der = PemReader.ReadCertificates(certs.ChainLeaf.RawData.Concat(certs.Intermediate.RawData).ToArray());
        Assert.True(der.IsSuccess, der.Error);
        Assert.Equal(2, der.Certificates.Count);

        var records = new[]
        {
            TlsaBuilder.FromCertificate(certs.ChainLeaf, TlsaUsage.DaneEe, TlsaSelector.Spki, TlsaMatchingType.Sha256),
            TlsaBuilder.FromCertificate(certs.Intermediate, TlsaUsage.DaneTa, TlsaSelector.Spki, TlsaMatchingType.Sha256),
        };
        var options = new TlsaMatchOptions { ReferenceNames = ["mx.example.com"], Now = TestCertificates.NotBefore.AddDays(30) };

        var both = TlsaMatcher.Match(read.Certificates, records, options);
        Assert.Equal(TlsaMatchStatus.Matched, both.Status);
        Assert.Equal(0, both.Depth);

        // The intermediate (not self-signed) as the DANE-TA trust anchor: validated without the root.
        var taOnly = TlsaMatcher.Match(read.Certificates, [records[1]], options);
        Assert.Equal(TlsaMatchStatus.Matched, taOnly.Status);
        Assert.Equal(1, taOnly.Depth);

        // DANE-TA checks dates and names; DANE-EE does not (RFC 7672 §3.2 / RFC 7671 §5.1).
        var later = options with { Now = TestCertificates.NotAfter.AddDays(10) };
        Assert.Equal(TlsaMatchStatus.Expired, TlsaMatcher.Match(read.Certificates, [records[1]], later).Status);
        Assert.Equal(TlsaMatchStatus.Matched, TlsaMatcher.Match(read.Certificates, [records[0]], later).Status);
        var otherName = options with { ReferenceNames = ["mail.example.net"] };
        Assert.Equal(TlsaMatchStatus.NameMismatch, TlsaMatcher.Match(read.Certificates, [records[1]], otherName).Status);
        Assert.Equal(TlsaMatchStatus.Matched, TlsaMatcher.Match(read.Certificates, [records[0]], otherName).Status);

        // A DANE-TA digest of an issuer the server does not send.
        var missing = TlsaMatcher.Match([certs.ChainLeaf], [records[1]], options);
        Assert.Equal(TlsaMatchStatus.Mismatch, missing.Status);
        Assert.Contains(missing.Findings, f => f.Code == "dane.tlsa.ta-not-presented");
        Assert.Equal(TlsaRecordOutcome.TaNotPresented, missing.Records.Single().Outcome);

        // A chain whose intermediate was swapped for an unrelated CA with the same name fails the signature check.
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var fakeReq = new CertificateRequest("CN=Test Intermediate", otherKey, HashAlgorithmName.SHA384);
        fakeReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var fake = fakeReq.CreateSelfSigned(TestCertificates.NotBefore, TestCertificates.NotAfter);
        var fakeRecord = TlsaBuilder.FromCertificate(fake, TlsaUsage.DaneTa, TlsaSelector.Spki, TlsaMatchingType.Sha256);
        var forged = TlsaMatcher.Match([certs.ChainLeaf, fake], [fakeRecord], options);
        Assert.Equal(TlsaMatchStatus.ChainInvalid, forged.Status);
        Assert.Contains(forged.Findings, f => f.Code == "dane.tlsa.chain-invalid");
    }

    public static TheoryData<string, string> KeyFiles() => new()
    {
        { "rsa", "PRIVATE KEY" }, { "rsa", "RSA PRIVATE KEY" }, { "rsa", "PUBLIC KEY" }, { "rsa", "RSA PUBLIC KEY" }, { "rsa", "CERTIFICATE" },
        { "ec", "PRIVATE KEY" }, { "ec", "EC PRIVATE KEY" }, { "ec", "PUBLIC KEY" }, { "ec", "CERTIFICATE" },
    };

    [Theory]
    [MemberData(nameof(KeyFiles))]
    public void Key_file_gives_the_same_3_1_1_as_the_certificate(string key, string label)
    {
        var (cert, _) = Leaf(key);
        AsymmetricAlgorithm alg = key == "rsa" ? certs.RsaKey : certs.EcKey;
        var pem = label switch
        {
            "PRIVATE KEY" => alg.ExportPkcs8PrivateKeyPem(),
            "RSA PRIVATE KEY" => certs.RsaKey.ExportRSAPrivateKeyPem(),
            "EC PRIVATE KEY" => certs.EcKey.ExportECPrivateKeyPem(),
            "RSA PUBLIC KEY" => certs.RsaKey.ExportRSAPublicKeyPem(),
            "CERTIFICATE" => cert.ExportCertificatePem(),
            _ => alg.ExportSubjectPublicKeyInfoPem(),
        };
        var file = certs.Write($"{key}-{label.Replace(' ', '-')}.pem", pem);

        var spki = PemReader.ReadSubjectPublicKeyInfo(pem);
        Assert.True(spki.IsSuccess, spki.Error);
        Assert.Equal(label, spki.SourceLabel);
        var fromKey = TlsaBuilder.FromSubjectPublicKeyInfo(spki.SubjectPublicKeyInfo);
        Assert.Equal(TlsaBuilder.FromCertificate(cert), fromKey);
        Assert.Equal(fromKey, TlsaBuilder.FromPublicKey(alg));

        if (label is not ("CERTIFICATE" or "RSA PUBLIC KEY"))
        {
            var pubin = label == "PUBLIC KEY" ? "-pubin" : "";
            var hex = ExternalTool.Pipeline($"openssl pkey {pubin} -in \"$1\" -pubout -outform DER | openssl dgst -sha256 -r", file);
            Assert.Equal(hex.Split(' ')[0], fromKey.DataHex);
        }
    }

    [Fact]
    public void Encrypted_key_is_a_clear_error()
    {
        var pem = certs.EcKey.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));
        var r = PemReader.ReadSubjectPublicKeyInfo(pem);
        Assert.False(r.IsSuccess);
        Assert.Contains("encrypted", r.Error, StringComparison.OrdinalIgnoreCase);
    }

    private (X509Certificate2 Cert, string Pem) Leaf(string key) =>
        key == "rsa" ? (certs.RsaLeaf, certs.RsaLeafPem) : (certs.EcLeaf, certs.EcLeafPem);

    private static string OpenSslAssociation(string pemFile, int selector, int mtype)
    {
        var select = selector == 0
            ? "openssl x509 -in \"$1\" -outform DER"
            : "openssl x509 -in \"$1\" -noout -pubkey | openssl pkey -pubin -outform DER";
        var script = mtype switch
        {
            0 => select + " | od -An -v -tx1 | tr -d ' \\n'",
            1 => select + " | openssl dgst -sha256 -r | cut -d' ' -f1",
            _ => select + " | openssl dgst -sha512 -r | cut -d' ' -f1",
        };
        return ExternalTool.Pipeline(script, pemFile).Trim();
    }

    private static (string Line, string? Owner, TlsaRecord? Record) HashSlinger(string pemFile, int usage, int selector, int mtype, string? stdin)
    {
        var (code, stdout, stderr) = ExternalTool.Run("tlsa",
        [
            "--create", "--certificate", pemFile, "--usage", $"{usage}", "--selector", $"{selector}", "--mtype", $"{mtype}",
            "--port", "25", "--output", "rfc", "mx.example.com",
        ], stdin);
        Assert.True(code == 0, $"tlsa exited {code}: {stderr}");
        var line = stdout.Split('\n').Select(l => l.Trim()).Last(l => l.Contains(" IN TLSA ", StringComparison.Ordinal));
        line = line[line.IndexOf("_25._tcp.", StringComparison.Ordinal)..];
        var parsed = TlsaRecordParser.Parse(line);
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Findings.Select(f => f.Message)));
        return (line, parsed.Owner, parsed.Record);
    }
}
