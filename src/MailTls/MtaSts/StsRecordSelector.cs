using System.Text;
using MailTls.Dns;
using MailTls.Findings;
namespace MailTls.MtaSts;

/// <summary>How <see cref="StsRecordSelector.Select"/> ended.</summary>
public enum StsSelectionOutcome
{
    /// <summary>Exactly one candidate, and it is valid.</summary>
    Selected = 0,

    /// <summary>No record begins with <c>v=STSv1</c> *WSP <c>;</c>.</summary>
    NoRecord = 1,

    /// <summary>More than one candidate: senders MUST assume no policy.</summary>
    MultipleRecords = 2,

    /// <summary>Exactly one candidate, but it is syntactically invalid: no policy.</summary>
    InvalidRecord = 3,
}

/// <summary>Result of selecting the MTA-STS record out of a TXT RRset.</summary>
public sealed record StsRecordSelection(
    StsSelectionOutcome Outcome,
    StsRecord? Record,
    IReadOnlyList<string> Candidates,
    IReadOnlyList<Finding> Findings)
{
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Record))]
    public bool HasPolicyRecord => Outcome == StsSelectionOutcome.Selected && Record is not null;
}

/// <summary>
/// Picks the MTA-STS record out of a TXT RRset (RFC 8461 §3.1): each RR's character-strings are concatenated
/// without spaces; records that do not begin with <c>v=STSv1</c> *WSP <c>;</c> are discarded (the erratum 6285
/// reading mox and postfix-tlspol use); exactly one must remain and it must be valid, otherwise there is no policy.
/// </summary>
public static class StsRecordSelector
{
    /// <summary>Selects from <paramref name="rrset"/>: one inner list per TXT RR, holding its character-strings.</summary>
    public static StsRecordSelection Select(IReadOnlyList<IReadOnlyList<string>> rrset)
    {
        ArgumentNullException.ThrowIfNull(rrset);
        var findings = new List<Finding>();
        var candidates = new List<string>();
        foreach (var rr in rrset)
        {
            var text = Concatenate(rr);
            if (IsCandidate(text))
            {
                candidates.Add(text);
            }
            else if (text.StartsWith("v=sts", StringComparison.OrdinalIgnoreCase) || text.StartsWith("v =", StringComparison.OrdinalIgnoreCase))
            {
                var parsed = StsRecordParser.Parse(text);
                var reason = parsed.Findings.FirstOrDefault(f => f.IsError)?.Message ?? "It does not begin with \"v=STSv1;\".";
                findings.Add(StsFindings.TxtDiscardedRecord.Create(StsRecordParser.Subject,
                    $"The TXT record \"{StsSyntax.Clip(text, 80)}\" is not an MTA-STS record for senders because it does not begin with \"v=STSv1;\". {reason}",
                    FindingList.Evidence(("record", StsSyntax.Clip(text)))));
            }
        }

        if (candidates.Count == 0)
        {
            findings.Add(StsFindings.TxtNoRecord.Create(StsRecordParser.Subject,
                rrset.Count == 0
                    ? "There is no TXT record at _mta-sts."
                    : $"None of the {rrset.Count} TXT record(s) at _mta-sts begins with \"v=STSv1;\".",
                FindingList.Evidence(("records", rrset.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
            return new StsRecordSelection(StsSelectionOutcome.NoRecord, null, candidates, findings);
        }

        if (candidates.Count > 1)
        {
            findings.Add(StsFindings.TxtMultipleRecords.Create(StsRecordParser.Subject,
                $"{candidates.Count} TXT records begin with \"v=STSv1\"; senders require exactly one and otherwise assume there is no policy.",
                Evidence(candidates)));
            return new StsRecordSelection(StsSelectionOutcome.MultipleRecords, null, candidates, findings);
        }

        var result = StsRecordParser.Parse(candidates[0]);
        findings.AddRange(result.Findings);
        if (!result.IsValid)
        {
            if (!result.Findings.Any(f => f.Code == StsFindings.TxtInvalid.Code))
            {
                findings.Add(StsFindings.TxtInvalid.Create(StsRecordParser.Subject,
                    "The only MTA-STS TXT record is invalid (see the other findings), so senders assume there is no policy.",
                    FindingList.Evidence(("record", StsSyntax.Clip(candidates[0])))));
            }

            return new StsRecordSelection(StsSelectionOutcome.InvalidRecord, null, candidates, findings);
        }

        return new StsRecordSelection(StsSelectionOutcome.Selected, result.Record, candidates, findings);
    }

    /// <summary>True when <paramref name="text"/> begins with <c>v=STSv1</c> *WSP <c>;</c>.</summary>
    public static bool IsCandidate(string text) => TxtFieldGrammar.BeginsWithVersion(text, "v=STSv1");

    private static string Concatenate(IReadOnlyList<string> strings)
    {
        ArgumentNullException.ThrowIfNull(strings);
        if (strings.Count == 1)
        {
            return strings[0] ?? string.Empty;
        }

        var sb = new StringBuilder();
        foreach (var s in strings)
        {
            // Stop early: anything longer is rejected by the parser's size limit anyway.
            if (s is not null && sb.Length <= Limits.TxtRecordMaxChars)
            {
                sb.Append(s);
            }
        }

        return sb.ToString();
    }

    private static IReadOnlyDictionary<string, string> Evidence(List<string> candidates)
    {
        var items = new (string, string?)[candidates.Count];
        for (var i = 0; i < candidates.Count; i++)
        {
            items[i] = ($"record{i + 1}", StsSyntax.Clip(candidates[i]));
        }

        return FindingList.Evidence(items);
    }
}
