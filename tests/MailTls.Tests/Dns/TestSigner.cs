using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using MailTls.Dns;
using MailTls.Dns.Dnssec;
using MailTls.Dns.Wire;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace MailTls.Tests.Dns;

/// <summary>A DNSSEC key pair made in the test: RSA/ECDSA with .NET, Ed25519/Ed448 with BouncyCastle.</summary>
internal sealed class TestKey
{
    private readonly Func<byte[], byte[]> sign;

    private TestKey(byte algorithm, ushort flags, byte[] publicKey, Func<byte[], byte[]> sign)
    {
        Algorithm = algorithm;
        Flags = flags;
        PublicKey = publicKey;
        this.sign = sign;
    }

    public byte Algorithm { get; }

    public ushort Flags { get; }

    public byte[] PublicKey { get; }

    public byte[] Rdata => [(byte)(Flags >> 8), (byte)Flags, 3, Algorithm, .. PublicKey];

    public ushort Tag
    {
        get
        {
            // RFC 4034 Appendix B, written out independently of the library.
            var r = Rdata;
            long ac = 0;
            for (var i = 0; i < r.Length; i++)
            {
                ac += (i & 1) == 1 ? r[i] : r[i] << 8;
            }

            ac += (ac >> 16) & 0xFFFF;
            return (ushort)(ac & 0xFFFF);
        }
    }

    public byte[] Sign(byte[] data) => sign(data);

