using System.Collections.Concurrent;
using MailTls.Dns.Wire;

namespace MailTls.Dns.Dnssec;

/// <summary>
/// In-process DNSSEC validator (RFC 4033–4035, RFC 5155, RFC 6840): walks from a trust anchor down to the zone of
/// each name, DS → DNSKEY → RRSIG per zone cut, then validates the answer RRset (and every CNAME leading to it)
/// or the NSEC/NSEC3 proof that it does not exist. It never trusts the upstream's AD bit; the upstream is asked
/// with CD set, so bogus data is still returned and explained. Zone results are shared by concurrent callers.
/// </summary>
public sealed partial class DnssecValidator
{
    private readonly IDnsResolver resolver;
    private readonly TrustAnchors anchors;
    private readonly TimeProvider time;
    private readonly SignatureChecker checker;
    private readonly ConcurrentDictionary<string, Lazy<Task<ZoneState>>> zones = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> zoneOrder = new();
    private readonly int zoneCapacity;

    /// <param name="resolver">Asked with CD set; its answers are validated here.</param>
    /// <param name="anchors">Trust anchors; the IANA root by default.</param>
    /// <param name="time">The clock signatures are checked against.</param>
    /// <param name="zoneCacheCapacity">Validated zones kept for reuse (<see cref="Limits.DnssecZoneCacheMaxEntries"/> by default); the oldest beyond are walked again when needed.</param>
    public DnssecValidator(IDnsResolver resolver, TrustAnchors? anchors = null, TimeProvider? time = null, int zoneCacheCapacity = Limits.DnssecZoneCacheMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(zoneCacheCapacity);
        zoneCapacity = zoneCacheCapacity;
        this.resolver = resolver;
        this.anchors = anchors ?? TrustAnchors.BuiltIn;
        this.time = time ?? TimeProvider.System;
        checker = new SignatureChecker(this.time);
    }

    /// <summary>Zones held in the validated-zone cache now (at most the capacity given to the constructor).</summary>
    public int CachedZones => zones.Count;

    /// <summary>Looks up <paramref name="name"/>/<paramref name="type"/> (following CNAMEs) and validates the outcome.</summary>
    public async Task<DnssecResult> ValidateAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        var answer = await new DnsLookup(resolver).LookupAsync(name, type, cancellationToken).ConfigureAwait(false);
        return await ValidateAsync(answer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Validates a lookup outcome obtained through the same resolver (its RRSIGs and authority section).</summary>
    public async Task<DnssecResult> ValidateAsync(DnsAnswer answer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.Status.IsTemporary())
        {
            return new DnssecResult
            {
                Name = answer.QueryName,
                Type = answer.Type,
                Status = DnssecStatus.Indeterminate,
                Failure = DnssecFailure.LookupFailed,
                Message = $"the lookup of {answer.QueryName} {DnsRecordTypeText.ToText(answer.Type)} failed: {answer.Status} ({answer.Error})",
                Answer = answer,
            };
        }

        var steps = new List<DnssecStep>();
        var verdicts = new List<(DnssecStatus Status, DnssecFailure Failure, string Message, string? Cut)>();
        DateTimeOffset? expiration = null;

        // Each CNAME of the chain is an RRset of its own zone (RFC 4035 §5.3, RFC 7671 §7).
        foreach (var cname in answer.CnameChain)
        {
            var zone = await ZoneForAsync(cname.Name, cancellationToken).ConfigureAwait(false);
            Merge(steps, zone.Steps);
            if (zone.Status != DnssecStatus.Secure)
            {
                verdicts.Add((zone.Status, zone.Failure, zone.Message, zone.InsecureCut));
                break;
            }

            var check = checker.Check([cname], answer.CnameSignatures, zone.Zone, zone.Keys);
            steps.Add(Step(zone.Zone, cname.Name, DnssecStepKind.Cname, check));
            verdicts.Add(check.Valid ? (DnssecStatus.Secure, DnssecFailure.None, check.Message, null) : (DnssecStatus.Bogus, check.Failure, check.Message, null));
            expiration = Min(expiration, Min(zone.Expiration, check.Expiration));
            if (check.Valid && check.Labels < NameOps.LabelCount(cname.Name))
            {
                // A CNAME synthesised from a wildcard (RFC 4592 §4.4) needs the proof that its owner does not exist;
                // an upstream that chases the chain puts it in the authority section of the same response.
                var (verified, failed) = VerifyDenialRecords([.. answer.Authority.Where(r => NameOps.IsAtOrBelow(r.Name, zone.Zone))], zone.Zone, zone.Keys);
                var proof = failed is null ? new DenialProofs(zone.Zone, verified).ProveWildcardExpansion(cname.Name, check.Labels) : DenialOutcome.NotProven;
                if (proof != DenialOutcome.Proven)
                {
                    verdicts.Add((DnssecStatus.Bogus, DnssecFailure.MissingDenialProof, $"the CNAME at {cname.Name} was synthesised from a wildcard without a valid proof that {cname.Name} does not exist", null));
                    break;
                }
            }

            if (!check.Valid)
            {
                break;
            }
        }

        if (verdicts.All(v => v.Status == DnssecStatus.Secure))
        {
            var final = await ValidateFinalAsync(answer, steps, cancellationToken).ConfigureAwait(false);
            verdicts.Add((final.Status, final.Failure, final.Message, final.Cut));
            expiration = final.Status == DnssecStatus.Secure ? Min(expiration, final.Expiration) : expiration;
        }

        var worst = verdicts.OrderByDescending(v => Rank(v.Status)).First();
        return new DnssecResult
        {
            Name = answer.QueryName,
            Type = answer.Type,
            Status = worst.Status,
            Failure = worst.Failure,
            Message = worst.Message,
            InsecureCut = worst.Status == DnssecStatus.Insecure ? worst.Cut : null,
            Answer = answer,
            Steps = steps,
            EarliestExpiration = worst.Status == DnssecStatus.Secure ? expiration : null,
        };
    }

    private static int Rank(DnssecStatus s) => s switch
    {
        DnssecStatus.Secure => 0,
        DnssecStatus.Insecure => 1,
        DnssecStatus.Indeterminate => 2,
        _ => 3,
    };

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static void Merge(List<DnssecStep> steps, IReadOnlyList<DnssecStep> more)
    {
        foreach (var s in more)
        {
            if (!steps.Contains(s))
            {
                steps.Add(s);
            }
        }
    }

    private static DnssecStep Step(string zone, string owner, DnssecStepKind kind, SignatureCheck check) => new()
    {
        Zone = zone,
        Owner = owner,
        Kind = kind,
        Verdict = check.Valid ? DnssecStatus.Secure : DnssecStatus.Bogus,
        Failure = check.Failure,
        Message = check.Message,
        Signatures = check.Signatures,
    };
}
