using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using MailTls.Dane;
using MailTls.Dns;
using MailTls.Dns.Dnssec;
using MailTls.Findings;
using MailTls.Smtp;

namespace MailTls.Plan;

/// <summary>The guard's verdict on deploying a certificate.</summary>
public enum GuardVerdict
{
    /// <summary>Deploying it keeps DANE working (or DANE does not apply).</summary>
    Accept = 0,

    /// <summary>Deploying it now would break DANE.</summary>
    Refuse = 1,

    /// <summary>The facts could not be established (DNS failure): do not deploy blindly.</summary>
    Incomplete = 2,
}

/// <summary>One published TLSA record as the guard judged it.</summary>
public sealed record GuardRecord(TlsaRecord Record, bool MatchesNew, bool MatchesLive, DateTimeOffset FirstSeen, DateTimeOffset SafeAfter);

/// <summary>The result of <see cref="TlsaGuard.CheckAsync"/>.</summary>
public sealed record GuardResult(string Host, string Owner, GuardVerdict Verdict, string Reason, uint? Ttl, IReadOnlyList<GuardRecord> Records, IReadOnlyList<Finding> Findings)
{
    public DateTimeOffset? SafeAfter { get; init; }
}

/// <summary>Settings of <see cref="TlsaGuard"/>.</summary>
public sealed record TlsaGuardOptions
{
    public required IDnsResolver Recursive { get; init; }

    public required TrustAnchors Anchors { get; init; }

    /// <summary>The plan clock (first-seen times and the 2×TTL wait; <c>--now</c>).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public int Port { get; init; } = 25;

    public TimeSpan Timeout { get; init; } = Limits.CheckStsPolicyFetchTimeout;

    /// <summary>Probe the live host: a record that already authenticates what it serves is not new (default on).</summary>
    public bool ProbeLive { get; init; } = true;
}

