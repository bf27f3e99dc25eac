using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MailTls.Dane;
using MailTls.Dns;
using MailTls.Dns.Dnssec;
using MailTls.Findings;
using MailTls.MtaSts;
using MailTls.Pki;
using MailTls.Smtp;
using MailTls.TlsRpt;

namespace MailTls.Audit;

/// <summary>Settings of <see cref="DomainAuditor"/>.</summary>
public sealed record DomainAuditOptions
{
    /// <summary>Probe STARTTLS on every MX address (false: <c>--no-smtp</c>).</summary>
    public bool ProbeSmtp { get; init; } = true;

    public StartTlsProberOptions Smtp { get; init; } = new();

    public StsPolicyFetcherOptions PolicyFetch { get; init; } = new() { Timeout = Limits.CheckStsPolicyFetchTimeout };

    public CaaIssuerTable CaaIssuers { get; init; } = CaaIssuerTable.Default;

    public int SmtpConcurrency { get; init; } = Limits.CheckSmtpConcurrency;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>What to check (<c>scan --only</c>); <see cref="AuditParts.All"/> is the full check.</summary>
    public AuditParts Parts { get; init; } = AuditParts.All;

    /// <summary>Concurrent STARTTLS probes to one IP address (politeness toward shared MX hosts).</summary>
    public int PerAddressConcurrency { get; init; } = Limits.ScanPerAddressConcurrency;

    /// <summary>Probe results and CAA answers kept for reuse across domains; beyond it the oldest are dropped.</summary>
    public int SharedCacheMaxEntries { get; init; } = Limits.AuditSharedCacheMaxEntries;

    /// <summary>An MX certificate that expires within this is reported (<c>smtp.cert.expiring</c>); <c>watch</c> sets its own threshold.</summary>
    public TimeSpan MxCertificateExpiryWarning { get; init; } = Limits.CertificateExpiryWarning;

    /// <summary>A policy host certificate that expires within this is reported (<c>sts.policy.cert.expiring</c>).</summary>
    public TimeSpan PolicyCertificateExpiryWarning { get; init; } = Limits.CertificateExpiryWarning;

    /// <summary>A DNSSEC signature on the chain that expires within this is reported (<c>dnssec.signature-expiring</c>).</summary>
    public TimeSpan DnssecSignatureExpiryWarning { get; init; } = Limits.DnssecSignatureExpiringWarning;
}

/// <summary>The parts of a domain audit (<c>mailtls scan --only</c>).</summary>
[Flags]
public enum AuditParts
{
    None = 0,
    MtaSts = 1,
    TlsRpt = 2,
    Dane = 4,
    Dnssec = 8,
    Smtp = 16,
    Caa = 32,
    All = MtaSts | TlsRpt | Dane | Dnssec | Smtp | Caa,
}

/// <summary>
/// The domain audit behind <c>mailtls check</c>: gathers the evidence (MX, addresses, <c>_mta-sts</c> and
/// <c>_smtp._tls</c> TXT, TLSA per MX with the RFC 7672 §2.2.2 CNAME rules, CAA per RFC 8659, DNSSEC of each RRset
/// with the in-process validator), fetches the policy (<see cref="StsPolicyFetcher"/>), probes STARTTLS on every MX
/// address (<see cref="StartTlsProber"/>, bounded concurrency, one probe per address per run), matches TLSA per
/// address and TLS session (<see cref="TlsaMatcher"/>), applies the rules (findings) and decides per address what
/// MTA-STS, DANE and opportunistic senders do (<see cref="SenderVerdicts"/>). One instance serves many domains: DNS
/// cache, DNSSEC zone results and probes are shared.
/// </summary>
public sealed class DomainAuditor : IDisposable
{
    private readonly DnsLookup lookup;
    private readonly DnssecValidator validator;
    private readonly DomainAuditOptions options;
    private readonly StsPolicyFetcher fetcher;
    private readonly StartTlsProber prober;
    private readonly SemaphoreSlim smtpSlots;
    private readonly BoundedTaskCache<(string Host, IPAddress Address), StartTlsProbeResult> probes;
    private readonly BoundedTaskCache<string, (DnsAnswer<CaaData> Answer, string? Owner)> caa;
    private readonly ConcurrentDictionary<IPAddress, SemaphoreSlim> addressSlots = new();
    private readonly BoundedTaskCache<(IReadOnlyList<X509Certificate2> Chain, string Host, string? Canonical), WebPkiResult> mxPki;
    private readonly BoundedTaskCache<(string Domain, string Id), StsPolicyFetchResult> policies;

    public DomainAuditor(IDnsResolver resolver, TrustAnchors anchors, DomainAuditOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        this.options = options ?? new DomainAuditOptions();
        lookup = new DnsLookup(resolver);
        validator = new DnssecValidator(resolver, anchors, this.options.Time);
        fetcher = new StsPolicyFetcher(lookup, this.options.PolicyFetch with { Time = this.options.Time });
        prober = new StartTlsProber(this.options.Smtp);
        smtpSlots = new SemaphoreSlim(Math.Max(1, this.options.SmtpConcurrency));
        probes = new BoundedTaskCache<(string Host, IPAddress Address), StartTlsProbeResult>(this.options.SharedCacheMaxEntries);
        caa = new BoundedTaskCache<string, (DnsAnswer<CaaData> Answer, string? Owner)>(Math.Min(this.options.SharedCacheMaxEntries, Limits.AuditPerDomainCacheMaxEntries), StringComparer.Ordinal);
        policies = new BoundedTaskCache<(string, string), StsPolicyFetchResult>(Math.Min(this.options.SharedCacheMaxEntries, Limits.AuditPerDomainCacheMaxEntries));
        mxPki = new BoundedTaskCache<(IReadOnlyList<X509Certificate2>, string, string?), WebPkiResult>(this.options.SharedCacheMaxEntries, ChainKeyComparer.Instance);
    }

    /// <summary>STARTTLS probes started so far (each MX address and SNI once per run while cached).</summary>
    public int ProbesStarted => probes.Created;

    /// <summary>Policy fetches started so far (one per policy host and id while cached).</summary>
    public int PolicyFetchesStarted => policies.Created;

    public void Dispose()
    {
        fetcher.Dispose();
        smtpSlots.Dispose();
        foreach (var slot in addressSlots.Values)
        {
            slot.Dispose();
        }
    }

