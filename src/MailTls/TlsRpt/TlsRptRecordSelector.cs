using MailTls.Findings;

namespace MailTls.TlsRpt;

/// <summary>
/// Picks the TLS-RPT record out of a TXT RRset (RFC 8460 §3): each record's character-strings are concatenated
/// without separators, records not beginning with <c>v=TLSRPTv1 *WSP ";"</c> are discarded, and exactly one
/// must remain; it is then parsed with <see cref="TlsRptRecordParser"/>.
/// </summary>
public static class TlsRptRecordSelector
{
    public static TlsRptRecordSelection Select(IReadOnlyList<IReadOnlyList<string>> rrset)
    {
        ArgumentNullException.ThrowIfNull(rrset);
        var candidates = new List<string>();
        foreach (var strings in rrset)
        {
            ArgumentNullException.ThrowIfNull(strings);
            var total = 0L;
            foreach (var s in strings)
            {
                ArgumentNullException.ThrowIfNull(s);
                total += s.Length;
            }

            if (total > Limits.TxtRecordMaxChars)
            {
                // Too long to be a record anyone meant to publish; if it is a candidate the parser reports it.
                var head = string.Concat(strings.Take(4));
                if (TlsRptGrammar.IsCandidate(head))
                {
                    candidates.Add(string.Concat(strings));
                }

                continue;
            }

            var text = string.Concat(strings);
            if (TlsRptGrammar.IsCandidate(text))
            {
                candidates.Add(text);
            }
        }

        if (candidates.Count == 0)
        {
            return new TlsRptRecordSelection(null, null, 0, [TlsRptFindings.RecordNone.Create("TLS-RPT record",
                $"None of the {rrset.Count} TXT records begins with \"v=TLSRPTv1;\".")]);
        }

        if (candidates.Count > 1)
        {
            return new TlsRptRecordSelection(null, null, candidates.Count, [TlsRptFindings.RecordMultiple.Create("TLS-RPT record",
                $"{candidates.Count} TXT records begin with \"v=TLSRPTv1;\"; exactly one is allowed.",
                FindingList.Evidence(candidates.Select((c, i) => ($"record{i + 1}", (string?)c)).ToArray()))]);
        }

        var parsed = TlsRptRecordParser.Parse(candidates[0]);
        return new TlsRptRecordSelection(candidates[0], parsed, 1, parsed.Findings);
    }
}
