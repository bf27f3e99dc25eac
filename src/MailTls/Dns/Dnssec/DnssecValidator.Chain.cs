using MailTls.Dns.Wire;

namespace MailTls.Dns.Dnssec;

/// <summary>The walk from the trust anchor down to a name's zone (RFC 4035 §5.1, §5.2).</summary>
public sealed partial class DnssecValidator
{
    private async Task<ZoneState> ZoneForAsync(string name, CancellationToken cancellationToken)
    {
        var anchorZone = anchors.ClosestZone(name);
        if (anchorZone is null)
        {
            return new ZoneState
            {
                Status = DnssecStatus.Insecure,
                Zone = ".",
                InsecureCut = ".",
                Message = $"no trust anchor covers {name}",
            };
        }

        var state = await CachedAsync(anchorZone, () => AnchorAsync(anchorZone, cancellationToken)).ConfigureAwait(false);
        var total = NameOps.LabelCount(name);
        for (var k = NameOps.LabelCount(anchorZone) + 1; k <= total; k++)
        {
            if (state.Status != DnssecStatus.Secure || state.NameMissing)
            {
                return state;
            }

            var child = NameOps.Suffix(name, k);
            var parent = state;
            state = await CachedAsync(child, () => ChildAsync(parent, child, cancellationToken)).ConfigureAwait(false);
        }

        return state;
    }

    private async Task<ZoneState> CachedAsync(string key, Func<Task<ZoneState>> compute)
    {
        if (!zones.TryGetValue(key, out var lazy))
        {
            var fresh = new Lazy<Task<ZoneState>>(compute);
            lazy = zones.GetOrAdd(key, fresh);
            if (ReferenceEquals(lazy, fresh))
            {
                zoneOrder.Enqueue(key);
                while (zones.Count > zoneCapacity && zoneOrder.TryDequeue(out var old))
                {
                    zones.TryRemove(old, out _); // walked again when asked: the cache bounds memory, not correctness
                }
            }
        }

        ZoneState state;
        try
        {
            state = await lazy.Value.ConfigureAwait(false);
        }
        catch
        {
            zones.TryRemove(new KeyValuePair<string, Lazy<Task<ZoneState>>>(key, lazy)); // a cancelled walk is not a result
            throw;
        }

        if (state.Status == DnssecStatus.Indeterminate)
        {
            zones.TryRemove(key, out _); // a failed lookup may succeed next time
        }

        return state;
    }

    private async Task<ZoneState> AnchorAsync(string zone, CancellationToken cancellationToken)
    {
        var anchorDs = anchors.Records.Where(r => r.Name == zone && r.Type == DnsRecordType.DS).ToList();
        var anchorKeys = anchors.Records.Where(r => r.Name == zone && r.Type == DnsRecordType.DNSKEY).ToList();
        var response = await resolver.QueryAsync(zone, DnsRecordType.DNSKEY, cancellationToken).ConfigureAwait(false);
        if (response.Message is not { } message || response.Status.IsTemporary())
        {
            return Indeterminate(zone, $"the DNSKEY lookup for the trust anchor zone {zone} failed: {response.Status} ({response.Error})", []);
        }

        var keys = message.Answers.Where(r => r.Type == DnsRecordType.DNSKEY && r.Name == zone).ToList();
        var state = CheckKeys(zone, keys, message.Answers, anchorDs, anchorKeys, DnssecStepKind.TrustAnchor, []);
        return state;
    }

