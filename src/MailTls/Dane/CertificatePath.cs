using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace MailTls.Dane;

/// <summary>A trust anchor: a public key (DER SPKI), optionally with the subject name a child's issuer must carry.</summary>
internal sealed record PathAnchor(byte[] Spki, X500DistinguishedName? Subject);

internal enum PathStatus
{
    Ok,
    Incomplete,
    Invalid,
    Expired,
}

/// <summary>
/// Step-by-step issuer path validation below a DANE-TA(2) or PKIX trust anchor (RFC 5280 §6, simplified): issuer
/// name chaining, signatures (BouncyCastle verifies every algorithm the certificates may use), CA basicConstraints
/// on every issuer and validity dates of every certificate below the anchor. The anchor may be any certificate or a
/// bare key (RFC 7671 §5.2: an intermediate CA is a valid TA). Only the certificates given are used: no AIA fetch,
/// no system store. X509Chain is not used: with <c>X509ChainTrustMode.CustomRootTrust</c> on Linux it cannot anchor at
/// a non-self-signed intermediate (measured on .NET 10: status PartialChain), nor at a bare key (<c>2 1 0</c>).
/// Not checked: pathLenConstraint, name constraints, policies, key usage (none affects the DANE
/// vectors; RFC 7671 §5.2.2 leaves TA constraints to the TA's own certificate).
/// </summary>
internal static class CertificatePath
{
    /// <summary>
    /// Finds a path leaf → … → c where c is signed by one of <paramref name="anchors"/>, using <paramref name="pool"/>
    /// for intermediates. Returns the path (leaf first, anchor excluded) and which anchor signed its top.
    /// </summary>
    public static (PathStatus Status, IReadOnlyList<X509Certificate2> Path, PathAnchor? Anchor, string Detail) Build(
        X509Certificate2 leaf, IReadOnlyList<X509Certificate2> pool, IReadOnlyList<PathAnchor> anchors, DateTimeOffset now)
    {
        var path = new List<X509Certificate2> { leaf };
        var sawBadSignature = false;
        var anchor = Walk(path, pool, anchors, ref sawBadSignature);
        if (anchor is null)
        {
            return sawBadSignature
                ? (PathStatus.Invalid, [], null, "a candidate issuer's signature does not verify")
                : (PathStatus.Incomplete, [], null, $"no issuer found for '{path[^1].Subject}' (issuer '{path[^1].Issuer}')");
        }

        for (var i = 1; i < path.Count; i++)
        {
            if (!IsCa(path[i]))
            {
                return (PathStatus.Invalid, path, anchor, $"'{path[i].Subject}' is not a CA certificate (basicConstraints cA)");
            }
        }

        foreach (var c in path)
        {
            if (now < new DateTimeOffset(c.NotBefore) || now > new DateTimeOffset(c.NotAfter))
            {
                return (PathStatus.Expired, path, anchor, $"'{c.Subject}' is valid {c.NotBefore:u} – {c.NotAfter:u}, not at {now:u}");
            }
        }

        return (PathStatus.Ok, path, anchor, "path validates");
    }

    private static PathAnchor? Walk(List<X509Certificate2> path, IReadOnlyList<X509Certificate2> pool, IReadOnlyList<PathAnchor> anchors, ref bool sawBadSignature)
    {
        var current = path[^1];
        foreach (var a in anchors)
        {
            if (a.Subject is not null && !SameName(current.IssuerName, a.Subject))
            {
                continue;
            }

            if (VerifySignature(current, a.Spki))
            {
                return a;
            }

            sawBadSignature |= a.Subject is not null;
        }

        if (path.Count >= Limits.TlsaMaxPathLength)
        {
            return null;
        }

        foreach (var candidate in pool)
        {
            if (path.Any(p => p.RawData.AsSpan().SequenceEqual(candidate.RawData)) || !SameName(current.IssuerName, candidate.SubjectName))
            {
                continue;
            }

            if (!VerifySignature(current, candidate.PublicKey.ExportSubjectPublicKeyInfo()))
            {
                sawBadSignature = true;
                continue;
            }

            path.Add(candidate);
            var found = Walk(path, pool, anchors, ref sawBadSignature);
            if (found is not null)
            {
                return found;
            }

            path.RemoveAt(path.Count - 1);
        }

        return null;
    }

    internal static bool SameName(X500DistinguishedName a, X500DistinguishedName b) => a.RawData.AsSpan().SequenceEqual(b.RawData);

    internal static bool VerifySignature(X509Certificate2 child, byte[] issuerSpki)
    {
        try
        {
            var bc = new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(child.RawData);
            AsymmetricKeyParameter key = PublicKeyFactory.CreateKey(issuerSpki);
            return bc is not null && bc.IsSignatureValid(key);
        }
#pragma warning disable CA1031 // BouncyCastle throws many unrelated exception types for hostile keys and signatures.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            // Unsupported or malformed key or signature: the link cannot be verified.
            return false;
        }
    }

    private static bool IsCa(X509Certificate2 cert) =>
        cert.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);
}
