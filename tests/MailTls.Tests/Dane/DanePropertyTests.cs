using System.Security.Cryptography.X509Certificates;
using CsCheck;
using MailTls.Dane;
using MailTls.Pki;

namespace MailTls.Tests.Dane;

/// <summary>
/// Property tests: the TLSA parser and the PEM reader never throw on random or mutated input (≥ 100,000 inputs
/// each), parse(format(r)) == r, and the matcher never throws on random records against the vector chains.
/// </summary>
public sealed class DanePropertyTests
{
    private static readonly Lazy<IReadOnlyList<DaneTestCase>> Vectors = new(() =>
        [.. DaneTestFile.Load("danetest.in"), .. DaneTestFile.Load("dane-cross.in")]);

    private static readonly Lazy<string[]> ValidRecordTexts = new(() =>
    {
        var list = new List<string>();
        foreach (var c in Vectors.Value)
        {
            foreach (var r in c.Records)
            {
                list.Add(r.ToString());
                list.Add(TlsaRecordFormatter.Format(r, "_25._tcp.mx.example.com", 3600));
                list.Add(TlsaRecordFormatter.FormatGeneric(r));
            }
        }

        list.Add("_25._tcp.mx.example.com. 3600 IN TLSA ( DANE-EE SPKI SHA2-256 ; c\n 31116683 38043DE2 64D0256A702248696C9484B6221A42740F920187B4C61838 )");
        return [.. list.Distinct().Take(200)];
    });

    private static readonly Lazy<string[]> ValidPemTexts = new(() =>
    {
        var texts = new List<string>
        {
            File.ReadAllText(TestPaths.TestData("Dane", "danetest.pem")),
            File.ReadAllText(TestPaths.TestData("Dane", "cross-root.pem")),
        };
        using var rsa = System.Security.Cryptography.RSA.Create(1024);
        using var ec = System.Security.Cryptography.ECDsa.Create();
        texts.Add(rsa.ExportPkcs8PrivateKeyPem());
        texts.Add(rsa.ExportRSAPrivateKeyPem());
        texts.Add(rsa.ExportRSAPublicKeyPem());
        texts.Add(ec.ExportECPrivateKeyPem());
        texts.Add(ec.ExportSubjectPublicKeyInfoPem());
        foreach (var c in Vectors.Value.Take(25))
        {
            texts.Add(string.Concat(c.Chain.Select(x => x.ExportCertificatePem() + "\n")));
        }

        return [.. texts];
    });

    /// <summary>Mutations of <paramref name="samples"/>: insert, delete, replace, duplicate a slice, truncate.</summary>
    private static Gen<string> Mutated(string[] samples, Gen<char> chars) =>
        Gen.Select(Gen.Int[0, samples.Length - 1], Gen.Int[0, 4], Gen.Int[0, int.MaxValue], Gen.Int[1, 40], chars, Gen.Int[1, 3])
            .Select((i, op, pos, len, ch, rounds) =>
            {
                var s = samples[i];
                for (var k = 0; k < rounds; k++)
                {
                    var p = s.Length == 0 ? 0 : (pos / (k + 1)) % s.Length;
                    var l = Math.Min(len, s.Length - p);
                    s = op switch
                    {
                        0 => s.Insert(p, new string(ch, len % 3 + 1)),
                        1 => s.Remove(p, l),
                        2 => s.Length == 0 ? s : string.Concat(s.AsSpan(0, p), ch.ToString(), s.AsSpan(p + 1)),
                        3 => s.Insert(p, s.Substring(p, l)),
                        _ => s[..p],
                    };
                }

                return s;
            });

    private static readonly Gen<char> TlsaChars = Gen.Char["0123456789abcdefABCDEF \t\n()\\#;._-INTLSAPKXDSH"];

    [Fact]
    public void Tlsa_parser_never_throws_on_random_text()
    {
        var random = Gen.OneOf(Gen.String[TlsaChars, 0, 120], Gen.String);
        random.Sample(s => CheckParse(s), iter: 50_000);
    }

    [Fact]
    public void Tlsa_parser_never_throws_on_mutated_records()
    {
        Mutated(ValidRecordTexts.Value, Gen.OneOf(TlsaChars, Gen.Char)).Sample(s => CheckParse(s), iter: 60_000);
    }

    private static void CheckParse(string s)
    {
        var r = TlsaRecordParser.Parse(s);
        Assert.NotNull(r.Findings);
        if (r.IsValid)
        {
            Assert.NotNull(r.Record);
            Assert.True(r.Record!.Data.Length <= Limits.TlsaMaxDataBytes);
            Assert.Equal(r.Record, TlsaRecordParser.Parse(r.Record.ToString()).Record);
        }
        else
        {
            Assert.NotEmpty(r.Findings);
        }
    }

    private static readonly Gen<TlsaRecord> Records =
        Gen.Select(Gen.Byte, Gen.Byte, Gen.Byte, Gen.Byte.Array[1, 100], (u, s, m, d) => new TlsaRecord(u, s, m, d));