    private async Task<ZoneState> ChildAsync(ZoneState parent, string child, CancellationToken cancellationToken)
    {
        var response = await resolver.QueryAsync(child, DnsRecordType.DS, cancellationToken).ConfigureAwait(false);
        if (response.Message is not { } message || response.Status.IsTemporary())
        {
            return Indeterminate(parent.Zone, $"the DS lookup for {child} failed: {response.Status} ({response.Error})", parent.Steps);
        }

        var ds = message.Answers.Where(r => r.Type == DnsRecordType.DS && r.Name == child).ToList();
        if (ds.Count == 0)
        {
            if (message.Answers.Any(r => r.Type == DnsRecordType.CNAME && r.Name == child))
            {
                return parent; // an alias is never a zone cut (RFC 2181 §10.1)
            }

            return DsDenial(parent, child, message, response.Status == DnsAnswerStatus.NxDomain);
        }

        var dsCheck = checker.Check(ds, message.Answers, parent.Zone, parent.Keys);
        var dsInfos = ds.Select(RecordData.Ds).Where(d => d is not null).Select(d => new DsInfo(d!.KeyTag, d.Algorithm, d.DigestType, Convert.ToHexString(d.Digest.Span), null)).ToList();
        var delegation = new DnssecStep
        {
            Zone = parent.Zone,
            Owner = child,
            Kind = DnssecStepKind.Delegation,
            Verdict = dsCheck.Valid ? DnssecStatus.Secure : DnssecStatus.Bogus,
            Failure = dsCheck.Failure,
            Message = dsCheck.Valid ? $"{child} is a signed delegation ({ds.Count} DS)" : "the DS RRset is not validly signed: " + dsCheck.Message,
            Ds = dsInfos,
            Signatures = dsCheck.Signatures,
        };
        List<DnssecStep> steps = [.. parent.Steps, delegation];
        if (!dsCheck.Valid)
        {
            return Bogus(parent.Zone, dsCheck.Failure, delegation.Message, steps);
        }

        var usable = ds.Where(r => RecordData.Ds(r) is { } d && DnssecAlgorithms.IsSupported(d.Algorithm) && DnssecAlgorithms.IsSupportedDigest(d.DigestType)).ToList();
        if (usable.Count == 0)
        {
            // RFC 4035 §5.2 and RFC 6840 §5.2: a DS RRset with only unsupported algorithms or digests is treated as no DS.
            var message2 = $"{child}'s DS records use only unsupported algorithms or digests ({string.Join(", ", dsInfos.Select(d => DnssecAlgorithms.Name(d.Algorithm) + "/" + DnssecAlgorithms.DigestName(d.DigestType)).Distinct())}): treated as unsigned (RFC 4035 §5.2)";
            steps[^1] = delegation with { Verdict = DnssecStatus.Insecure, Failure = DnssecFailure.UnsupportedAlgorithm, Message = message2 };
            return new ZoneState { Status = DnssecStatus.Insecure, Zone = child, InsecureCut = child, Failure = DnssecFailure.UnsupportedAlgorithm, Message = message2, Steps = steps };
        }

        var keyResponse = await resolver.QueryAsync(child, DnsRecordType.DNSKEY, cancellationToken).ConfigureAwait(false);
        if (keyResponse.Message is not { } keyMessage || keyResponse.Status.IsTemporary())
        {
            return Indeterminate(child, $"the DNSKEY lookup for {child} failed: {keyResponse.Status} ({keyResponse.Error})", steps);
        }

        var keys = keyMessage.Answers.Where(r => r.Type == DnsRecordType.DNSKEY && r.Name == child).ToList();
        var state = CheckKeys(child, keys, keyMessage.Answers, usable, [], DnssecStepKind.Dnskey, steps);
        return state with { Expiration = Min(Min(parent.Expiration, dsCheck.Expiration), state.Expiration) };
    }

