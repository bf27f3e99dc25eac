using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace MailTls.Dns.Dnssec;

/// <summary>
/// DNSSEC algorithm and digest support (RFC 8624 §3): RSA/SHA-1 (5, 7; RFC 3110), RSA/SHA-256 and SHA-512 (8, 10;
/// RFC 5702), ECDSA P-256/P-384 (13, 14; RFC 6605) with .NET crypto; Ed25519 and Ed448 (15, 16; RFC 8080) with
/// BouncyCastle (the BCL has neither). DS digests SHA-1, SHA-256, SHA-384 (1, 2, 4; RFC 4509, RFC 6605).
/// </summary>
public static class DnssecAlgorithms
{
    public static bool IsSupported(byte algorithm) => algorithm is 5 or 7 or 8 or 10 or 13 or 14 or 15 or 16;

    public static bool IsSupportedDigest(byte digestType) => digestType is 1 or 2 or 4;

    public static string Name(byte algorithm) => algorithm switch
    {
        1 => "RSAMD5",
        3 => "DSA",
        5 => "RSASHA1",
        6 => "DSA-NSEC3-SHA1",
        7 => "RSASHA1-NSEC3-SHA1",
        8 => "RSASHA256",
        10 => "RSASHA512",
        12 => "ECC-GOST",
        13 => "ECDSAP256SHA256",
        14 => "ECDSAP384SHA384",
        15 => "ED25519",
        16 => "ED448",
        _ => "ALG" + algorithm.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static string DigestName(byte digestType) => digestType switch
    {
        1 => "SHA-1",
        2 => "SHA-256",
        3 => "GOST",
        4 => "SHA-384",
        _ => "DIGEST" + digestType.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>DS digest (RFC 4034 §5.1.4): digest(canonical owner | DNSKEY RDATA); null for unsupported digests.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "DS digest type 1 is SHA-1 by definition (RFC 4034 §5.1.4); validating it is required.")]
    public static byte[]? DsDigest(byte digestType, ReadOnlySpan<byte> ownerWireLower, ReadOnlySpan<byte> dnskeyRdata)
    {
        var input = new byte[ownerWireLower.Length + dnskeyRdata.Length];
        ownerWireLower.CopyTo(input);
        dnskeyRdata.CopyTo(input.AsSpan(ownerWireLower.Length));
        return digestType switch
        {
            1 => SHA1.HashData(input),
            2 => SHA256.HashData(input),
            4 => SHA384.HashData(input),
            _ => null,
        };
    }

    /// <summary>Key size in bits for display (RSA modulus, curve size, EdDSA), 0 when the key does not parse.</summary>
    public static int KeyBits(byte algorithm, ReadOnlySpan<byte> key) => algorithm switch
    {
        5 or 7 or 8 or 10 => TryRsa(key, out _, out var modulus) ? TrimmedBits(modulus) : 0,
        13 => 256,
        14 => 384,
        15 => 256,
        16 => 456,
        _ => 0,
    };

