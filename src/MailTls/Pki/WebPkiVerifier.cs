using System.Security.Cryptography.X509Certificates;

namespace MailTls.Pki;

/// <summary>Why a presented chain fails WebPKI validation for a host name (RFC 8461 §3.3/§4.2; RFC 8460 §4.3 result types).</summary>
public enum WebPkiStatus
{
    Valid = 0,

    /// <summary>No SAN DNS-ID matches the host name (RFC 6125 as profiled by <see cref="CertificateIdentity"/>).</summary>
    NameMismatch,

    /// <summary>A certificate on the path has expired.</summary>
    Expired,

    /// <summary>A certificate on the path is not valid yet.</summary>
    NotYetValid,

    /// <summary>The leaf is self-signed (issuer = subject, no chain to a trusted root).</summary>
    SelfSigned,

    /// <summary>The chain does not lead to a root in the trust store.</summary>
    Untrusted,

    /// <summary>The server sent no certificate.</summary>
    NoCertificate,

    /// <summary>Any other chain problem (signature, constraints, usage).</summary>
    Invalid,
}

/// <summary>Outcome of <see cref="WebPkiVerifier.Verify"/>: the first problem by priority, and all of them.</summary>
public sealed record WebPkiResult(WebPkiStatus Status, IReadOnlyList<WebPkiStatus> Problems, string Detail)
{
    public bool IsValid => Status == WebPkiStatus.Valid;
}

/// <summary>
/// PKIX validation of a chain as the server sent it (leaf first) against the system trust store, plus the host name
/// check of <see cref="CertificateIdentity"/> — the rule MTA-STS senders apply to the policy host and to MX hosts.
/// Revocation is not checked (senders do not; RFC 8461 §4.2 leaves it out).
/// </summary>
public static class WebPkiVerifier
{
    public static WebPkiResult Verify(IReadOnlyList<X509Certificate2> presented, string host, DateTimeOffset now, IReadOnlyList<X509Certificate2>? customRoots = null)
    {
        ArgumentNullException.ThrowIfNull(presented);
        if (presented.Count == 0)
        {
            return new WebPkiResult(WebPkiStatus.NoCertificate, [WebPkiStatus.NoCertificate], "the server sent no certificate");
        }

        var leaf = presented[0];
        var problems = new List<WebPkiStatus>();
        var details = new List<string>();
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        foreach (var c in presented.Skip(1))
        {
            chain.ChainPolicy.ExtraStore.Add(c);
        }

        if (customRoots is { Count: > 0 })
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            foreach (var root in customRoots)
            {
                chain.ChainPolicy.CustomTrustStore.Add(root);
            }
        }

        try
        {
            Judge(chain, chain.Build(leaf), leaf, presented.Count, now, problems, details);
        }
        finally
        {
            // The elements' certificates are new objects owned by the chain's caller (X509Chain.Dispose leaves them):
            // undisposed, every one of them would be left to the finalizer thread.
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }

        if (!CertificateIdentity.Matches(host, leaf))
        {
            problems.Add(WebPkiStatus.NameMismatch);
            var names = CertificateIdentity.GetDnsNames(leaf);
            details.Add($"the certificate names {(names.Count == 0 ? "no DNS names" : string.Join(", ", names))}, not {host}");
        }

        if (problems.Count == 0)
        {
            return new WebPkiResult(WebPkiStatus.Valid, [], "valid for " + host);
        }

        // Priority: the problem a postmaster must fix first, in the order senders report them.
        WebPkiStatus[] order = [WebPkiStatus.SelfSigned, WebPkiStatus.Untrusted, WebPkiStatus.Expired, WebPkiStatus.NotYetValid, WebPkiStatus.NameMismatch, WebPkiStatus.Invalid];
        var first = order.First(problems.Contains);
        return new WebPkiResult(first, problems, string.Join("; ", details));
    }

    private static void Judge(X509Chain chain, bool ok, X509Certificate2 leaf, int presentedCount, DateTimeOffset now, List<WebPkiStatus> problems, List<string> details)
    {
        var selfSigned = leaf.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData);
        if (!ok)
        {
            var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (a, s) => a | s.Status);
            foreach (var element in chain.ChainElements)
            {
                flags |= element.ChainElementStatus.Aggregate(X509ChainStatusFlags.NoError, (a, s) => a | s.Status);
            }

            if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
            {
                var notYet = chain.ChainElements.Any(e => e.Certificate.NotBefore.ToUniversalTime() > now.UtcDateTime);
                problems.Add(notYet ? WebPkiStatus.NotYetValid : WebPkiStatus.Expired);
                details.Add(notYet ? "a certificate is not valid yet" : "a certificate has expired");
            }

            if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
            {
                problems.Add(selfSigned && presentedCount == 1 ? WebPkiStatus.SelfSigned : WebPkiStatus.Untrusted);
                details.Add(selfSigned ? "the certificate is self-signed" : "the chain does not lead to a trusted root");
            }

            var other = flags & ~(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain
                | X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation);
            if (other != X509ChainStatusFlags.NoError)
            {
                problems.Add(WebPkiStatus.Invalid);
                details.Add("chain status: " + other);
            }
        }
    }
}