    public async Task<DomainAuditResult> AuditAsync(string domain, CancellationToken cancellationToken = default)
    {
        var name = DnsName.TryNormalize(domain) ?? throw new ArgumentException("not a domain name: " + domain, nameof(domain));
        var clock = Stopwatch.StartNew();
        var now = options.Time.GetUtcNow();
        var findings = new List<Finding>();

        var parts = options.Parts;
        var doSts = parts.HasFlag(AuditParts.MtaSts);
        var doRpt = parts.HasFlag(AuditParts.TlsRpt);
        var doDnssec = parts.HasFlag(AuditParts.Dnssec);
        var doDane = parts.HasFlag(AuditParts.Dane);
        var doCaa = parts.HasFlag(AuditParts.Caa);
        var doSmtp = options.ProbeSmtp && parts.HasFlag(AuditParts.Smtp);
        var mxTask = lookup.MxAsync(name, cancellationToken);
        var stsTxtTask = doSts ? lookup.TxtAsync("_mta-sts." + name, cancellationToken) : null;
        var rptTxtTask = doRpt ? lookup.TxtAsync("_smtp._tls." + name, cancellationToken) : null;
        var mxAnswer = await mxTask.ConfigureAwait(false);
        var stsTxt = stsTxtTask is null ? null : await stsTxtTask.ConfigureAwait(false);
        var rptTxt = rptTxtTask is null ? null : await rptTxtTask.ConfigureAwait(false);

        if (mxAnswer.Status == DnsAnswerStatus.Timeout && (stsTxt?.Status ?? DnsAnswerStatus.Timeout) == DnsAnswerStatus.Timeout)
        {
            return new DomainAuditResult
            {
                Domain = name,
                CheckedAt = now,
                Findings = [],
                Completed = false,
                IncompleteReason = "the DNS resolver did not answer (" + mxAnswer.Error + ")",
                Summary = $"{name}: check incomplete: the DNS resolver did not answer.",
                Elapsed = clock.Elapsed,
            };
        }

        // ---- DNSSEC state of the domain (its MX RRset or the proof that it has none) ----
        var dnssec = doDnssec || doDane ? await validator.ValidateAsync(mxAnswer, cancellationToken).ConfigureAwait(false) : null;
        var dsMissing = false;
        switch (dnssec?.Status)
        {
            case null:
                break;
            case DnssecStatus.Insecure when !doDnssec:
                break;
            case DnssecStatus.Insecure:
                var keys = await lookup.DnskeyAsync(name, cancellationToken).ConfigureAwait(false);
                if (keys.Records.Count > 0)
                {
                    dsMissing = true;
                    findings.Add(AuditFindings.DnssecDsMissing.Create(name,
                        $"{name} publishes DNSKEY records (it is signed) but the chain of trust ends at {dnssec.InsecureCut ?? "a parent zone"}: the parent has no DS for it.",
                        FindingList.Evidence(("dnskey-tags", string.Join(",", keys.Records.Select(k => k.Data.KeyTag.ToString(CultureInfo.InvariantCulture)))), ("zone-cut", dnssec.InsecureCut))));
                }
                else
                {
                    findings.Add(AuditFindings.DnssecUnsigned.Create(name, dnssec.Message, FindingList.Evidence(("zone-cut", dnssec.InsecureCut))));
                }

                break;
            default:
                findings.AddRange(DnssecFindings.For(dnssec, now, options.DnssecSignatureExpiryWarning));
                break;
        }

        if (dnssec?.Status == DnssecStatus.Bogus)
        {
            var bogusMx = mxAnswer.Records.Where(r => r.Data.Exchange.Length > 1).Select(r => new MxAudit(
                r.Data.Exchange.TrimEnd('.'), r.Data.Preference, null, [], DnssecStatus.Bogus, null, null,
                new TlsaAudit(null, DnsAnswerStatus.ServFail, DnssecStatus.Bogus, [], DaneState.LookupFailed), null, SenderAction.Refuse, GoverningMechanism.Opportunistic)).ToList();
            return new DomainAuditResult
            {
                Domain = name,
                CheckedAt = now,
                Findings = findings,
                Mx = bogusMx,
                Dnssec = dnssec,
                Summary = $"{name}: DNSSEC validation fails ({dnssec.Failure}): validating resolvers answer SERVFAIL, so no sender that validates can deliver mail. Fix DNSSEC first.",
                Elapsed = clock.Elapsed,
            };
        }

        // ---- MX RRset ----
        var mxRecords = mxAnswer.Records.Select(r => r.Data).ToList();
        var nullMx = mxRecords.Any(m => m.Exchange is "." or "");
        if (nullMx)
        {
            if (mxRecords.Count > 1)
            {
                findings.Add(AuditFindings.MxNullMixed.Create(name, $"The MX RRset has \"0 .\" and {mxRecords.Count - 1} other record(s)."));
            }
            else
            {
                findings.Add(AuditFindings.MxNull.Create(name, $"{name} publishes \"MX 0 .\": it accepts no mail, so MTA-STS, DANE and TLS-RPT do not apply."));
                return new DomainAuditResult
                {
                    Domain = name,
                    CheckedAt = now,
                    Findings = findings,
                    NullMx = true,
                    Dnssec = dnssec,
                    DsMissing = dsMissing,
                    Summary = $"{name}: null MX — the domain accepts no mail; nothing else to check.",
                    Elapsed = clock.Elapsed,
                };
            }
        }

        var hosts = new List<(string Host, ushort Preference)>();
        if (mxAnswer.Status.IsTemporary())
        {
            findings.Add(AuditFindings.MxDnsTemporary.Create(name, $"The MX lookup of {name} failed: {mxAnswer.Status} {mxAnswer.Error}".TrimEnd()));
        }
        else if (mxRecords.Count == 0)
        {
            findings.Add(mxAnswer.Status == DnsAnswerStatus.NxDomain
                ? AuditFindings.MxNone.Create(name, $"{name} does not exist (NXDOMAIN).", severity: Severity.Error)
                : AuditFindings.MxNone.Create(name, $"{name} has no MX records; senders use its address records (implicit MX)."));
            if (mxAnswer.Status != DnsAnswerStatus.NxDomain)
            {
                hosts.Add((name, 0));
            }
        }
        else
        {
            foreach (var m in mxRecords.Where(m => m.Exchange is not ("." or "")).OrderBy(m => m.Preference).ThenBy(m => m.Exchange, StringComparer.OrdinalIgnoreCase))
            {
                var host = m.Exchange.TrimEnd('.').ToLowerInvariant();
                if (!hosts.Any(h => h.Host == host))
                {
                    hosts.Add((host, m.Preference));
                }
            }
        }

        // ---- MTA-STS discovery and policy fetch ----
        var discovery = stsTxt is null ? null : StsDiscovery.Evaluate(new StsTxtAnswer(stsTxt.Status, [.. stsTxt.Records.Select(r => r.Data.Strings).OrderBy(t => string.Join('\0', t), StringComparer.Ordinal)]));
        findings.AddRange(discovery?.Findings ?? []);
        StsPolicyFetchResult? fetch = null;
        StsPolicy? policy = null;
        if (discovery is StsDiscoveryResult.Found found)
        {
            // One fetch per policy host and id in a run (a list may name a domain twice; RFC 8461 §3.3: the id names the policy).
            fetch = await policies.GetOrAdd((name, found.Record.Id), _ => fetcher.FetchAsync(name, cancellationToken)).ConfigureAwait(false);
            findings.AddRange(FetchFindings(name, fetch, now, options.PolicyCertificateExpiryWarning));
            var body = fetch switch
            {
                StsPolicyFetchResult.Fetched f => f.Body,
                _ => null,
            };
            if (body is not null)
            {
                var parsed = StsPolicyParser.Parse(body);
                findings.AddRange(parsed.Findings);
                policy = parsed.Policy;
            }
        }

        // ---- TLS-RPT ----
        TlsRptRecordSelection? rptSelection = null;
        if (rptTxt is null)
        {
        }
        else if (rptTxt.Status.IsTemporary())
        {
            findings.Add(AuditFindings.RptDnsTemporary.Create("_smtp._tls." + name, $"The TXT lookup failed: {rptTxt.Status} {rptTxt.Error}".TrimEnd()));
        }
        else
        {
            rptSelection = TlsRptRecordSelector.Select([.. rptTxt.Records.Select(r => r.Data.Strings).OrderBy(t => string.Join('\0', t), StringComparer.Ordinal)]);
            findings.AddRange(rptSelection.Findings);
            if (rptSelection.ParseResult?.Record is { } rpt)
            {
                foreach (var uri in rpt.UsableRua.Distinct())
                {
                    findings.AddRange(await RuaFindingsAsync(uri, cancellationToken).ConfigureAwait(false));
                }
            }
        }

        // ---- MX hosts: addresses, TLSA, coverage ----
        var hostInfos = await Task.WhenAll(hosts.Select(h => HostAsync(name, h.Host, h.Preference, dnssec?.Status, doDane || doDnssec, doDane, cancellationToken))).ConfigureAwait(false);
        foreach (var h in hostInfos)
        {
            findings.AddRange(h.Findings);
        }

        var stsMode = policy?.Mode;
        foreach (var h in hostInfos)
        {
            if (policy is { Mode: StsMode.Testing or StsMode.Enforce })
            {
                var pattern = MxPatternMatcher.FirstMatch(policy.Mx, h.Host);
                h.Covered = pattern is not null;
                h.Pattern = pattern?.ToString();
                if (pattern is null)
                {
                    findings.Add(StsFindings.MxNotCovered.Create(h.Host,
                        $"MX host {h.Host} matches none of the policy's mx patterns ({string.Join(", ", policy.Mx)}); under {policy.Mode.ToWireName()} senders {(policy.Mode == StsMode.Enforce ? "refuse to deliver to it" : "report a failure for it")}.",
                        FindingList.Evidence(("mx", h.Host), ("patterns", string.Join(", ", policy.Mx)), ("mode", policy.Mode.ToWireName())),
                        policy.Mode == StsMode.Enforce ? Severity.Error : Severity.Warning));
                }
            }
        }

        // ---- STARTTLS probes ----
        var allAddresses = hostInfos.SelectMany(h => h.Addresses.Select(a => (Host: h, Address: a))).ToList();
        var probeResults = new Dictionary<(string, IPAddress), StartTlsProbeResult>();
        if (doSmtp)
        {
            var results = await Task.WhenAll(allAddresses.Select(x => ProbeAsync(x.Host.Host, x.Address, cancellationToken))).ConfigureAwait(false);
            for (var i = 0; i < allAddresses.Count; i++)
            {
                probeResults[(allAddresses[i].Host.Host, allAddresses[i].Address)] = results[i];
            }
        }

        var port25Blocked = doSmtp && LooksLikePort25Blocked(probeResults.Values);
        if (port25Blocked)
        {
            findings.Add(AuditFindings.Port25Blocked.Create(name,
                $"All {probeResults.Count} MX address(es) timed out on the TCP connection to port 25 while DNS answers: outgoing port 25 is most likely filtered where this check runs (or every MX is down).",
                FindingList.Evidence(("addresses", string.Join(", ", probeResults.Keys.Select(k => k.Item2.ToString()))))));
        }

        // ---- per address: certificates, DANE matches, verdicts ----
        var mxAudits = new List<MxAudit>();
        foreach (var h in hostInfos)
        {
            var addressAudits = new List<AddressAudit>();
            X509Certificate2? leafForCaa = null;
            foreach (var address in h.Addresses)
            {
                var probe = doSmtp && !port25Blocked ? probeResults[(h.Host, address)] : null;
                var pkis = new List<WebPkiResult>();
                var matches = new List<DaneSessionMatch>();
                var subject = $"{h.Host} [{address}]";
                if (probe is not null)
                {
                    findings.AddRange(ProbeFindings(subject, probe));
                    var strictSts = stsMode == StsMode.Enforce && h.Covered == true && h.Tlsa.State is not DaneState.Usable;
                    foreach (var session in probe.Sessions)
                    {
                        var pki = VerifyMx(session.Chain, h, now);
                        pkis.Add(pki);
                        leafForCaa ??= Leaf(session.Chain);
                        var sessionSubject = probe.Sessions.Count > 1 ? $"{subject} {session.KeyAlgorithm}" : subject;
                        findings.AddRange(CertificateFindings(sessionSubject, h.Host, session, pki, strictSts, now, options.MxCertificateExpiryWarning));
                        if (h.Tlsa.State == DaneState.Usable)
                        {
                            var match = TlsaMatcher.Match(session.Chain, h.Tlsa.Records, new TlsaMatchOptions
                            {
                                ReferenceNames = [.. new[] { h.Tlsa.Owner?.Split("._tcp.", 2)[^1], h.Host, h.CanonicalName, name }.OfType<string>().Distinct()],
                                Now = now,
                            });
                            matches.Add(new DaneSessionMatch(session.KeyAlgorithm, match));
                            findings.AddRange(match.Findings.Where(f => f.Code != DaneFindings.Unusable.Code).Select(f => f with { Subject = sessionSubject }));
                        }
                    }
                }

                var verdict = SenderVerdicts.Decide(new VerdictInput
                {
                    Probe = probe?.Outcome,
                    PkixValid = pkis.Count > 0 && pkis.All(p => p.IsValid),
                    StsMode = stsMode,
                    CoveredByPolicy = h.Covered == true,
                    Dane = h.Tlsa.State,
                    DaneMatched = matches.Count > 0 && matches.All(m => m.Result.Matched),
                    Bogus = h.AddressDnssec == DnssecStatus.Bogus,
                });
                addressAudits.Add(new AddressAudit(address, probe, pkis, matches, verdict));
            }

            CaaAudit? hostCaa = null;
            if (leafForCaa is not null && doCaa)
            {
                hostCaa = await CaaAsync(h.Host, leafForCaa, findings, cancellationToken).ConfigureAwait(false);
            }

            var worst = h.Addresses.Count == 0 ? SenderAction.Refuse : SenderVerdicts.Worst(addressAudits.Select(a => a.Verdict.Verdict));
            var governs = addressAudits.Count > 0 ? addressAudits[0].Verdict.Governs
                : h.Tlsa.State is DaneState.Usable or DaneState.LookupFailed ? GoverningMechanism.Dane
                : stsMode is StsMode.Testing or StsMode.Enforce ? GoverningMechanism.MtaSts : GoverningMechanism.Opportunistic;
            mxAudits.Add(new MxAudit(h.Host, h.Preference, h.CanonicalName, addressAudits, h.AddressDnssec, h.Covered, h.Pattern, h.Tlsa, hostCaa, worst, governs));
        }

        CaaAudit? policyCaa = null;
        var policyLeaf = fetch switch
        {
            StsPolicyFetchResult.Fetched f => Leaf(f.Tls.Chain),
            StsPolicyFetchResult.Redirect r => Leaf(r.Tls.Chain),
            StsPolicyFetchResult.HttpStatus s => Leaf(s.Tls.Chain),
            StsPolicyFetchResult.BadContentType b => Leaf(b.Tls.Chain),
            StsPolicyFetchResult.TooLarge t => Leaf(t.Tls.Chain),
            _ => null,
        };
        if (policyLeaf is not null && doCaa)
        {
            policyCaa = await CaaAsync("mta-sts." + name, policyLeaf, findings, cancellationToken).ConfigureAwait(false);
        }

        var daneAny = hostInfos.Any(h => h.Tlsa.State is DaneState.Usable);
        if (rptSelection?.ParseResult?.Record is not null && policy is not { Mode: StsMode.Testing or StsMode.Enforce } && !daneAny)
        {
            findings.Add(AuditFindings.RptWithoutPolicy.Create("_smtp._tls." + name, "TLS-RPT is published, but the domain has no MTA-STS policy in force and no DANE."));
        }

        return new DomainAuditResult
        {
            Domain = name,
            CheckedAt = now,
            Findings = findings,
            Mx = mxAudits,
            MtaSts = new StsAudit(discovery, fetch, policy, policyCaa),
            TlsRpt = new TlsRptAudit(rptTxt?.Status ?? DnsAnswerStatus.NoData, rptSelection),
            Dnssec = dnssec,
            DsMissing = dsMissing,
            SmtpProbed = doSmtp && !port25Blocked,
            Port25Blocked = port25Blocked,
            Summary = Summarise(name, findings, mxAudits, policy, doSmtp && !port25Blocked, discovery is StsDiscoveryResult.Found),
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>
    /// Port 25 filtered where the check runs: every probed address (at least one) timed out on the TCP connect, while
    /// DNS answered (the caller only probes after DNS gave addresses). A tarpit answers the SYN, a closed port refuses it.
    /// </summary>
    internal static bool LooksLikePort25Blocked(IReadOnlyCollection<StartTlsProbeResult> probes) =>
        probes.Count > 0 && probes.All(p => p.Outcome == SmtpProbeOutcome.ConnectTimeout);

    /// <summary>The summary line: what senders do, and how many findings need attention.</summary>
    internal static string Summarise(string name, IReadOnlyList<Finding> findings, IReadOnlyList<MxAudit> mx, StsPolicy? policy, bool probed, bool stsRecord = false)
    {
        var errors = findings.Count(f => f.Severity == Severity.Error);
        var warnings = findings.Count(f => f.Severity == Severity.Warning);
        var counts = $"{errors} error(s), {warnings} warning(s)";
        if (mx.Count == 0)
        {
            return $"{name}: no MX host to deliver to; {counts}.";
        }

        var refused = mx.Where(m => m.Verdict == SenderAction.Refuse).Select(m => m.Host).ToList();
        var reported = mx.Where(m => m.Verdict == SenderAction.DeliverWithReport).Select(m => m.Host).ToList();
        var mechanisms = new List<string>();
        if (policy is { Mode: StsMode.Enforce or StsMode.Testing })
        {
            mechanisms.Add("MTA-STS " + policy.Mode.ToWireName());
        }

        var daneHosts = mx.Count(m => m.Tlsa.State == DaneState.Usable);
        if (daneHosts > 0)
        {
            mechanisms.Add(daneHosts == mx.Count ? "DANE" : $"DANE on {daneHosts} of {mx.Count} MX");
        }

        var protection = mechanisms.Count > 0 ? "protected by " + string.Join(" and ", mechanisms)
            : stsRecord && policy is null ? "the MTA-STS record is published but senders cannot use the policy, so mail falls back to opportunistic TLS"
            : "no MTA-STS or DANE: mail falls back to opportunistic TLS";
        if (refused.Count > 0)
        {
            var all = refused.Count == mx.Count;
            return $"{name}: {protection}; senders will NOT deliver to {(all ? "any MX" : string.Join(", ", refused))}{(all ? string.Empty : " (mail goes to the other MX)")}; {counts}.";
        }

        if (reported.Count > 0)
        {
            return $"{name}: {protection}; delivery works, but {string.Join(", ", reported)} would fail under enforce (reported via TLS-RPT); {counts}.";
        }

        if (!probed)
        {
            return $"{name}: {protection}; SMTP not probed, so delivery was not verified; {counts}.";
        }

        return $"{name}: {protection}; every MX accepts secure delivery; {counts}.";
    }

    private Task<StartTlsProbeResult> ProbeAsync(string host, IPAddress address, CancellationToken cancellationToken) =>
        probes.GetOrAdd((host, address), async key =>
        {
            var perAddress = addressSlots.GetOrAdd(key.Address, _ => new SemaphoreSlim(Math.Max(1, options.PerAddressConcurrency)));
            await perAddress.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await smtpSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    return await prober.ProbeAsync(key.Host, key.Address, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    smtpSlots.Release();
                }
            }
            finally
            {
                perAddress.Release();
            }
        });

    private sealed class HostInfo
    {
        public required string Host { get; init; }

        public ushort Preference { get; init; }

        public string? CanonicalName { get; set; }

        public List<IPAddress> Addresses { get; } = [];

        public DnssecStatus? AddressDnssec { get; set; }

        public TlsaAudit Tlsa { get; set; } = new(null, DnsAnswerStatus.NoData, null, [], DaneState.None);

        public bool? Covered { get; set; }

        public string? Pattern { get; set; }

        public List<Finding> Findings { get; } = [];
    }

    private async Task<HostInfo> HostAsync(string domain, string host, ushort preference, DnssecStatus? domainStatus, bool validate, bool dane, CancellationToken cancellationToken)
    {
        var info = new HostInfo { Host = host, Preference = preference };
        var aTask = lookup.AAsync(host, cancellationToken);
        var aaaaTask = lookup.AaaaAsync(host, cancellationToken);
        var a = await aTask.ConfigureAwait(false);
        var aaaa = await aaaaTask.ConfigureAwait(false);
        // RRsets are unordered (RFC 2181 §5) and resolvers rotate them: a canonical order makes the report reproducible.
        info.Addresses.AddRange(a.Records.Select(r => r.Data.Address).OrderBy(x => Convert.ToHexString(x.GetAddressBytes()), StringComparer.Ordinal));
        info.Addresses.AddRange(aaaa.Records.Select(r => r.Data.Address).OrderBy(x => Convert.ToHexString(x.GetAddressBytes()), StringComparer.Ordinal));
        var primary = a.Records.Count > 0 || aaaa.Records.Count == 0 ? a : aaaa;
        if (primary.CnameChain.Count > 0)
        {
            info.CanonicalName = primary.CanonicalName.TrimEnd('.');
            if (host != domain)
            {
                info.Findings.Add(AuditFindings.MxCname.Create(host,
                    $"MX target {host} is an alias (CNAME) for {info.CanonicalName}.",
                    FindingList.Evidence(("cname", string.Join(" -> ", primary.CnameChain.Select(WithoutTtl))))));
            }
        }

        if (info.Addresses.Count == 0)
        {
            info.Findings.Add(a.Status.IsTemporary() || aaaa.Status.IsTemporary()
                ? AuditFindings.MxDnsTemporary.Create(host, $"The address lookups of {host} failed: A {a.Status}, AAAA {aaaa.Status}.")
                : AuditFindings.MxNoAddress.Create(host, $"{host} has no A or AAAA record (A: {a.Status}, AAAA: {aaaa.Status})."));
            return info;
        }

        if (a.Records.Count == 0)
        {
            info.Findings.Add(AuditFindings.MxIpv6Only.Create(host, $"{host} has only IPv6 addresses ({string.Join(", ", aaaa.Records.Select(r => r.Data.Address))}).",
                FindingList.Evidence(("aaaa", string.Join(", ", aaaa.Records.Select(r => r.Data.Address))))));
        }

        if (!validate)
        {
            return info;
        }

        var addressDnssec = await validator.ValidateAsync(primary, cancellationToken).ConfigureAwait(false);
        info.AddressDnssec = addressDnssec.Status;
        if (addressDnssec.Status is DnssecStatus.Bogus or DnssecStatus.Indeterminate)
        {
            info.Findings.AddRange(DnssecFindings.For(addressDnssec, options.Time.GetUtcNow(), options.DnssecSignatureExpiryWarning));
        }

        if (!dane)
        {
            return info;
        }

        // TLSA (RFC 7672 §2.2.2; Postfix tls_dane_resolve): with secure address records, the CNAME-expanded name
        // first, then the original name; with insecure addresses, TLSA is not used (but reported when present).
        var owners = new List<string>();
        if (info.CanonicalName is { } canonical && addressDnssec.Status == DnssecStatus.Secure)
        {
            owners.Add("_25._tcp." + canonical);
        }

        owners.Add("_25._tcp." + host);
        DnsAnswer<TlsaData>? tlsa = null;
        string? owner = null;
        foreach (var o in owners)
        {
            tlsa = await lookup.TlsaAsync(o, cancellationToken).ConfigureAwait(false);
            owner = o;
            if (!tlsa.Status.IsAbsent())
            {
                break;
            }
        }

        var records = tlsa!.Records.Select(r => new TlsaRecord(r.Data.Usage, r.Data.Selector, r.Data.MatchingType, r.Data.Association)).OrderBy(r => r.ToString(), StringComparer.Ordinal).ToList();
        if (addressDnssec.Status != DnssecStatus.Secure)
        {
            if (records.Count > 0)
            {
                info.Findings.Add(AuditFindings.TlsaInsecure.Create(owner!,
                    $"{records.Count} TLSA record(s) at {owner}, but {host}'s address records are not DNSSEC-secure ({addressDnssec.Status}): senders ignore them.",
                    FindingList.Evidence(("records", string.Join(" | ", records.Select(r => r.ToString()))), ("dnssec", addressDnssec.Status.ToString()))));
            }
            else if (domainStatus == DnssecStatus.Secure && addressDnssec.Status == DnssecStatus.Insecure)
            {
                info.Findings.Add(AuditFindings.DaneAddressInsecure.Create(host, addressDnssec.Message));
            }

            info.Tlsa = new TlsaAudit(records.Count > 0 ? owner : null, tlsa.Status, null, records, DaneState.Insecure);
            return info;
        }

        if (tlsa.Status.IsTemporary())
        {
            info.Findings.Add(AuditFindings.TlsaLookupFailed.Create(owner!, $"The TLSA lookup of {owner} failed: {tlsa.Status} {tlsa.Error}".TrimEnd()));
            info.Tlsa = new TlsaAudit(owner, tlsa.Status, null, [], DaneState.LookupFailed);
            return info;
        }

        var tlsaDnssec = await validator.ValidateAsync(tlsa, cancellationToken).ConfigureAwait(false);
        switch (tlsaDnssec.Status)
        {
            case DnssecStatus.Bogus or DnssecStatus.Indeterminate:
                info.Findings.AddRange(DnssecFindings.For(tlsaDnssec, options.Time.GetUtcNow(), options.DnssecSignatureExpiryWarning));
                info.Tlsa = new TlsaAudit(owner, tlsa.Status, tlsaDnssec.Status, records, DaneState.LookupFailed);
                return info;
            case DnssecStatus.Insecure:
                if (records.Count > 0)
                {
                    info.Findings.Add(AuditFindings.TlsaInsecure.Create(owner!, $"The TLSA records at {owner} are not DNSSEC-secure: {tlsaDnssec.Message}"));
                }

                info.Tlsa = new TlsaAudit(records.Count > 0 ? owner : null, tlsa.Status, tlsaDnssec.Status, records, DaneState.Insecure);
                return info;
        }

        if (records.Count == 0)
        {
            info.Findings.Add(AuditFindings.DaneNone.Create(host, $"No TLSA records at {string.Join(" or ", owners)} (proven by DNSSEC)."));
            info.Tlsa = new TlsaAudit(null, tlsa.Status, tlsaDnssec.Status, [], DaneState.None);
            return info;
        }

        foreach (var r in records)
        {
            info.Findings.AddRange(TlsaValidator.Validate(r).Select(f => f with { Subject = owner + " TLSA " + Short(r) }));
        }

        info.Findings.AddRange(TlsaRecordSetAnalyzer.Analyze(records, owner + " TLSA"));
        var usable = records.Any(r => TlsaValidator.IsUsable(r));
        info.Tlsa = new TlsaAudit(owner, tlsa.Status, tlsaDnssec.Status, records, usable ? DaneState.Usable : DaneState.AllUnusable);
        return info;
    }

    /// <summary>A record in presentation format without its TTL (which counts down in resolver caches): reproducible evidence.</summary>
    private static string WithoutTtl(DnsRecord record)
    {
        var parts = record.ToString().Split(' ', 3);
        return parts.Length == 3 ? parts[0] + " " + parts[2] : record.ToString();
    }

    private static X509Certificate2? Leaf(IReadOnlyList<X509Certificate2> chain) => chain.Count > 0 ? chain[0] : null;

    private static string Short(TlsaRecord r)
    {
        var s = r.ToString();
        return s.Length > 24 ? s[..24] + "…" : s;
    }

    /// <summary>
    /// The WebPKI verdict of a probed chain for an MX host: computed once per probe session and host in a run (the
    /// session is shared by every domain behind that MX, and X509Chain building is the costliest step of a domain).
    /// </summary>
    private WebPkiResult VerifyMx(IReadOnlyList<X509Certificate2> chain, HostInfo h, DateTimeOffset now) =>
        mxPki.GetOrAdd((chain, h.Host, h.CanonicalName), _ => Task.FromResult(VerifyMxUncached(chain, h, now))).Result;

    /// <summary>Keys chains by reference (the probe session's list), host names by value.</summary>
    private sealed class ChainKeyComparer : IEqualityComparer<(IReadOnlyList<X509Certificate2> Chain, string Host, string? Canonical)>
    {
        public static readonly ChainKeyComparer Instance = new();

        public bool Equals((IReadOnlyList<X509Certificate2> Chain, string Host, string? Canonical) x, (IReadOnlyList<X509Certificate2> Chain, string Host, string? Canonical) y) =>
            ReferenceEquals(x.Chain, y.Chain) && string.Equals(x.Host, y.Host, StringComparison.Ordinal) && string.Equals(x.Canonical, y.Canonical, StringComparison.Ordinal);

        public int GetHashCode((IReadOnlyList<X509Certificate2> Chain, string Host, string? Canonical) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Chain), StringComparer.Ordinal.GetHashCode(obj.Host), obj.Canonical is null ? 0 : StringComparer.Ordinal.GetHashCode(obj.Canonical));
    }