    [Fact]
    public void Format_then_parse_round_trips()
    {
        Gen.Select(Records, Gen.OneOf<string?>(null, "_25._tcp.mx.example.com", "_25._tcp.xn--bcher-kva.example."), Gen.OneOf(Gen.Const((uint?)null), Gen.UInt.Select(x => (uint?)x)))
            .Sample((r, owner, ttl) =>
            {
                var parsed = TlsaRecordParser.Parse(TlsaRecordFormatter.Format(r, owner, ttl));
                Assert.True(parsed.IsValid);
                Assert.Equal(r, parsed.Record);
                Assert.Equal(owner is null ? null : owner.TrimEnd('.') + ".", parsed.Owner);
                Assert.Equal(owner is null ? null : ttl, parsed.Ttl);
                Assert.Equal(r, TlsaRecordParser.Parse(TlsaRecordFormatter.FormatGeneric(r)).Record);
            }, iter: 20_000);
    }

    private static Gen<string> PemInputs()
    {
        var pemChars = Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-\n "];
        var mutated = Mutated(ValidPemTexts.Value, Gen.OneOf(pemChars, Gen.Char));
        var random = Gen.OneOf(Gen.String[pemChars, 0, 200], Gen.Const("-----BEGIN CERTIFICATE-----\n").Select(Gen.String[pemChars, 0, 300], (a, b) => a + b + "\n-----END CERTIFICATE-----\n"));
        return Gen.Frequency((4, mutated), (1, random));
    }

    // PemReader gets 40,000 + 50,000 + 10,000 (DER bytes) = 100,000 inputs in total across its entry points.
    [Fact]
    public void Pem_reader_certificates_never_throw_on_random_and_mutated_text()
    {
        PemInputs().Sample(s =>
        {
            var certs = PemReader.ReadCertificates(s);
            Assert.Equal(certs.IsSuccess, certs.Error is null);
            Assert.True(certs.IsSuccess ? certs.Certificates.Count is > 0 and <= 16 : certs.Certificates.Count == 0);
        }, iter: 40_000);
    }

    [Fact]
    public void Pem_reader_keys_never_throw_on_random_and_mutated_text()
    {
        PemInputs().Sample(s =>
        {
            var spki = PemReader.ReadSubjectPublicKeyInfo(s);
            Assert.Equal(spki.IsSuccess, spki.Error is null);
            Assert.True(!spki.IsSuccess || CertificateDer.IsSubjectPublicKeyInfo(spki.SubjectPublicKeyInfo));
        }, iter: 50_000);
    }

    [Fact]
    public void Pem_reader_never_throws_on_mutated_der()
    {
        var der = Vectors.Value.SelectMany(c => c.Chain).Select(c => c.RawData).Take(20).ToArray();
        Gen.Select(Gen.Int[0, der.Length - 1], Gen.Int[0, 2000], Gen.Byte, Gen.Int[0, 2]).Sample((i, pos, b, op) =>
        {
            var d = der[i].ToList();
            var p = pos % d.Count;
            switch (op)
            {
                case 0: d[p] = b; break;
                case 1: d.RemoveRange(p, d.Count - p); break;
                default: d.Insert(p, b); break;
            }

            var r = PemReader.ReadCertificates(d.ToArray());
            Assert.Equal(r.IsSuccess, r.Error is null);
        }, iter: 10_000);
    }

    [Fact]
    public void Matcher_never_throws_on_random_records()
    {
        var chains = Vectors.Value.Select(c => c.Chain).Concat(Vectors.Value.Select(c => (IReadOnlyList<X509Certificate2>)c.Chain.Reverse().ToList())).ToArray();
        var realRecords = Vectors.Value.SelectMany(c => c.Records).Distinct().ToArray();
        var mutatedReal = Gen.Select(Gen.Int[0, realRecords.Length - 1], Gen.Byte, Gen.Int[0, 4], Gen.Int[0, 5000], (i, b, field, pos) =>
        {
            var r = realRecords[i];
            var data = r.Data.ToArray();
            return field switch
            {
                0 => r with { Usage = b },
                1 => r with { Selector = (byte)(b % 3) },
                2 => r with { MatchingType = (byte)(b % 4) },
                3 => r with { Data = data.Length == 0 ? data : data.Select((x, k) => k == pos % data.Length ? (byte)(x ^ b | 1) : x).ToArray() },
                _ => r,
            };
        });
        var record = Gen.Frequency((2, Records), (3, mutatedReal));
        var roots = PemReader.ReadCertificates(File.ReadAllText(TestPaths.TestData("Dane", "danetest.pem"))).Certificates;
        Gen.Select(Gen.Int[0, chains.Length - 1], record.List[0, 5], Gen.Bool, Gen.Bool).Sample((ci, recs, pkix, names) =>
        {
            var result = TlsaMatcher.Match(chains[ci], recs, new TlsaMatchOptions
            {
                ReferenceNames = ["example.com"],
                Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
                AllowPkixUsages = pkix,
                CheckDaneEeNames = names,
                TrustedRoots = roots,
            });
            Assert.Equal(recs.Count, result.Records.Count);
            Assert.Equal(result.Matched, result.MatchedRecord is not null && result.Status == TlsaMatchStatus.Matched);
            Assert.True(result.Matched ? result.Depth >= 0 : result.Status != TlsaMatchStatus.Matched);
            Assert.NotEmpty(result.Findings);
        }, iter: 6_000);
    }
}