    /// <summary>DS → DNSKEY (RFC 4035 §5.2): a key matching a DS (or an anchor key) must sign the DNSKEY RRset.</summary>
    private ZoneState CheckKeys(string zone, List<DnsRecord> keys, IReadOnlyList<DnsRecord> answers, List<DnsRecord> trustedDs, List<DnsRecord> anchorKeys, DnssecStepKind kind, IReadOnlyList<DnssecStep> before)
    {
        var owner = NameOps.Wire(zone);
        var dsData = trustedDs.Select(RecordData.Ds).Where(d => d is not null).Select(d => d!).ToList();
        var matchedTags = new HashSet<(ushort, byte, byte, string)>();
        var trusted = new List<DnsRecord>();
        var keyInfos = new List<KeyInfo>();
        foreach (var k in keys)
        {
            if (RecordData.Dnskey(k) is not { } key)
            {
                continue;
            }

            var matched = false;
            if (key.Protocol == 3 && key.IsZoneKey && !key.IsRevoked)
            {
                foreach (var d in dsData.Where(d => d.KeyTag == key.KeyTag && d.Algorithm == key.Algorithm))
                {
                    var digest = DnssecAlgorithms.DsDigest(d.DigestType, owner, k.Data.Span);
                    if (digest is not null && digest.AsSpan().SequenceEqual(d.Digest.Span))
                    {
                        matched = true;
                        matchedTags.Add((d.KeyTag, d.Algorithm, d.DigestType, Convert.ToHexString(d.Digest.Span)));
                    }
                }

                matched |= anchorKeys.Any(a => a.Data.Span.SequenceEqual(k.Data.Span));
            }

            if (matched)
            {
                trusted.Add(k);
            }

            keyInfos.Add(new KeyInfo(key.KeyTag, key.Flags, key.Algorithm, DnssecAlgorithms.KeyBits(key.Algorithm, key.PublicKey.Span), key.IsSep, matched));
        }

        var dsInfos = dsData.Select(d => new DsInfo(d.KeyTag, d.Algorithm, d.DigestType, Convert.ToHexString(d.Digest.Span), matchedTags.Contains((d.KeyTag, d.Algorithm, d.DigestType, Convert.ToHexString(d.Digest.Span))))).ToList();
        DnssecStep MakeStep(DnssecStatus verdict, DnssecFailure failure, string message, IReadOnlyList<SignatureInfo> sigs) => new()
        {
            Zone = zone,
            Owner = zone,
            Kind = kind,
            Verdict = verdict,
            Failure = failure,
            Message = message,
            Ds = dsInfos,
            Keys = keyInfos,
            Signatures = sigs,
        };

        if (keys.Count == 0)
        {
            var m = $"{zone} has a DS record but no DNSKEY RRset";
            return Bogus(zone, DnssecFailure.MissingDnskey, m, [.. before, MakeStep(DnssecStatus.Bogus, DnssecFailure.MissingDnskey, m, [])]);
        }

        if (trusted.Count == 0)
        {
            var m = kind == DnssecStepKind.TrustAnchor
                ? $"no DNSKEY of {zone} matches the trust anchor (anchor key tags {string.Join(", ", dsInfos.Select(d => d.KeyTag).Concat(anchorKeys.Select(a => RecordData.KeyTag(a.Data.Span))))}; zone key tags {string.Join(", ", keyInfos.Select(k => k.KeyTag))})"
                : $"no DNSKEY of {zone} matches its DS records (DS key tags {string.Join(", ", dsInfos.Select(d => d.KeyTag))}; DNSKEY key tags {string.Join(", ", keyInfos.Select(k => k.KeyTag))})";
            return Bogus(zone, DnssecFailure.NoDsMatchesDnskey, m, [.. before, MakeStep(DnssecStatus.Bogus, DnssecFailure.NoDsMatchesDnskey, m, [])]);
        }

        var check = checker.Check(keys, answers, zone, trusted);
        if (!check.Valid)
        {
            var failure = check.Failure switch
            {
                DnssecFailure.NoMatchingDnskey or DnssecFailure.SignatureInvalid => DnssecFailure.DnskeyNotSignedByKsk,
                _ => check.Failure,
            };
            var m = $"the DNSKEY RRset of {zone} is not validly signed by a key its DS set names ({string.Join(", ", trusted.Select(t => RecordData.KeyTag(t.Data.Span)))}): {check.Message}";
            return Bogus(zone, failure, m, [.. before, MakeStep(DnssecStatus.Bogus, failure, m, check.Signatures)]);
        }

        var ok = $"DNSKEY RRset of {zone} ({keys.Count} keys) signed by key {check.Signatures.First(s => s.Outcome == SignatureOutcome.Valid).KeyTag}, which matches {(kind == DnssecStepKind.TrustAnchor ? "the trust anchor" : "a DS record")}";
        return new ZoneState
        {
            Status = DnssecStatus.Secure,
            Zone = zone,
            Keys = keys,
            Message = ok,
            Steps = [.. before, MakeStep(DnssecStatus.Secure, DnssecFailure.None, ok, check.Signatures)],
            Expiration = check.Expiration,
        };
    }

