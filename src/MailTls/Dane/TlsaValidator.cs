using System.Globalization;
using MailTls.Findings;
using MailTls.Pki;

namespace MailTls.Dane;

/// <summary>
/// Checks one TLSA record on its own (RFC 6698, RFC 7671 §4/§9/§10, RFC 7672 §3.1): field values, digest length,
/// Full(0) data shape, SMTP usability and the recommended parameters.
/// </summary>
public static class TlsaValidator
{
    /// <summary>Findings about <paramref name="record"/> published for a service on <paramref name="port"/>.</summary>
    public static IReadOnlyList<Finding> Validate(TlsaRecord record, int port = 25)
    {
        ArgumentNullException.ThrowIfNull(record);
        var findings = new List<Finding>();
        var subject = record.ToString();
        if (subject.Length > 80)
        {
            subject = subject[..80] + "…";
        }

        CheckValue(findings, subject, "usage", record.Usage, 3);
        CheckValue(findings, subject, "selector", record.Selector, 1);
        CheckValue(findings, subject, "matching type", record.MatchingType, 2);

        if (record.Data.Length > Limits.TlsaMaxDataBytes)
        {
            findings.Add(DaneFindings.TooLarge.Create(subject, $"The association data is {record.Data.Length} octets; the limit is {Limits.TlsaMaxDataBytes}."));
        }

        var expected = record.MatchingType switch { 1 => 32, 2 => 64, _ => 0 };
        if (expected > 0 && record.Data.Length != expected)
        {
            findings.Add(DaneFindings.DigestLength.Create(subject,
                string.Create(CultureInfo.InvariantCulture, $"A {(record.MatchingType == 1 ? "SHA2-256" : "SHA2-512")} digest is {expected} octets but the record has {record.Data.Length}."),
                FindingList.Evidence(("expected", expected.ToString(CultureInfo.InvariantCulture)), ("actual", record.Data.Length.ToString(CultureInfo.InvariantCulture)))));
        }

        if (record.MatchingType == 0 && record.Selector <= 1)
        {
            var ok = record.Selector == 0 ? CertificateDer.IsCertificate(record.Data) : CertificateDer.IsSubjectPublicKeyInfo(record.Data);
            if (!ok)
            {
                findings.Add(DaneFindings.FullDataMalformed.Create(subject,
                    record.Selector == 0 ? "The data is not a DER X.509 certificate." : "The data is not a DER SubjectPublicKeyInfo."));
            }

            findings.Add(DaneFindings.FullDiscouraged.Create(subject, $"Full(0) data of {record.Data.Length} octets is published instead of a digest."));
        }

        if (port == 25 && record.Usage <= 1)
        {
            findings.Add(DaneFindings.PkixUsage.Create(subject,
                $"Usage {(record.Usage == 0 ? "PKIX-TA(0)" : "PKIX-EE(1)")} is unusable for SMTP on port 25."));
        }

        var usable = record.Usage is 2 or 3 && record.Selector <= 1 && record.MatchingType <= 2;
        if (usable && !(record.Usage == 3 && record.Selector == 1 && record.MatchingType == 1))
        {
            var message = (record.Usage, record.Selector) switch
            {
                (3, 0) => "DANE-EE(3) with Cert(0) changes at every certificate renewal, even with the same key: '3 1 1' does not.",
                (3, 1) => "'3 1 1' (SHA2-256) is the recommended form; every client supports SHA2-256.",
                _ when record.MatchingType == 1 => "DANE-TA(2) with SHA2-256 is a good rollover partner; '3 1 1' remains the primary recommendation.",
                _ => "DANE-TA(2) records are best published as SHA2-256 digests ('2 1 1' or '2 0 1').",
            };
            findings.Add(DaneFindings.NotRecommended.Create(subject, message));
        }

        return findings;
    }

    /// <summary>
    /// True when an SMTP client can use the record at all (RFC 7671 §4, RFC 7672 §3.1.3): usage 2 or 3 (0/1 too when
    /// <paramref name="allowPkix"/>), selector 0/1, matching type 0/1/2, correct digest length, well-formed Full(0) data.
    /// </summary>
    public static bool IsUsable(TlsaRecord record, bool allowPkix = false)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Usage > 3 || (!allowPkix && record.Usage < 2) || record.Selector > 1 || record.MatchingType > 2)
        {
            return false;
        }

        return record.MatchingType switch
        {
            1 => record.Data.Length == 32,
            2 => record.Data.Length == 64,
            _ => record.Data.Length <= Limits.TlsaMaxDataBytes
                 && (record.Selector == 0 ? CertificateDer.IsCertificate(record.Data) : CertificateDer.IsSubjectPublicKeyInfo(record.Data)),
        };
    }

    private static void CheckValue(List<Finding> findings, string subject, string field, byte value, byte maxAssigned)
    {
        if (value == 255)
        {
            findings.Add(DaneFindings.PrivateUse.Create(subject, $"The {field} is the private-use value 255."));
        }
        else if (value > maxAssigned)
        {
            findings.Add(DaneFindings.UnknownValue.Create(subject, $"The {field} {value} is not assigned; the record is unusable."));
        }
    }
}
