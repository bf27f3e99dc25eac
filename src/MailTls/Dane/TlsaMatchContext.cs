using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailTls.Pki;

namespace MailTls.Dane;

/// <summary>Evaluates single records against one presented chain for <see cref="TlsaMatcher"/>.</summary>
internal sealed class MatchContext(IReadOnlyList<X509Certificate2> chain, TlsaMatchOptions options, IReadOnlyList<TlsaRecord> candidates)
{
    private X509Certificate2 Leaf => chain[0];

    public TlsaRecordDiagnostic Evaluate(TlsaRecord r) => r.Usage switch
    {
        3 => DaneEe(r),
        2 => DaneTa(r),
        1 => PkixEe(r),
        _ => PkixTa(r),
    };

    private TlsaRecordDiagnostic DaneEe(TlsaRecord r)
    {
        if (!TlsaMatcher.Matches(r, Leaf.RawData))
        {
            return new(r, TlsaRecordOutcome.DigestMismatch, -1, $"compared with the leaf '{Leaf.Subject}' (depth 0): no match");
        }

        if (options.CheckDaneEeNames && !TlsaMatcher.NameMatches(Leaf, options.ReferenceNames))
        {
            return new(r, TlsaRecordOutcome.NameMismatch, 0, NameDetail());
        }

        return new(r, TlsaRecordOutcome.Matched, 0, "matched the leaf certificate");
    }

    private TlsaRecordDiagnostic DaneTa(TlsaRecord r)
    {
        TlsaRecordDiagnostic? firstFailure = null;
        for (var depth = 1; depth < chain.Count; depth++)
        {
            if (!TlsaMatcher.Matches(r, chain[depth].RawData))
            {
                continue;
            }

            var anchor = new PathAnchor(chain[depth].PublicKey.ExportSubjectPublicKeyInfo(), chain[depth].SubjectName);
            var pool = chain.Skip(1).Where((_, i) => i + 1 < depth).ToList();
            var d = Finish(r, depth, CertificatePath.Build(Leaf, pool, [anchor], options.Now));
            if (d.Outcome == TlsaRecordOutcome.Matched)
            {
                return d;
            }

            firstFailure ??= d;
        }

        if (firstFailure is not null)
        {
            return firstFailure;
        }

        // RFC 7671 §5.2.2: a Full(0) TA may be supplied only in DNS; it must have signed a presented certificate.
        if (r.MatchingType == 0)
        {
            var fromDns = DnsAnchor(r);
            if (fromDns is not null)
            {
                var built = CertificatePath.Build(Leaf, chain.Skip(1).ToList(), [fromDns], options.Now);
                if (built.Status != PathStatus.Incomplete || built.Path.Count > 0)
                {
                    var top = IndexOf(built.Path.Count > 0 ? built.Path[^1] : Leaf);
                    return Finish(r, r.Selector == 0 ? top + 1 : top, built);
                }
            }
        }

        return new(r, TlsaRecordOutcome.TaNotPresented, -1,
            $"compared with the {chain.Count - 1} issuer certificate(s) presented at depth ≥ 1: no match");
    }

    private TlsaRecordDiagnostic PkixEe(TlsaRecord r)
    {
        if (!TlsaMatcher.Matches(r, Leaf.RawData))
        {
            return new(r, TlsaRecordOutcome.DigestMismatch, -1, $"compared with the leaf '{Leaf.Subject}' (depth 0): no match");
        }

        return Finish(r, 0, PkixPath());
    }

    private TlsaRecordDiagnostic PkixTa(TlsaRecord r)
    {
        var built = PkixPath();
        if (built.Status == PathStatus.Incomplete)
        {
            for (var depth = 1; depth < chain.Count; depth++)
            {
                if (TlsaMatcher.Matches(r, chain[depth].RawData))
                {
                    return Finish(r, depth, built);
                }
            }

            return new(r, TlsaRecordOutcome.DigestMismatch, -1, "no PKIX path to a trusted root and no presented issuer matches");
        }

        var full = built.Path.ToList();
        var root = options.TrustedRoots.FirstOrDefault(t => built.Anchor is not null && t.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(built.Anchor.Spki));
        if (root is not null)
        {
            full.Add(root);
        }

        for (var depth = 1; depth < full.Count; depth++)
        {
            if (TlsaMatcher.Matches(r, full[depth].RawData))
            {
                return Finish(r, depth, built);
            }
        }

        return new(r, TlsaRecordOutcome.DigestMismatch, -1, $"compared with the {full.Count - 1} CA certificate(s) of the PKIX path: no match");
    }

    private (PathStatus Status, IReadOnlyList<X509Certificate2> Path, PathAnchor? Anchor, string Detail) PkixPath()
    {
        var anchors = options.TrustedRoots.Select(t => new PathAnchor(t.PublicKey.ExportSubjectPublicKeyInfo(), t.SubjectName)).ToList();

        // Like OpenSSL, full certificates published as PKIX-TA(0) Cert(0) Full(0) may complete the path.
        var pool = chain.Skip(1).ToList();
        foreach (var c in candidates.Where(c => c.Usage == 0 && c.Selector == 0 && c.MatchingType == 0))
        {
            try
            {
                pool.Add(X509CertificateLoader.LoadCertificate(c.Data.Span));
            }
            catch (CryptographicException)
            {
                // Not loadable: it cannot help build the path.
            }
        }

        return CertificatePath.Build(Leaf, pool, anchors, options.Now);
    }

    private TlsaRecordDiagnostic Finish(TlsaRecord r, int depth, (PathStatus Status, IReadOnlyList<X509Certificate2> Path, PathAnchor? Anchor, string Detail) built)
    {
        var outcome = built.Status switch
        {
            PathStatus.Incomplete => TlsaRecordOutcome.ChainIncomplete,
            PathStatus.Invalid => TlsaRecordOutcome.ChainInvalid,
            PathStatus.Expired => TlsaRecordOutcome.Expired,
            _ => TlsaMatcher.NameMatches(Leaf, options.ReferenceNames) ? TlsaRecordOutcome.Matched : TlsaRecordOutcome.NameMismatch,
        };
        var detail = outcome switch
        {
            TlsaRecordOutcome.Matched => $"matched the certificate at depth {depth} and the path to the leaf validates",
            TlsaRecordOutcome.NameMismatch => NameDetail(),
            _ => built.Detail,
        };
        return new(r, outcome, depth, detail);
    }

    private string NameDetail() =>
        $"the leaf's DNS names [{string.Join(", ", CertificateIdentity.GetDnsNames(Leaf))}] match none of [{string.Join(", ", options.ReferenceNames)}]";

    private static PathAnchor? DnsAnchor(TlsaRecord r)
    {
        if (r.Selector == 1)
        {
            return new PathAnchor(r.Data.ToArray(), null);
        }

        try
        {
            using var ta = X509CertificateLoader.LoadCertificate(r.Data.Span);
            return new PathAnchor(ta.PublicKey.ExportSubjectPublicKeyInfo(), ta.SubjectName);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private int IndexOf(X509Certificate2 cert)
    {
        for (var i = 0; i < chain.Count; i++)
        {
            if (ReferenceEquals(chain[i], cert))
            {
                return i;
            }
        }

        return 0;
    }
}
