using System.Security.Cryptography.X509Certificates;

namespace MailTls.Pki;

/// <summary>
/// The certificate chain exactly as a TLS peer sent it, leaf first (RFC 8446 §4.4.2 order), captured inside
/// <c>RemoteCertificateValidationCallback</c>: there <c>chain.ChainPolicy.ExtraStore</c> holds the certificates from the
/// wire (dane.md §3.5; dotnet/runtime#59944), while the built chain may add certificates from local stores.
/// Some platforms reverse the order, so it is normalised to start at the leaf.
/// </summary>
public static class PresentedChain
{
    public static IReadOnlyList<X509Certificate2> Capture(X509Certificate? certificate, X509Chain? chain)
    {
        var result = new List<X509Certificate2>();
        if (certificate is null)
        {
            return result;
        }

        var leafRaw = certificate.GetRawCertData();
        var sent = new List<byte[]>();
        if (chain is not null)
        {
            foreach (var c in chain.ChainPolicy.ExtraStore)
            {
                sent.Add(c.RawData);
                if (sent.Count >= Limits.ChainMaxCertificates)
                {
                    break;
                }
            }
        }

        if (sent.Count > 1 && sent[^1].AsSpan().SequenceEqual(leafRaw) && !sent[0].AsSpan().SequenceEqual(leafRaw))
        {
            sent.Reverse();
        }

        if (sent.Count == 0 || !sent[0].AsSpan().SequenceEqual(leafRaw))
        {
            sent.RemoveAll(r => r.AsSpan().SequenceEqual(leafRaw));
            sent.Insert(0, leafRaw);
        }

        foreach (var raw in sent)
        {
            result.Add(X509CertificateLoader.LoadCertificate(raw));
        }

        return result;
    }
}