    public static TestKey Create(byte algorithm, bool ksk)
    {
        var flags = (ushort)(ksk ? 257 : 256);
        switch (algorithm)
        {
            case 5 or 7 or 8 or 10:
                {
                    var rsa = RSA.Create(1024);
                    var p = rsa.ExportParameters(false);
                    var hash = algorithm switch { 8 => HashAlgorithmName.SHA256, 10 => HashAlgorithmName.SHA512, _ => HashAlgorithmName.SHA1 };
                    return new TestKey(algorithm, flags, [(byte)p.Exponent!.Length, .. p.Exponent, .. p.Modulus!], d => rsa.SignData(d, hash, RSASignaturePadding.Pkcs1));
                }

            case 13 or 14:
                {
                    var ec = ECDsa.Create(algorithm == 13 ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384);
                    var q = ec.ExportParameters(false).Q;
                    var hash = algorithm == 13 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384;
                    return new TestKey(algorithm, flags, [.. q.X!, .. q.Y!], d => ec.SignData(d, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
                }

            case 15:
                {
                    var priv = new Ed25519PrivateKeyParameters(new SecureRandom());
                    return new TestKey(algorithm, flags, priv.GeneratePublicKey().GetEncoded(), d =>
                    {
                        var s = new Ed25519Signer();
                        s.Init(true, priv);
                        s.BlockUpdate(d, 0, d.Length);
                        return s.GenerateSignature();
                    });
                }

            case 16:
                {
                    var priv = new Ed448PrivateKeyParameters(new SecureRandom());
                    return new TestKey(algorithm, flags, priv.GeneratePublicKey().GetEncoded(), d =>
                    {
                        var s = new Ed448Signer([]);
                        s.Init(true, priv);
                        s.BlockUpdate(d, 0, d.Length);
                        return s.GenerateSignature();
                    });
                }

            default:
                // An algorithm we cannot sign with: random bytes stand in (validators must not try it).
                return new TestKey(algorithm, flags, RandomNumberGenerator.GetBytes(64), _ => RandomNumberGenerator.GetBytes(64));
        }
    }
}

public enum Denial
{
    Nsec,
    Nsec3,
    Nsec3OptOut,
}

/// <summary>
/// A zone signed in the test: KSK signs the DNSKEY RRset, ZSK the rest; NSEC or NSEC3 (optionally opt-out,
/// leaving insecure delegations out of the chain) as RFC 4035 §2.3 and RFC 5155 §7.1 describe. The canonical
/// form (RFC 4034 §6) is written out here independently of the library's, so the two cross-check.
/// </summary>
internal sealed class TestZone
{
    public TestZone(string apex, byte algorithm, Denial denial = Denial.Nsec)
    {
        Apex = apex;
        Denial = denial;
        Ksk = TestKey.Create(algorithm, ksk: true);
        Zsk = TestKey.Create(algorithm, ksk: false);
        var owner = apex == "." ? "." : apex + ".";
        Add($"{owner} 3600 IN SOA ns.{(apex == "." ? string.Empty : apex + ".")} hostmaster.{(apex == "." ? "root." : apex + ".")} 1 7200 3600 1209600 300");
    }

    public static readonly DateTimeOffset Inception = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Expiration = new(2026, 12, 31, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A time inside the validity window.</summary>
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public string Apex { get; }

    public Denial Denial { get; }

    public TestKey Ksk { get; set; }

    public TestKey Zsk { get; set; }

    public List<DnsRecord> Data { get; } = [];

    public uint SigInception { get; set; } = (uint)Inception.ToUnixTimeSeconds();

    public uint SigExpiration { get; set; } = (uint)Expiration.ToUnixTimeSeconds();

    public ushort Nsec3Iterations { get; set; }

    public TestZone Add(string line)
    {
        Data.Add(RecordText.Parse(line).Record ?? throw new InvalidOperationException("bad test record " + line));
        return this;
    }

    /// <summary>The DS of this zone's KSK (digest computed here, RFC 4034 §5.1.4).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "DS digest type 1 is SHA-1.")]
    public string DsLine(byte digestType = 2)
    {
        var input = Wire(Apex).Concat(Ksk.Rdata).ToArray();
        var digest = digestType switch { 1 => SHA1.HashData(input), 4 => SHA384.HashData(input), _ => SHA256.HashData(input) };
        return $"{Fqdn(Apex)} 3600 IN DS {Ksk.Tag} {Ksk.Algorithm} {digestType} {Convert.ToHexString(digest)}";
    }

    public List<DnsRecord> Sign()
    {
        var all = new List<DnsRecord>(Data)
        {
            new(Apex, DnsRecordType.DNSKEY, 1, 3600, Ksk.Rdata),
            new(Apex, DnsRecordType.DNSKEY, 1, 3600, Zsk.Rdata),
        };
        var cuts = all.Where(r => r.Type == DnsRecordType.NS && r.Name != Apex).Select(r => r.Name).ToHashSet();
        bool Glue(string n) => cuts.Any(c => n != c && NameOps.IsAtOrBelow(n, c));
        var authoritative = all.Where(r => !Glue(r.Name)).ToList();
        var owners = authoritative.Select(r => r.Name).Distinct().ToList();

        var denial = new List<DnsRecord>();
        if (Denial == Denial.Nsec)
        {
            owners.Sort(NameOps.CanonicalCompare);
            for (var i = 0; i < owners.Count; i++)
            {
                var types = authoritative.Where(r => r.Name == owners[i]).Select(r => r.Type).Append(DnsRecordType.NSEC).Append(DnsRecordType.RRSIG);
                var next = owners[(i + 1) % owners.Count];
                denial.Add(new DnsRecord(owners[i], DnsRecordType.NSEC, 1, 300, (byte[])[.. Wire(next), .. RecordData.TypeBitmap(types)]));
            }
        }
        else
        {
            var optOut = Denial == Denial.Nsec3OptOut;
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var o in owners)
            {
                var isInsecureCut = cuts.Contains(o) && !authoritative.Any(r => r.Name == o && r.Type == DnsRecordType.DS);
                if (optOut && isInsecureCut)
                {
                    continue;
                }

                for (var n = o; n != Apex && NameOps.IsAtOrBelow(n, Apex); n = NameOps.Parent(n))
                {
                    names.Add(n); // the name and its empty non-terminals (RFC 5155 §7.1)
                }
            }

            names.Add(Apex);
            var salt = Array.Empty<byte>();
            var hashed = names.Select(n => (Name: n, Hash: DenialProofs.Nsec3Hash(n, salt, Nsec3Iterations))).OrderBy(x => x.Hash, ByteComparer.Instance).ToList();
            for (var i = 0; i < hashed.Count; i++)
            {
                var types = authoritative.Where(r => r.Name == hashed[i].Name).Select(r => r.Type).ToList();
                var signedHere = types.Any(t => t != DnsRecordType.NS || hashed[i].Name == Apex) || types.Contains(DnsRecordType.DS);
                if (signedHere)
                {
                    types.Add(DnsRecordType.RRSIG);
                }

                if (hashed[i].Name == Apex)
                {
                    types.Add(DnsRecordType.NSEC3PARAM);
                }

                var next = hashed[(i + 1) % hashed.Count].Hash;
                byte[] rdata = [1, (byte)(optOut ? 1 : 0), (byte)(Nsec3Iterations >> 8), (byte)Nsec3Iterations, 0, (byte)next.Length, .. next, .. RecordData.TypeBitmap(types)];
                denial.Add(new DnsRecord(Base32Hex.Encode(hashed[i].Hash) + "." + Apex, DnsRecordType.NSEC3, 1, 300, rdata));
            }

            authoritative.Add(new DnsRecord(Apex, DnsRecordType.NSEC3PARAM, 1, 0, (byte[])[1, 0, (byte)(Nsec3Iterations >> 8), (byte)Nsec3Iterations, 0]));
        }

        var signed = new List<DnsRecord>(all);
        if (Denial != Denial.Nsec)
        {
            signed.Add(authoritative[^1]);
        }

        signed.AddRange(denial);
        foreach (var group in authoritative.Concat(denial).GroupBy(r => (r.Name, r.Type)))
        {
            if (group.Key.Type == DnsRecordType.NS && group.Key.Name != Apex)
            {
                continue; // delegation NS is not authoritative (RFC 4035 §2.2)
            }

            var key = group.Key.Type == DnsRecordType.DNSKEY ? Ksk : Zsk;
            signed.Add(SignRrset([.. group], key));
        }

        return signed;
    }

    public DnsRecord SignRrset(IReadOnlyList<DnsRecord> rrset, TestKey key, string? signer = null)
    {
        var owner = rrset[0].Name;
        var labels = owner == "." ? 0 : owner.Split('.').Length - (owner.StartsWith("*.", StringComparison.Ordinal) ? 1 : 0);
        var prefix = new List<byte>();
        void U16(int v) { prefix.Add((byte)(v >> 8)); prefix.Add((byte)v); }
        void U32(uint v) { prefix.Add((byte)(v >> 24)); prefix.Add((byte)(v >> 16)); prefix.Add((byte)(v >> 8)); prefix.Add((byte)v); }
        U16((int)rrset[0].Type);
        prefix.Add(key.Algorithm);
        prefix.Add((byte)labels);
        U32(rrset[0].Ttl);
        U32(SigExpiration);
        U32(SigInception);
        U16(key.Tag);
        prefix.AddRange(Wire(signer ?? Apex));
        var data = new List<byte>(prefix);
        foreach (var rdata in rrset.Select(r => r.Data.ToArray()).OrderBy(d => d, ByteComparer.Instance))
        {
            data.AddRange(Wire(owner));
            var fixedPart = new byte[10];
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart, (ushort)rrset[0].Type);
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart.AsSpan(2), 1);
            BinaryPrimitives.WriteUInt32BigEndian(fixedPart.AsSpan(4), rrset[0].Ttl);
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart.AsSpan(8), (ushort)rdata.Length);
            data.AddRange(fixedPart);
            data.AddRange(rdata);
        }

        return new DnsRecord(owner, DnsRecordType.RRSIG, 1, rrset[0].Ttl, (byte[])[.. prefix, .. key.Sign([.. data])]);
    }

    public static string Fqdn(string name) => name == "." ? "." : name + ".";

    /// <summary>Lower-case wire form, written independently of the library.</summary>
    public static byte[] Wire(string name)
    {
        var output = new List<byte>();
        if (name != ".")
        {
            foreach (var label in name.Split('.'))
            {
                output.Add((byte)label.Length);
                output.AddRange(Encoding.ASCII.GetBytes(label.ToLowerInvariant()));
            }
        }

        output.Add(0);
        return [.. output];
    }
}

internal sealed class ByteComparer : IComparer<byte[]>
{
    public static readonly ByteComparer Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
