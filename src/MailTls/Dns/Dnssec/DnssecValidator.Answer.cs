using MailTls.Dns.Wire;

namespace MailTls.Dns.Dnssec;

/// <summary>The last link: the answer RRset (RFC 4035 §5.3) or the proof of its absence (§5.4, RFC 5155 §8).</summary>
public sealed partial class DnssecValidator
{
    private sealed record FinalVerdict(DnssecStatus Status, DnssecFailure Failure, string Message, string? Cut, DateTimeOffset? Expiration);

    private async Task<FinalVerdict> ValidateFinalAsync(DnsAnswer answer, List<DnssecStep> steps, CancellationToken cancellationToken)
    {
        var owner = answer.CanonicalName;
        var type = answer.Type;
        var what = $"{owner} {DnsRecordTypeText.ToText(type)}";

        // DS lives on the parent side of a cut (RFC 4035 §2.4), so its zone is the parent's.
        var zone = await ZoneForAsync(type == DnsRecordType.DS && owner != "." ? NameOps.Parent(owner) : owner, cancellationToken).ConfigureAwait(false);
        Merge(steps, zone.Steps);
        if (zone.Status != DnssecStatus.Secure)
        {
            return new FinalVerdict(zone.Status, zone.Failure, zone.Message, zone.InsecureCut, null);
        }

        if (answer.Status == DnsAnswerStatus.Answer)
        {
            var check = checker.Check(answer.Rrset, answer.Signatures, zone.Zone, zone.Keys);
            var step = Step(zone.Zone, owner, DnssecStepKind.Answer, check);
            if (!check.Valid)
            {
                steps.Add(step);
                return new FinalVerdict(DnssecStatus.Bogus, check.Failure, check.Message, null, null);
            }

            var expiration = Min(zone.Expiration, check.Expiration);
            if (check.Labels < NameOps.LabelCount(owner))
            {
                // Wildcard expansion (RFC 4035 §5.3.4): the answer is only secure with proof that the name itself is absent.
                var (verified, failed) = VerifyDenialRecords(answer.Authority, zone.Zone, zone.Keys);
                var outcome = failed is null ? new DenialProofs(zone.Zone, verified).ProveWildcardExpansion(owner, check.Labels) : DenialOutcome.NotProven;
                if (outcome is DenialOutcome.NotProven)
                {
                    var m = $"{what} was synthesised from the wildcard {NameOps.Wildcard(NameOps.Suffix(owner, check.Labels))} without a valid proof that {owner} does not exist";
                    steps.Add(step with { Verdict = DnssecStatus.Bogus, Failure = DnssecFailure.MissingDenialProof, Message = m });
                    return new FinalVerdict(DnssecStatus.Bogus, DnssecFailure.MissingDenialProof, m, null, null);
                }

                var wm = $"{check.Message}; expanded from the wildcard {NameOps.Wildcard(NameOps.Suffix(owner, check.Labels))}, with proof that {owner} itself does not exist";
                steps.Add(step with { Message = wm });
                return outcome == DenialOutcome.Proven
                    ? new FinalVerdict(DnssecStatus.Secure, DnssecFailure.None, wm, null, expiration)
                    : new FinalVerdict(DnssecStatus.Insecure, DnssecFailure.None, wm + " (NSEC3 opt-out)", owner, null);
            }

            steps.Add(step);
            return new FinalVerdict(DnssecStatus.Secure, DnssecFailure.None, check.Message, null, expiration);
        }

        // NODATA / NXDOMAIN: validate the NSEC/NSEC3 RRsets, then the proof itself.
        var nx = answer.Status == DnsAnswerStatus.NxDomain;
        var (records, bad) = VerifyDenialRecords(answer.Authority, zone.Zone, zone.Keys);
        if (bad is { } b)
        {
            var m = $"the proof that {what} does not exist is not validly signed: {b.Message}";
            steps.Add(Step(zone.Zone, owner, DnssecStepKind.Denial, b) with { Message = m });
            return new FinalVerdict(DnssecStatus.Bogus, b.Failure, m, null, null);
        }

        if (records.Count == 0)
        {
            var m = $"{zone.Zone} is signed but the {(nx ? "NXDOMAIN" : "NODATA")} answer for {what} has no NSEC/NSEC3 proof";
            steps.Add(DenialStep(zone.Zone, owner, DnssecStatus.Bogus, DnssecFailure.MissingDenialProof, m));
            return new FinalVerdict(DnssecStatus.Bogus, DnssecFailure.MissingDenialProof, m, null, null);
        }

        var proofs = new DenialProofs(zone.Zone, records);
        var result = nx ? proofs.ProveNameError(owner) : proofs.ProveNoData(owner, type);
        var kind = proofs.HasNsec ? "NSEC" : "NSEC3";
        var sigs = answer.Authority.Where(r => r.Type == DnsRecordType.RRSIG && RecordData.Rrsig(r) is { TypeCovered: DnsRecordType.NSEC or DnsRecordType.NSEC3 })
            .Select(r => RecordData.Rrsig(r)!)
            .Select(s => new SignatureInfo(s.TypeCovered, s.KeyTag, s.Algorithm, s.SignerName, DateTimeOffset.FromUnixTimeSeconds(s.Inception), DateTimeOffset.FromUnixTimeSeconds(s.Expiration), SignatureOutcome.Valid))
            .ToList();
        switch (result)
        {
            case DenialOutcome.Proven:
                {
                    var m = nx ? $"{kind} proves that {owner} does not exist" : $"{kind} proves that {owner} has no {DnsRecordTypeText.ToText(type)} record";
                    steps.Add(DenialStep(zone.Zone, owner, DnssecStatus.Secure, DnssecFailure.None, m) with { Signatures = sigs });
                    return new FinalVerdict(DnssecStatus.Secure, DnssecFailure.None, m, null, zone.Expiration);
                }

            case DenialOutcome.OptOut:
                {
                    var m = $"{owner} is covered by an NSEC3 opt-out span: an unsigned delegation may exist, so the absence of {DnsRecordTypeText.ToText(type)} is insecure (RFC 5155 §6)";
                    steps.Add(DenialStep(zone.Zone, owner, DnssecStatus.Insecure, DnssecFailure.None, m) with { Signatures = sigs });
                    return new FinalVerdict(DnssecStatus.Insecure, DnssecFailure.None, m, owner, null);
                }

            case DenialOutcome.TooManyIterations:
                {
                    var m = $"the NSEC3 records of {zone.Zone} use more than {Limits.Nsec3MaxIterations} iterations: treated as insecure (RFC 9276 §3.2)";
                    steps.Add(DenialStep(zone.Zone, owner, DnssecStatus.Insecure, DnssecFailure.Nsec3IterationsTooHigh, m));
                    return new FinalVerdict(DnssecStatus.Insecure, DnssecFailure.Nsec3IterationsTooHigh, m, zone.Zone, null);
                }

            default:
                {
                    var m = $"the {kind} records do not prove that {(nx ? owner + " does not exist" : owner + " has no " + DnsRecordTypeText.ToText(type) + " record")}";
                    steps.Add(DenialStep(zone.Zone, owner, DnssecStatus.Bogus, DnssecFailure.BadDenialProof, m) with { Signatures = sigs });
                    return new FinalVerdict(DnssecStatus.Bogus, DnssecFailure.BadDenialProof, m, null, null);
                }
        }
    }
}