    private ZoneState DsDenial(ZoneState parent, string child, DnsMessage message, bool nxdomain)
    {
        var (verified, failed) = VerifyDenialRecords(message.Authority, parent.Zone, parent.Keys);
        if (failed is { } f)
        {
            var m = $"the proof that {child} has no DS is not validly signed: {f.Message}";
            return Bogus(parent.Zone, f.Failure, m, [.. parent.Steps, Step(parent.Zone, child, DnssecStepKind.Delegation, f) with { Message = m }]);
        }

        if (verified.Count == 0)
        {
            var m = $"{parent.Zone} is signed but gave no NSEC/NSEC3 proof for the missing DS of {child}";
            return Bogus(parent.Zone, DnssecFailure.MissingDenialProof, m, [.. parent.Steps, DenialStep(parent.Zone, child, DnssecStatus.Bogus, DnssecFailure.MissingDenialProof, m)]);
        }

        var proofs = new DenialProofs(parent.Zone, verified);
        var kindName = proofs.HasNsec ? "NSEC" : "NSEC3";
        switch (proofs.ClassifyDsDenial(child, nxdomain))
        {
            case DelegationOutcome.NotACut:
                return parent;
            case DelegationOutcome.NameMissing:
                return parent with { NameMissing = true };
            case DelegationOutcome.InsecureDelegation or DelegationOutcome.InsecureOptOut:
                {
                    var optOut = proofs.ClassifyDsDenial(child, false) == DelegationOutcome.InsecureOptOut ? ", NSEC3 opt-out span" : string.Empty;
                    var m = $"{child} is delegated without DS: the chain of trust ends here ({kindName} proof{optOut})";
                    return new ZoneState
                    {
                        Status = DnssecStatus.Insecure,
                        Zone = child,
                        InsecureCut = child,
                        Message = m,
                        Steps = [.. parent.Steps, DenialStep(parent.Zone, child, DnssecStatus.Insecure, DnssecFailure.None, m)],
                    };
                }

            case DelegationOutcome.TooManyIterations:
                {
                    var m = $"the NSEC3 records of {parent.Zone} use more than {Limits.Nsec3MaxIterations} iterations: treated as insecure (RFC 9276 §3.2)";
                    return new ZoneState
                    {
                        Status = DnssecStatus.Insecure,
                        Zone = parent.Zone,
                        InsecureCut = parent.Zone,
                        Failure = DnssecFailure.Nsec3IterationsTooHigh,
                        Message = m,
                        Steps = [.. parent.Steps, DenialStep(parent.Zone, child, DnssecStatus.Insecure, DnssecFailure.Nsec3IterationsTooHigh, m)],
                    };
                }

            default:
                {
                    var m = $"the {kindName} records from {parent.Zone} do not prove that {child} has no DS";
                    return Bogus(parent.Zone, DnssecFailure.UnsignedDelegationProofMissing, m, [.. parent.Steps, DenialStep(parent.Zone, child, DnssecStatus.Bogus, DnssecFailure.UnsignedDelegationProofMissing, m)]);
                }
        }
    }

    /// <summary>Verifies every NSEC/NSEC3 RRset of an authority section; the first failure is returned.</summary>
    private (List<DnsRecord> Verified, SignatureCheck? Failed) VerifyDenialRecords(IReadOnlyList<DnsRecord> authority, string zone, IReadOnlyList<DnsRecord> keys)
    {
        var verified = new List<DnsRecord>();
        foreach (var group in authority.Where(r => r.Type is DnsRecordType.NSEC or DnsRecordType.NSEC3).GroupBy(r => (r.Name, r.Type)).Take(Limits.DnssecMaxSignaturesPerRrset * 4))
        {
            var rrset = group.ToList();
            var check = checker.Check(rrset, authority, zone, keys);
            if (!check.Valid)
            {
                return (verified, check);
            }

            verified.AddRange(rrset);
        }

        return (verified, null);
    }

    private static DnssecStep DenialStep(string zone, string owner, DnssecStatus verdict, DnssecFailure failure, string message) => new()
    {
        Zone = zone,
        Owner = owner,
        Kind = DnssecStepKind.Denial,
        Verdict = verdict,
        Failure = failure,
        Message = message,
    };

    private static ZoneState Bogus(string zone, DnssecFailure failure, string message, IReadOnlyList<DnssecStep> steps) =>
        new() { Status = DnssecStatus.Bogus, Zone = zone, Failure = failure, Message = message, Steps = steps };

    private static ZoneState Indeterminate(string zone, string message, IReadOnlyList<DnssecStep> steps) =>
        new()
        {
            Status = DnssecStatus.Indeterminate,
            Zone = zone,
            Failure = DnssecFailure.LookupFailed,
            Message = message,
            Steps = [.. steps, DenialStep(zone, zone, DnssecStatus.Indeterminate, DnssecFailure.LookupFailed, message) with { Kind = DnssecStepKind.Delegation }],
        };
}