/// <summary>
/// The DANE-safe renewal guard (RFC 7671 §8.1): deploying a certificate is safe when a published, DNSSEC-secure TLSA
/// record at <c>_PORT._tcp.HOST</c> matches it (<see cref="TlsaMatcher"/>) and that record has been published for at least
/// 2×TTL (the largest TTL the authoritative servers serve), so no resolver still holds an RRset without it. The first
/// time a record is seen is kept in the store; a record that already authenticates the chain the host serves now is
/// not new for any resolver and needs no wait. Run as a certbot deploy hook (docs/plan.md).
/// </summary>
public sealed class TlsaGuard(IPlanStore store, TlsaGuardOptions options)
{
    public async Task<GuardResult> CheckAsync(string host, IReadOnlyList<X509Certificate2> newChain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newChain);
        var name = DnsName.TryNormalize(host) ?? throw new ArgumentException("not a host name: " + host, nameof(host));
        var owner = TlsaOwner.For(name, options.Port) ?? throw new ArgumentException("no TLSA owner for " + host, nameof(host));
        // Published means served by the zone's authorities: ask them directly (a recursive cache may hold an older RRset).
        var timeout = options.Timeout < Limits.DnsQueryTimeout ? options.Timeout : Limits.DnsQueryTimeout;
        var authority = new ZoneAuthority(options.Recursive, timeout);
        var (zone, zoneError) = await authority.FindAsync(owner, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (zone is null)
        {
            return new GuardResult(name, owner, GuardVerdict.Incomplete, "the authoritative servers could not be found: " + zoneError, null, [], []);
        }

        var overlay = new AuthoritativeOverlayResolver(options.Recursive, zone, timeout);
        var lookup = new DnsLookup(overlay);
        var answer = await lookup.TlsaAsync(owner, cancellationToken).ConfigureAwait(false);
        if (answer.Status.IsTemporary())
        {
            return new GuardResult(name, owner, GuardVerdict.Incomplete, $"the TLSA lookup of {owner} failed ({answer.Status} {answer.Error})".TrimEnd(), null, [], []);
        }

        var validator = new DnssecValidator(overlay, options.Anchors);
        var dnssec = await validator.ValidateAsync(answer, cancellationToken).ConfigureAwait(false);
        var records = answer.Records.Select(r => new TlsaRecord(r.Data.Usage, r.Data.Selector, r.Data.MatchingType, r.Data.Association)).Distinct().ToList();
        switch (dnssec.Status)
        {
            case DnssecStatus.Bogus:
                return new GuardResult(name, owner, GuardVerdict.Refuse, $"the TLSA RRset of {name} fails DNSSEC validation: DANE senders already defer mail to it",
                    null, [], [.. DnssecFindings.For(dnssec, DateTimeOffset.UtcNow)]);
            case DnssecStatus.Indeterminate:
                return new GuardResult(name, owner, GuardVerdict.Incomplete, "DNSSEC validation could not complete: " + dnssec.Message, null, [], []);
            case DnssecStatus.Insecure:
                return new GuardResult(name, owner, GuardVerdict.Accept,
                    records.Count == 0 ? $"{owner} has no TLSA records in a signed zone: DANE does not apply to {name}" : $"the TLSA records of {name} are not DNSSEC-secure, so senders ignore them",
                    null, [], records.Count == 0 ? [] : [PlanFindings.GuardInsecure.Create(owner, dnssec.Message)]);
        }

        if (records.Count == 0)
        {
            return new GuardResult(name, owner, GuardVerdict.Accept, $"no TLSA records at {owner} (proven by DNSSEC): DANE does not apply to {name}", null, [], []);
        }

        // The TTL as every authority serves it: the 2×TTL wait is counted from the largest.
        var authoritative = await authority.ReadAsync(zone, owner, DnsRecordType.TLSA, cancellationToken).ConfigureAwait(false);
        if (authoritative.Incomplete)
        {
            return new GuardResult(name, owner, GuardVerdict.Incomplete, $"not every authoritative server of {zone.Zone} answered for {owner}", null, [], []);
        }

        var ttl = Math.Max(authoritative.MaxTtl ?? 0, answer.Rrset.Max(r => r.Ttl));
        var realNow = DateTimeOffset.UtcNow;
        var planNow = options.Clock.GetUtcNow();
        var matchOptions = new TlsaMatchOptions { ReferenceNames = [name], Now = realNow };
        var newMatch = TlsaMatcher.Match(newChain, records, matchOptions);
        var matchesNew = newMatch.Records.Where(d => d.Outcome == TlsaRecordOutcome.Matched).Select(d => d.Record).ToHashSet();

        var live = new HashSet<TlsaRecord>();
        if (options.ProbeLive)
        {
            foreach (var chain in await LiveChainsAsync(lookup, name, cancellationToken).ConfigureAwait(false))
            {
                foreach (var d in TlsaMatcher.Match(chain, records, matchOptions).Records.Where(d => d.Outcome == TlsaRecordOutcome.Matched))
                {
                    live.Add(d.Record);
                }
            }
        }

        var judged = new List<GuardRecord>();
        foreach (var r in records)
        {
            var first = await store.TlsaSeenAsync(owner, r.ToString(), planNow, cancellationToken).ConfigureAwait(false);
            judged.Add(new GuardRecord(r, matchesNew.Contains(r), live.Contains(r), first, first.AddSeconds(2.0 * ttl)));
        }

        var candidates = judged.Where(j => j.MatchesNew).ToList();
        if (candidates.Count == 0)
        {
            var finding = PlanFindings.GuardNoMatch.Create(owner,
                $"None of the {records.Count} TLSA record(s) at {owner} matches the new certificate (key SPKI SHA-256 {Hashes.SpkiSha256(newChain[0])}).",
                FindingList.Evidence(("tlsa", string.Join(" | ", records.Select(r => r.ToString()))), ("status", newMatch.Status.ToString())));
            return new GuardResult(name, owner, GuardVerdict.Refuse, "no published TLSA record matches the new certificate", ttl, judged, [finding]);
        }

        var ready = candidates.FirstOrDefault(c => c.MatchesLive || c.SafeAfter <= planNow);
        if (ready is not null)
        {
            var why = ready.MatchesLive
                ? $"{ready.Record} matches the new certificate and already authenticates the certificate {name} serves now"
                : $"{ready.Record} matches the new certificate and has been published since {PlanJson.Iso(ready.FirstSeen)} (more than 2×TTL = {2 * ttl} s)";
            return new GuardResult(name, owner, GuardVerdict.Accept, why, ttl, judged, []);
        }

        var soonest = candidates.Min(c => c.SafeAfter);
        var young = PlanFindings.GuardTooYoung.Create(owner,
            $"The matching record(s) were first seen at {string.Join(", ", candidates.Select(c => PlanJson.Iso(c.FirstSeen)))}; with a TTL of {ttl} s the certificate may be deployed from {PlanJson.Iso(soonest)} on.",
            FindingList.Evidence(("ttl", ttl.ToString(CultureInfo.InvariantCulture)), ("safe-after", PlanJson.Iso(soonest))));
        return new GuardResult(name, owner, GuardVerdict.Refuse, $"the matching TLSA record is younger than 2×TTL ({2 * ttl} s): deploy after {PlanJson.Iso(soonest)}", ttl, judged, [young])
        {
            SafeAfter = soonest,
        };
    }

    private async Task<IReadOnlyList<IReadOnlyList<X509Certificate2>>> LiveChainsAsync(DnsLookup lookup, string host, CancellationToken cancellationToken)
    {
        var a = await lookup.AAsync(host, cancellationToken).ConfigureAwait(false);
        var aaaa = await lookup.AaaaAsync(host, cancellationToken).ConfigureAwait(false);
        var prober = new StartTlsProber(new StartTlsProberOptions
        {
            Port = options.Port,
            ConnectTimeout = options.Timeout < Limits.SmtpConnectTimeout ? options.Timeout : Limits.SmtpConnectTimeout,
            BannerTimeout = options.Timeout,
            CommandTimeout = options.Timeout,
            HandshakeTimeout = options.Timeout,
            ProbeTimeout = options.Timeout * 2,
        });
        var chains = new List<IReadOnlyList<X509Certificate2>>();
        foreach (var address in a.Records.Select(r => r.Data.Address).Concat(aaaa.Records.Select(r => r.Data.Address)))
        {
            var probe = await prober.ProbeAsync(host, address, cancellationToken).ConfigureAwait(false);
            chains.AddRange(probe.Sessions.Select(s => s.Chain));
        }

        return chains;
    }
}
