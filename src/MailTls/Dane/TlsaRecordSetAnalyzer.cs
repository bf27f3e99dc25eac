using System.Globalization;
using MailTls.Findings;

namespace MailTls.Dane;

/// <summary>
/// Checks a TLSA RRset as a whole for SMTP (RFC 7672 §2.2, RFC 7671 §8): usability, a rollover partner, size and
/// duplicates. Per-record checks are <see cref="TlsaValidator"/>'s.
/// </summary>
public static class TlsaRecordSetAnalyzer
{
    /// <summary>Findings about the RRset <paramref name="records"/> (empty list: nothing to say).</summary>
    public static IReadOnlyList<Finding> Analyze(IReadOnlyList<TlsaRecord> records, string subject = "TLSA RRset")
    {
        ArgumentNullException.ThrowIfNull(records);
        var findings = new List<Finding>();
        if (records.Count == 0)
        {
            return findings;
        }

        var seen = new HashSet<TlsaRecord>();
        foreach (var r in records)
        {
            if (!seen.Add(r))
            {
                findings.Add(DaneFindings.Duplicate.Create(subject, $"'{Short(r)}' appears more than once."));
            }
        }

        var usable = seen.Where(r => TlsaValidator.IsUsable(r)).ToList();
        if (usable.Count == 0)
        {
            findings.Add(DaneFindings.AllUnusable.Create(subject,
                string.Create(CultureInfo.InvariantCulture, $"None of the {seen.Count} record(s) is usable for SMTP: DANE senders fall back to mandatory unauthenticated TLS at best.")));
        }
        else if (usable.Count == 1)
        {
            findings.Add(DaneFindings.NoRollover.Create(subject, $"Only '{Short(usable[0])}' is usable; there is no record for the next key or the issuer CA."));
        }

        if (records.Count > Limits.TlsaRecordSetWarnCount)
        {
            findings.Add(DaneFindings.TooManyRecords.Create(subject,
                string.Create(CultureInfo.InvariantCulture, $"{records.Count} records; some senders process only about {Limits.TlsaRecordSetWarnCount}.")));
        }

        return findings;
    }

    private static string Short(TlsaRecord r)
    {
        var s = r.ToString();
        return s.Length > 40 ? s[..40] + "…" : s;
    }
}