    /// <summary>Verifies <paramref name="signature"/> over <paramref name="data"/>; false for malformed keys or signatures, never throws.</summary>
    public static bool Verify(byte algorithm, ReadOnlySpan<byte> publicKey, byte[] data, byte[] signature)
    {
        try
        {
            switch (algorithm)
            {
                case 5 or 7 or 8 or 10:
                    {
                        if (!TryRsa(publicKey, out var exponent, out var modulus))
                        {
                            return false;
                        }

                        var rsa = KeyCache.Get(algorithm, publicKey, () =>
                        {
                            var created = RSA.Create();
                            created.ImportParameters(new RSAParameters { Exponent = exponent, Modulus = modulus });
                            return created;
                        });
                        var hash = algorithm switch { 8 => HashAlgorithmName.SHA256, 10 => HashAlgorithmName.SHA512, _ => HashAlgorithmName.SHA1 };
                        return rsa.VerifyData(data, signature, hash, RSASignaturePadding.Pkcs1);
                    }

                case 13 or 14:
                    {
                        var size = algorithm == 13 ? 32 : 48;
                        if (publicKey.Length != 2 * size || signature.Length != 2 * size)
                        {
                            return false;
                        }

                        var x = publicKey[..size].ToArray();
                        var y = publicKey[size..].ToArray();
                        var ecdsa = KeyCache.Get(algorithm, publicKey, () => ECDsa.Create(new ECParameters
                        {
                            Curve = algorithm == 13 ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384,
                            Q = new ECPoint { X = x, Y = y },
                        }));
                        return ecdsa.VerifyData(data, signature, algorithm == 13 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
                    }

                case 15:
                    {
                        if (publicKey.Length != Ed25519PublicKeyParameters.KeySize || signature.Length != 64)
                        {
                            return false;
                        }

                        var signer = new Ed25519Signer();
                        signer.Init(false, new Ed25519PublicKeyParameters(publicKey.ToArray()));
                        signer.BlockUpdate(data, 0, data.Length);
                        return signer.VerifySignature(signature);
                    }

                case 16:
                    {
                        if (publicKey.Length != Ed448PublicKeyParameters.KeySize || signature.Length != 114)
                        {
                            return false;
                        }

                        var signer = new Ed448Signer([]);
                        signer.Init(false, new Ed448PublicKeyParameters(publicKey.ToArray()));
                        signer.BlockUpdate(data, 0, data.Length);
                        return signer.VerifySignature(signature);
                    }

                default:
                    return false;
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>RFC 3110 §2: exponent length (1 octet, or 0 then 2 octets), exponent, modulus.</summary>
    internal static bool TryRsa(ReadOnlySpan<byte> key, out byte[] exponent, out byte[] modulus)
    {
        exponent = [];
        modulus = [];
        if (key.Length < 3)
        {
            return false;
        }

        int expLength = key[0];
        var offset = 1;
        if (expLength == 0)
        {
            expLength = (key[1] << 8) | key[2];
            offset = 3;
        }

        if (expLength == 0 || offset + expLength >= key.Length)
        {
            return false;
        }

        exponent = key.Slice(offset, expLength).ToArray();
        modulus = key[(offset + expLength)..].ToArray();
        return modulus.Length >= 64 && modulus.Length <= 512; // 512 to 4096 bits (RFC 3110 §2, RFC 5702 §2)
    }

    private static int TrimmedBits(byte[] modulus)
    {
        var i = 0;
        while (i < modulus.Length && modulus[i] == 0)
        {
            i++;
        }

        return i == modulus.Length ? 0 : ((modulus.Length - i - 1) * 8) + (8 - System.Numerics.BitOperations.LeadingZeroCount((uint)modulus[i]) + 24);
    }

    /// <summary>
    /// Imported RSA/ECDSA public keys, per thread (an instance is never shared between threads) and bounded: a zone's
    /// keys verify several RRsets in a row, and importing a key costs more than one verification.
    /// </summary>
    private static class KeyCache
    {
        private const int Capacity = 64;

        [ThreadStatic]
        private static Dictionary<string, AsymmetricAlgorithm>? keys;

        public static T Get<T>(byte algorithm, ReadOnlySpan<byte> publicKey, Func<T> create)
            where T : AsymmetricAlgorithm
        {
            var id = string.Create(1 + (publicKey.Length * 2), (algorithm, publicKey.ToArray()), static (span, state) =>
            {
                span[0] = (char)state.algorithm;
                Convert.TryToHexString(state.Item2, span[1..], out _);
            });
            keys ??= new Dictionary<string, AsymmetricAlgorithm>(StringComparer.Ordinal);
            if (keys.TryGetValue(id, out var held) && held is T typed)
            {
                return typed;
            }

            if (keys.Count >= Capacity)
            {
                foreach (var old in keys.Values)
                {
                    old.Dispose();
                }

                keys.Clear();
            }

            var fresh = create();
            keys[id] = fresh;
            return fresh;
        }
    }
}
