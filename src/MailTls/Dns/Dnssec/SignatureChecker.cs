using MailTls.Dns.Wire;

namespace MailTls.Dns.Dnssec;

/// <summary>Outcome of checking the RRSIGs over one RRset.</summary>
internal sealed record SignatureCheck(bool Valid, DnssecFailure Failure, IReadOnlyList<SignatureInfo> Signatures, DateTimeOffset? Expiration, int Labels, string Message);

/// <summary>
/// RRSIG checks of RFC 4035 §5.3.1 (signer is the zone, labels not more than the owner's, validity window by
/// serial arithmetic against the injected clock, key with matching tag and algorithm, zone-key flag, not
/// revoked) and §5.3.3 verification, with the KeyTrap bounds of <see cref="Limits"/>.
/// </summary>
internal sealed class SignatureChecker
{
    private readonly TimeProvider time;

    public SignatureChecker(TimeProvider time) => this.time = time;

    public SignatureCheck Check(IReadOnlyList<DnsRecord> rrset, IEnumerable<DnsRecord> candidates, string zone, IReadOnlyList<DnsRecord> keys)
    {
        var owner = rrset[0].Name;
        var type = rrset[0].Type;
        var ownerLabels = NameOps.LabelCount(owner) - (owner.StartsWith("*.", StringComparison.Ordinal) || owner == "*" ? 1 : 0);
        var nowFull = time.GetUtcNow().ToUnixTimeSeconds();
        var now = (uint)(nowFull & 0xFFFFFFFF);
        var infos = new List<SignatureInfo>();
        var sigs = candidates.Where(r => r.Type == DnsRecordType.RRSIG && r.Name == owner)
            .Select(r => (Record: r, Data: RecordData.Rrsig(r)))
            .Where(x => x.Data is not null && x.Data.TypeCovered == type)
            .ToList();
        if (sigs.Count == 0)
        {
            return new SignatureCheck(false, DnssecFailure.MissingRrsig, infos, null, 0, $"no RRSIG over {owner} {DnsRecordTypeText.ToText(type)}");
        }

        var parsedKeys = keys.Select(k => (Record: k, Data: RecordData.Dnskey(k)!)).Where(k => k.Data is not null).ToList();
        foreach (var (record, sig) in sigs.Take(Limits.DnssecMaxSignaturesPerRrset))
        {
            var outcome = Evaluate(record, sig!, rrset, zone, ownerLabels, now, parsedKeys);
            infos.Add(new SignatureInfo(sig!.TypeCovered, sig.KeyTag, sig.Algorithm, sig.SignerName, Time(sig.Inception, nowFull), Time(sig.Expiration, nowFull), outcome));
            if (outcome == SignatureOutcome.Valid)
            {
                return new SignatureCheck(true, DnssecFailure.None, infos, Time(sig.Expiration, nowFull), sig.Labels,
                    $"{owner} {DnsRecordTypeText.ToText(type)} signed by key {sig.KeyTag} ({DnssecAlgorithms.Name(sig.Algorithm)})");
            }
        }

        var outcomes = infos.Select(i => i.Outcome).ToHashSet();
        var failure = outcomes.Contains(SignatureOutcome.Invalid) ? DnssecFailure.SignatureInvalid
            : outcomes.Contains(SignatureOutcome.Expired) ? DnssecFailure.SignatureExpired
            : outcomes.Contains(SignatureOutcome.NotYetValid) ? DnssecFailure.SignatureNotYetValid
            : outcomes.Contains(SignatureOutcome.NoMatchingKey) ? DnssecFailure.NoMatchingDnskey
            : outcomes.Contains(SignatureOutcome.UnsupportedAlgorithm) ? DnssecFailure.UnsupportedAlgorithm
            : DnssecFailure.SignatureInvalid;
        var name = $"{owner} {DnsRecordTypeText.ToText(type)}";
        var message = failure switch
        {
            DnssecFailure.SignatureInvalid => $"the signature over {name} does not verify with the zone's key",
            DnssecFailure.SignatureExpired => $"the signature over {name} expired on {infos.Where(i => i.Outcome == SignatureOutcome.Expired).Max(i => i.Expiration):u}",
            DnssecFailure.SignatureNotYetValid => $"the signature over {name} is not valid before {infos.Where(i => i.Outcome == SignatureOutcome.NotYetValid).Min(i => i.Inception):u}",
            DnssecFailure.NoMatchingDnskey => $"no DNSKEY of {zone} has the key tag the signature over {name} names ({string.Join(", ", infos.Select(i => i.KeyTag))})",
            DnssecFailure.UnsupportedAlgorithm => $"{name} is signed only with unsupported algorithms ({string.Join(", ", infos.Select(i => DnssecAlgorithms.Name(i.Algorithm)).Distinct())})",
            _ => $"no usable signature over {name}",
        };
        return new SignatureCheck(false, failure, infos, null, 0, message);
    }

    private static SignatureOutcome Evaluate(DnsRecord record, RrsigData sig, IReadOnlyList<DnsRecord> rrset, string zone, int ownerLabels, uint now, List<(DnsRecord Record, DnskeyData Data)> keys)
    {
        if (!string.Equals(sig.SignerName, zone, StringComparison.Ordinal))
        {
            return SignatureOutcome.WrongSigner;
        }

        if (sig.Labels > ownerLabels)
        {
            return SignatureOutcome.BadLabels;
        }

        if (!DnssecAlgorithms.IsSupported(sig.Algorithm))
        {
            return SignatureOutcome.UnsupportedAlgorithm;
        }

        // RFC 4034 §3.1.5: serial number arithmetic (RFC 1982), so the window works across 2106.
        if ((int)(sig.Expiration - now) < 0)
        {
            return SignatureOutcome.Expired;
        }

        if ((int)(now - sig.Inception) < 0)
        {
            return SignatureOutcome.NotYetValid;
        }

        var matching = keys.Where(k => k.Data.KeyTag == sig.KeyTag && k.Data.Algorithm == sig.Algorithm && k.Data.Protocol == 3 && k.Data.IsZoneKey && !k.Data.IsRevoked)
            .Take(Limits.DnssecMaxKeysPerTag)
            .ToList();
        if (matching.Count == 0)
        {
            return SignatureOutcome.NoMatchingKey;
        }

        var data = Canonical.SignedData(record, sig, rrset);
        var signature = sig.Signature.ToArray();
        foreach (var key in matching)
        {
            if (DnssecAlgorithms.Verify(sig.Algorithm, key.Data.PublicKey.Span, data, signature))
            {
                return SignatureOutcome.Valid;
            }
        }

        return SignatureOutcome.Invalid;
    }

    /// <summary>An RRSIG time (mod 2^32) as the instant nearest to now (RFC 4034 §3.1.5).</summary>
    private static DateTimeOffset Time(uint value, long now)
    {
        var delta = (long)(int)(value - (uint)(now & 0xFFFFFFFF));
        return DateTimeOffset.FromUnixTimeSeconds(Math.Max(0, now + delta));
    }
}
