using MailTls.Dns;
using MailTls.Findings;

namespace MailTls.MtaSts;

/// <summary>
/// The answer to the TXT query for <c>_mta-sts.&lt;domain&gt;</c>, after CNAME following (which is the DNS
/// layer's job): the lookup status and, for <see cref="DnsAnswerStatus.Answer"/>, each RR's character-strings.
/// </summary>
public sealed record StsTxtAnswer(DnsAnswerStatus Status, IReadOnlyList<IReadOnlyList<string>> Records);

/// <summary>Why discovery found no policy.</summary>
public enum StsNoPolicyReason
{
    /// <summary>NXDOMAIN, NODATA, or no TXT record beginning with <c>v=STSv1;</c>.</summary>
    NoRecord = 0,

    /// <summary>More than one candidate record.</summary>
    MultipleRecords = 1,

    /// <summary>The single candidate record is invalid.</summary>
    InvalidRecord = 2,
}

/// <summary>
/// Outcome of MTA-STS policy discovery from DNS (RFC 8461 §3.1, §5.1): a record was found, there is
/// provably no policy, or the lookup failed temporarily. A temporary failure is never "no policy": the
/// sender keeps using a cached policy (§5.1).
/// </summary>
public abstract record StsDiscoveryResult(IReadOnlyList<Finding> Findings)
{
    /// <summary>Exactly one valid record.</summary>
    public sealed record Found(StsRecord Record, IReadOnlyList<Finding> Findings) : StsDiscoveryResult(Findings);

    /// <summary>No usable record: senders assume no (new) policy.</summary>
    public sealed record NoPolicy(StsNoPolicyReason Reason, IReadOnlyList<Finding> Findings) : StsDiscoveryResult(Findings);

    /// <summary>SERVFAIL or timeout: the answer says nothing about the policy.</summary>
    public sealed record TempFailure(DnsAnswerStatus Status, string Reason, IReadOnlyList<Finding> Findings) : StsDiscoveryResult(Findings);
}

/// <summary>Turns a TXT answer for <c>_mta-sts.&lt;domain&gt;</c> into a typed discovery outcome (RFC 8461 §3.1).</summary>
public static class StsDiscovery
{
    /// <summary>Evaluates <paramref name="answer"/>; pure, no I/O.</summary>
    public static StsDiscoveryResult Evaluate(StsTxtAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.Status.IsTemporary())
        {
            var reason = answer.Status == DnsAnswerStatus.Timeout ? "The TXT lookup timed out." : "The TXT lookup failed with SERVFAIL.";
            var finding = StsFindings.TxtTemporaryFailure.Create(StsRecordParser.Subject, reason + " This is not proof that the domain has no policy.",
                FindingList.Evidence(("status", answer.Status.ToString())));
            return new StsDiscoveryResult.TempFailure(answer.Status, reason, [finding]);
        }

        if (answer.Status.IsAbsent())
        {
            var f = StsFindings.TxtNoRecord.Create(StsRecordParser.Subject,
                answer.Status == DnsAnswerStatus.NxDomain ? "_mta-sts does not exist (NXDOMAIN)." : "_mta-sts has no TXT record (NODATA).",
                FindingList.Evidence(("status", answer.Status.ToString())));
            return new StsDiscoveryResult.NoPolicy(StsNoPolicyReason.NoRecord, [f]);
        }

        var selection = StsRecordSelector.Select(answer.Records ?? []);
        return selection.Outcome switch
        {
            StsSelectionOutcome.Selected => new StsDiscoveryResult.Found(selection.Record!, selection.Findings),
            StsSelectionOutcome.MultipleRecords => new StsDiscoveryResult.NoPolicy(StsNoPolicyReason.MultipleRecords, selection.Findings),
            StsSelectionOutcome.InvalidRecord => new StsDiscoveryResult.NoPolicy(StsNoPolicyReason.InvalidRecord, selection.Findings),
            _ => new StsDiscoveryResult.NoPolicy(StsNoPolicyReason.NoRecord, selection.Findings),
        };
    }
}
