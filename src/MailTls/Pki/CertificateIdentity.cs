using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using MailTls.Dns;

namespace MailTls.Pki;

/// <summary>
/// Certificate name checks for SMTP and policy hosts: RFC 8461 §3.3/§4.2 and RFC 6125 as profiled there.
/// Only SAN DNS-IDs count (no fallback to the subject CN); a wildcard is allowed only as the complete
/// left-most label and covers exactly one label; names compare case-insensitively in A-label form.
/// The same rule serves MTA-STS (MX host and policy host) and DANE-TA(2) name checks (RFC 7672 §3.2.3).
/// </summary>
public static class CertificateIdentity
{
    private const string SubjectAltNameOid = "2.5.29.17";

    /// <summary>True when any SAN DNS-ID in <paramref name="sanDnsNames"/> matches <paramref name="host"/>.</summary>
    public static bool Matches(string host, IEnumerable<string> sanDnsNames)
    {
        ArgumentNullException.ThrowIfNull(sanDnsNames);
        var h = DnsName.TryNormalize(host);
        if (h is null)
        {
            return false;
        }

        foreach (var san in sanDnsNames)
        {
            if (MatchesOne(h, san))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the certificate's SAN DNS-IDs match <paramref name="host"/>.</summary>
    public static bool Matches(string host, X509Certificate2 certificate) => Matches(host, GetDnsNames(certificate));

    /// <summary>The SAN dNSName entries of a certificate, in order (empty when it has no SAN extension).</summary>
    public static IReadOnlyList<string> GetDnsNames(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var names = new List<string>();
        foreach (var ext in certificate.Extensions)
        {
            if (ext.Oid?.Value != SubjectAltNameOid)
            {
                continue;
            }

            try
            {
                var reader = new AsnReader(ext.RawData, AsnEncodingRules.DER);
                var seq = reader.ReadSequence();
                while (seq.HasData)
                {
                    var tag = seq.PeekTag();
                    if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 2)
                    {
                        names.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 2)));
                    }
                    else
                    {
                        seq.ReadEncodedValue();
                    }
                }
            }
            catch (AsnContentException)
            {
                // A malformed SAN extension carries no usable DNS-ID.
            }
        }

        return names;
    }

    private static bool MatchesOne(string normalizedHost, string san)
    {
        if (san.StartsWith("*.", StringComparison.Ordinal))
        {
            var suffix = DnsName.TryNormalize(san[2..]);
            if (suffix is null || suffix.Contains('*', StringComparison.Ordinal))
            {
                return false;
            }

            var dot = normalizedHost.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && string.Equals(normalizedHost[(dot + 1)..], suffix, StringComparison.Ordinal);
        }

        if (san.Contains('*', StringComparison.Ordinal))
        {
            // Partial-label wildcards (m*.example.com) are refused: RFC 6125 §6.4.3 lets clients refuse them.
            return false;
        }

        var n = DnsName.TryNormalize(san);
        return n is not null && string.Equals(n, normalizedHost, StringComparison.Ordinal);
    }
}