    private WebPkiResult VerifyMxUncached(IReadOnlyList<X509Certificate2> chain, HostInfo h, DateTimeOffset now)
    {
        var pki = WebPkiVerifier.Verify(chain, h.Host, now, options.PolicyFetch.TrustedRoots);
        if (pki.Status == WebPkiStatus.NameMismatch && h.CanonicalName is { } canonical)
        {
            // A CNAME'd MX (mx.cname): senders that follow the alias (Postfix with the policy's patterns, RFC 7672
            // §2.2.2 for DANE) accept a certificate for the canonical name too.
            var alt = WebPkiVerifier.Verify(chain, canonical, now, options.PolicyFetch.TrustedRoots);
            if (alt.IsValid)
            {
                return alt;
            }
        }

        return pki;
    }

    private static IEnumerable<Finding> ProbeFindings(string subject, StartTlsProbeResult probe)
    {
        var evidence = FindingList.Evidence(("outcome", probe.Outcome.ToString()), ("banner", probe.Banner), ("elapsed", probe.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"));
        switch (probe.Outcome)
        {
            case SmtpProbeOutcome.ConnectTimeout or SmtpProbeOutcome.BannerTimeout or SmtpProbeOutcome.CommandTimeout:
                yield return AuditFindings.SmtpTimeout.Create(subject, probe.Detail, evidence);
                break;
            case SmtpProbeOutcome.Refused:
                yield return AuditFindings.SmtpRefused.Create(subject, probe.Detail, evidence);
                break;
            case SmtpProbeOutcome.Unreachable:
                yield return AuditFindings.SmtpUnreachable.Create(subject, probe.Detail, evidence);
                break;
            case SmtpProbeOutcome.ProtocolError or SmtpProbeOutcome.Closed:
                yield return AuditFindings.SmtpProtocolError.Create(subject, probe.Detail, evidence);
                break;
            case SmtpProbeOutcome.StartTlsNotOffered:
                yield return AuditFindings.StartTlsNotOffered.Create(subject, probe.Detail, evidence);
                break;
            case SmtpProbeOutcome.StartTlsRejected or SmtpProbeOutcome.HandshakeFailed:
                yield return AuditFindings.StartTlsFailed.Create(subject, probe.Detail, evidence);
                break;
        }
    }

    private static IEnumerable<Finding> CertificateFindings(string subject, string host, SmtpTlsSession session, WebPkiResult pki, bool strict, DateTimeOffset now, TimeSpan expiryWarning)
    {
        var leaf = Leaf(session.Chain);
        var evidence = FindingList.Evidence(
            ("protocol", StartTlsProber.Protocol(session.Protocol)),
            ("cipher", session.CipherSuite.ToString()),
            ("subject", leaf?.Subject),
            ("issuer", leaf?.Issuer),
            ("names", leaf is null ? null : string.Join(", ", CertificateIdentity.GetDnsNames(leaf))),
            ("not-after", leaf?.NotAfter.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)),
            ("sha256", leaf?.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant()));
        var severity = strict ? Severity.Error : Severity.Warning;
        foreach (var problem in pki.Problems.Distinct())
        {
            var def = problem switch
            {
                WebPkiStatus.NameMismatch => AuditFindings.SmtpCertNameMismatch,
                WebPkiStatus.Expired => AuditFindings.SmtpCertExpired,
                WebPkiStatus.NotYetValid => AuditFindings.SmtpCertNotYetValid,
                WebPkiStatus.SelfSigned => AuditFindings.SmtpCertSelfSigned,
                WebPkiStatus.Untrusted => AuditFindings.SmtpCertUntrusted,
                _ => AuditFindings.SmtpCertInvalid,
            };
            if (problem == WebPkiStatus.NameMismatch && pki.Problems.Contains(WebPkiStatus.SelfSigned))
            {
                continue;
            }

            yield return def.Create(subject, $"{pki.Detail} (MX host {host}).", evidence,
                strict ? severity : Severity.Warning);
        }

        if (leaf is not null && pki.IsValid && leaf.NotAfter.ToUniversalTime() - now.UtcDateTime < expiryWarning)
        {
            yield return AuditFindings.SmtpCertExpiring.Create(subject, $"The certificate expires {leaf.NotAfter.ToUniversalTime():u}.", evidence);
        }

        if ((int)session.Protocol is 192 or 768)
        {
            yield return AuditFindings.SmtpOldTls.Create(subject, $"Negotiated {StartTlsProber.Protocol(session.Protocol)}.", evidence);
        }
    }

    private static IEnumerable<Finding> FetchFindings(string domain, StsPolicyFetchResult fetch, DateTimeOffset now, TimeSpan expiryWarning)
    {
        var subject = "mta-sts." + domain;
        var url = fetch.Url;
        switch (fetch)
        {
            case StsPolicyFetchResult.Fetched f:
                var leaf = Leaf(f.Tls.Chain);
                if (leaf is not null && leaf.NotAfter.ToUniversalTime() - now.UtcDateTime < expiryWarning)
                {
                    yield return AuditFindings.PolicyCertExpiring.Create(subject, $"The policy host certificate expires {leaf.NotAfter.ToUniversalTime():u}.");
                }

                break;
            case StsPolicyFetchResult.Redirect r:
                yield return AuditFindings.PolicyRedirect.Create(subject, $"{url} answered {r.Status} with Location: {r.Location ?? "(none)"}; senders do not follow redirects.",
                    FindingList.Evidence(("status", r.Status.ToString(CultureInfo.InvariantCulture)), ("location", r.Location), ("result-type", r.ResultType)));
                break;
            case StsPolicyFetchResult.HttpStatus s:
                yield return AuditFindings.PolicyHttpStatus.Create(subject, $"{url} answered HTTP {s.Status}; only 200 delivers a policy.",
                    FindingList.Evidence(("status", s.Status.ToString(CultureInfo.InvariantCulture)), ("result-type", s.ResultType)));
                break;
            case StsPolicyFetchResult.BadContentType b:
                yield return AuditFindings.PolicyContentType.Create(subject, $"{url} is served as '{b.ContentType ?? "(no Content-Type)"}', not text/plain.",
                    FindingList.Evidence(("content-type", b.ContentType), ("result-type", b.ResultType)));
                break;
            case StsPolicyFetchResult.TooLarge t:
                yield return StsFindings.PolicyTooLarge.Create(subject,
                    t.ContentLength is { } len ? $"{url} announces {len} bytes (Content-Length); the limit is {Limits.StsPolicyMaxBytes}." : $"{url} sent more than {Limits.StsPolicyMaxBytes} bytes; reading stopped there.",
                    FindingList.Evidence(("content-length", t.ContentLength?.ToString(CultureInfo.InvariantCulture)), ("bytes-read", t.BytesRead.ToString(CultureInfo.InvariantCulture))));
                break;
            case StsPolicyFetchResult.Timeout o:
                yield return AuditFindings.PolicyTimeout.Create(subject, $"{url} did not complete within {o.Deadline.TotalSeconds:0.#} s (stalled while reading the {o.Stage}; {o.BytesRead} body bytes received).",
                    FindingList.Evidence(("stage", o.Stage), ("deadline", o.Deadline.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s"), ("result-type", o.ResultType)));
                break;
            case StsPolicyFetchResult.TlsFailure tf:
                var def = tf.Kind switch
                {
                    StsTlsFailureKind.NameMismatch => AuditFindings.PolicyCertNameMismatch,
                    StsTlsFailureKind.Expired => AuditFindings.PolicyCertExpired,
                    StsTlsFailureKind.NotYetValid => AuditFindings.PolicyCertNotYetValid,
                    StsTlsFailureKind.Untrusted or StsTlsFailureKind.SelfSigned or StsTlsFailureKind.Invalid => AuditFindings.PolicyCertUntrusted,
                    _ => AuditFindings.PolicyTlsFailed,
                };
                var tleaf = Leaf(tf.Chain);
                yield return def.Create(subject, $"{url}: {tf.Detail}.",
                    FindingList.Evidence(("address", tf.Address?.ToString()), ("subject", tleaf?.Subject), ("issuer", tleaf?.Issuer),
                        ("names", tleaf is null ? null : string.Join(", ", CertificateIdentity.GetDnsNames(tleaf))),
                        ("not-after", tleaf?.NotAfter.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)), ("result-type", tf.ResultType)));
                break;
            case StsPolicyFetchResult.DnsFailure d:
                yield return AuditFindings.PolicyHostUnresolvable.Create(subject, d.Detail + ".", FindingList.Evidence(("status", d.Status.ToString())));
                break;
            case StsPolicyFetchResult.ConnectFailure c:
                yield return AuditFindings.PolicyConnectFailed.Create(subject, c.Detail + ".");
                break;
        }
    }

    private async Task<IReadOnlyList<Finding>> RuaFindingsAsync(Uri uri, CancellationToken cancellationToken)
    {
        var subject = "rua " + uri.OriginalString;
        if (uri.Scheme == "mailto")
        {
            var address = Uri.UnescapeDataString(uri.OriginalString["mailto:".Length..]).Split('?')[0];
            var at = address.LastIndexOf('@');
            var host = at >= 0 ? DnsName.TryNormalize(address[(at + 1)..]) : null;
            if (host is null)
            {
                return [];
            }

            var mx = await lookup.MxAsync(host, cancellationToken).ConfigureAwait(false);
            if (mx.Status.IsTemporary())
            {
                return [];
            }

            if (mx.Records.Any(r => r.Data.Exchange is "." or ""))
            {
                return [AuditFindings.RuaUndeliverable.Create(subject, $"{host} publishes a null MX: it accepts no mail.")];
            }

            if (mx.Records.Count > 0)
            {
                return [];
            }

            var a = await lookup.AAsync(host, cancellationToken).ConfigureAwait(false);
            var aaaa = await lookup.AaaaAsync(host, cancellationToken).ConfigureAwait(false);
            return a.Records.Count + aaaa.Records.Count > 0
                ? [AuditFindings.RuaNoMx.Create(subject, $"{host} has no MX record; reports can only reach it through its address records (implicit MX).",
                    FindingList.Evidence(("addresses", string.Join(", ", a.Records.Concat(aaaa.Records).Select(r => r.Data.Address)))))]
                : [AuditFindings.RuaUndeliverable.Create(subject, $"{host} has no MX and no address records ({mx.Status}).")];
        }

        if (uri.Scheme == "https" && DnsName.TryNormalize(uri.IdnHost) is { } httpsHost)
        {
            var a = await lookup.AAsync(httpsHost, cancellationToken).ConfigureAwait(false);
            var aaaa = await lookup.AaaaAsync(httpsHost, cancellationToken).ConfigureAwait(false);
            if (a.Records.Count + aaaa.Records.Count == 0 && !a.Status.IsTemporary() && !aaaa.Status.IsTemporary())
            {
                return [AuditFindings.RuaHttpsUnresolvable.Create(subject, $"{httpsHost} has no A or AAAA record.")];
            }

            var addresses = a.Records.Concat(aaaa.Records).Select(r => r.Data.Address).ToList();
            if (addresses.Count > 0)
            {
                var tls = await TlsEndpointProbe.ProbeAsync(httpsHost, addresses, uri.IsDefaultPort ? 443 : uri.Port, options.PolicyFetch.Timeout, options.Time.GetUtcNow(), options.PolicyFetch.TrustedRoots, cancellationToken).ConfigureAwait(false);
                if (!tls.Connected || tls.Pki is null)
                {
                    return [AuditFindings.RuaHttpsUnreachable.Create(subject, $"{httpsHost}: {tls.Error}.")];
                }

                if (!tls.Pki.IsValid)
                {
                    return [AuditFindings.RuaHttpsCertInvalid.Create(subject, $"{httpsHost}: {tls.Pki.Detail}.")];
                }
            }
        }

        return [];
    }

    private async Task<CaaAudit> CaaAsync(string name, X509Certificate2 leaf, List<Finding> findings, CancellationToken cancellationToken)
    {
        var (answer, owner) = await caa.GetOrAdd(name, n => RelevantCaaAsync(n, cancellationToken)).ConfigureAwait(false);
        var records = answer.Records.Select(r => r.Data).OrderBy(r => r.Tag, StringComparer.Ordinal).ThenBy(r => r.Value, StringComparer.Ordinal).ThenBy(r => r.Flags).ToList();
        var issuerDomains = options.CaaIssuers.DomainsFor(leaf);
        var issuer = CaaIssuerTable.IssuerName(leaf);
        if (answer.Status.IsTemporary())
        {
            findings.Add(AuditFindings.CaaLookupFailed.Create(name, $"The CAA lookup for {owner ?? name} failed: {answer.Status}."));
            return new CaaAudit(name, owner, [], issuer, issuerDomains, CaaVerdict.NoRecords);
        }

        var verdict = CaaEvaluator.Evaluate(records, issuerDomains);
        var evidence = FindingList.Evidence(("caa-owner", owner), ("caa", string.Join(" | ", records.Select(r => $"{r.Flags} {r.Tag} \"{r.Value}\""))), ("issuer", issuer), ("issuer-caa-domains", string.Join(", ", issuerDomains)));
        if (records.Any(CaaEvaluator.IsCriticalUnknown))
        {
            findings.Add(AuditFindings.CaaCriticalUnknown.Create(name, $"The CAA set at {owner} has a critical property this tool and CAs do not know.", evidence));
        }
        else if (verdict == CaaVerdict.Forbidden)
        {
            var allowed = CaaEvaluator.AllowedIssuers(records);
            findings.Add(AuditFindings.CaaForbidsIssuer.Create(name,
                $"The certificate served by {name} was issued by {issuer} ({string.Join(", ", issuerDomains)}), but the relevant CAA set at {owner} allows only {(allowed.Count == 0 ? "no CA" : string.Join(", ", allowed))}.",
                evidence));
        }
        else if (verdict == CaaVerdict.UnknownIssuer)
        {
            findings.Add(AuditFindings.CaaIssuerUnknown.Create(name, $"The CAA set at {owner} restricts issuance; the issuer {issuer} is not in the table of CA identifiers.", evidence));
        }

        return new CaaAudit(name, owner, records, issuer, issuerDomains, verdict);
    }

    private async Task<(DnsAnswer<CaaData> Answer, string? Owner)> RelevantCaaAsync(string name, CancellationToken cancellationToken)
    {
        DnsAnswer<CaaData>? last = null;
        foreach (var n in CaaEvaluator.Climb(name))
        {
            var answer = await lookup.CaaAsync(n, cancellationToken).ConfigureAwait(false);
            last = answer;
            if (answer.Status.IsTemporary() || answer.Records.Count > 0)
            {
                return (answer, n);
            }
        }

        return (last!, null);
    }
}
