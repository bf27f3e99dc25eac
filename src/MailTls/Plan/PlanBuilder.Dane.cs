using MailTls.Audit;
using MailTls.Dane;
using MailTls.Dns;
using MailTls.Dns.Dnssec;
using MailTls.Dns.Update;
using MailTls.MtaSts;
using MailTls.Pki;

namespace MailTls.Plan;

/// <summary>DANE changes (RFC 7671 §8: a key's TLSA record at least 2×TTL before the key; one change at a time).</summary>
public static partial class PlanBuilder
{
    private static string Owner(string host) => TlsaOwner.For(host) ?? "_25._tcp." + host;

    /// <summary>dane: first TLSA publication for MX hosts in the zone: 3 1 1 of each key they present (+ the next key).</summary>
    private static void Dane(Context ctx)
    {
        var s = ctx.S;
        if (s.Dnssec != DnssecStatus.Secure)
        {
            ctx.Fail($"{ctx.Domain}'s records are not DNSSEC-secure ({s.Dnssec?.ToString() ?? "unknown"}): senders use TLSA records only from signed zones with a chain of trust (RFC 7672 §2.2). Sign the zone and publish its DS first.");
            return;
        }

        var hosts = ctx.Request.DaneHosts.Count > 0
            ? ctx.Request.DaneHosts.Select(h => DnsName.TryNormalize(h) ?? h).ToList()
            : [.. s.Mx.Select(m => m.Host).Where(s.InZone).Distinct(StringComparer.OrdinalIgnoreCase)];
        if (hosts.Count == 0)
        {
            ctx.Fail($"No MX host of {ctx.Domain} is in the zone {s.Zone}: TLSA records of another zone's hosts are published by that zone (the hoster).");
            return;
        }

        if (ctx.Request.NextKeySpki is { IsEmpty: false } && hosts.Count > 1)
        {
            ctx.Fail("--next-key names one key: give one --mx HOST with it.");
            return;
        }

        ctx.Arguments["mx"] = string.Join(",", hosts);
        var ops = new List<DnsUpdateOperation>();
        var gate = new List<GateCheck>();
        RrsetTtl? widest = null;
        foreach (var host in hosts)
        {
            var h = s.Hosts.GetValueOrDefault(host);
            if (!s.InZone(host))
            {
                ctx.Fail($"{host} is not in the zone {s.Zone}.");
                return;
            }

            if (h is null || h.Sessions.Count == 0)
            {
                ctx.Fail($"{host} presented no certificate over STARTTLS ({h?.ProbeProblem ?? "not probed"}): the TLSA record is made from the key it presents.");
                return;
            }

            if (h.Dane == DaneState.Usable)
            {
                ctx.Fail($"{host} already has usable TLSA records; use 'mailtls plan rotate-key' or 'rotate-cert' to change them.");
                return;
            }

            if (h.AddressDnssec is not DnssecStatus.Secure)
            {
                ctx.Fail($"The address records of {host} are not DNSSEC-secure ({h.AddressDnssec?.ToString() ?? "unknown"}): senders do not look up its TLSA records (RFC 7672 §2.2.2).");
                return;
            }

            var owner = Owner(host);
            var ttl = ctx.NewRecordTtl(owner, DnsRecordType.TLSA);
            var records = h.DistinctLeaves.Select(c => TlsaBuilder.FromCertificate(c)).ToList();
            if (ctx.Request.NextKeySpki is { IsEmpty: false } next)
            {
                records.Add(TlsaBuilder.FromSubjectPublicKeyInfo(next));
            }

            records = [.. records.Distinct()];
            ops.AddRange(records.Select(r => (DnsUpdateOperation)new DnsUpdateOperation.Add(Record(owner, ttl, "TLSA", r.ToString()))));
            gate.Add(new(GateKind.RrsetHas, $"{ctx.Servers} serves the TLSA record(s) at {owner}") { Effect = true, Owner = owner, Type = DnsRecordType.TLSA, Items = [.. records.Select(r => r.ToString())] });
            gate.Add(new(GateKind.TlsaMatches, $"the TLSA RRset of {host} is DNSSEC-secure and matches what every address presents") { Host = host });
            var t = ctx.Ttl(owner, DnsRecordType.TLSA);
            if (widest is null || t.Horizon > widest.Horizon)
            {
                widest = t;
            }

            if (h.DistinctLeaves.Count > 1)
            {
                ctx.Arguments["note"] = $"{host} presents {h.DistinctLeaves.Count} keys (e.g. RSA and ECDSA): one record each, as every key must be covered.";
            }
        }

        var publish = ctx.Add(new PlanStep(0, StepKind.Dns, "Publish the TLSA records",
            "3 1 1 (DANE-EE, SPKI, SHA-256) of each key the hosts present; it survives certificate renewals with the same key (RFC 7672 §3.1.1)."
            + (ctx.Request.NextKeySpki is not { IsEmpty: false } ? " Consider a second record for the next key (--next-key) so a key change needs no emergency (RFC 7671 §8.1)." : " The next key's record is published too (current + next).")
            + (ctx.Arguments.TryGetValue("note", out var note) ? " " + note : string.Empty))
        {
            Dns = new DnsChange(s.Zone, ops),
            Gate = gate,
        });
        var wait = CacheWait(ctx, publish, widest!, "Wait until every resolver sees the TLSA records", "Resolvers that cached the absence of TLSA records keep treating the hosts as without DANE until it expires (harmless).");
        ctx.Add(new PlanStep(0, StepKind.Verify, "Verify DANE on every host", "Every address must present a chain the published records authenticate.")
        {
            Wait = new WaitSpec(wait, 0, false, "after the wait"),
            Gate = [.. hosts.Select(h => new GateCheck(GateKind.TlsaMatches, $"DANE authenticates every address of {h}") { Host = h }),
                .. hosts.Select(h => new GateCheck(GateKind.MxDelivers, $"senders deliver to {h}") { Host = h })],
        });
    }

    private static HostSnapshot? DaneHost(Context ctx, string host, string change)
    {
        var s = ctx.S;
        var h = s.Hosts.GetValueOrDefault(host);
        if (h is null || h.Dane != DaneState.Usable)
        {
            ctx.Fail($"{host} has no usable DNSSEC-secure TLSA records ({h?.Dane.ToString() ?? "not found"}); {change} changes a published DANE record set — use 'mailtls plan dane' first.");
            return null;
        }

        if (!s.InZone(host))
        {
            ctx.Fail($"The TLSA records of {host} are in another zone than {s.Zone}: plan the change in that zone ('mailtls plan {change} DOMAIN-OF-{host} …').");
            return null;
        }

        return h;
    }

    /// <summary>rotate-key: add 3 1 x next → wait 2×TTL → deploy the key → remove the old key's records (RFC 7671 §8.1).</summary>
    private static void RotateKey(Context ctx)
    {
        var s = ctx.S;
        if (NormalizeHost(ctx) is not { } host || DaneHost(ctx, host, "rotate-key") is not { } h)
        {
            return;
        }

        if (ctx.Request.NextKeySpki is not { IsEmpty: false } next)
        {
            ctx.Fail("rotate-key needs --next-key FILE (the next key, or its public key or certificate).");
            return;
        }

        var nextHash = Hashes.SpkiSha256(next);
        ctx.Arguments["next_key_spki_sha256"] = nextHash;
        if (h.Sessions.Count > 0 && h.Sessions.All(x => x.SpkiSha256 == nextHash))
        {
            ctx.Findings.Add(PlanFindings.NothingToDo.Create(host, $"{host} already presents the next key on every address."));
            return;
        }

        var usage3 = h.Tlsa.Where(r => r.Usage == (byte)TlsaUsage.DaneEe).ToList();
        if (usage3.Any(r => r.Selector == (byte)TlsaSelector.Cert))
        {
            ctx.Fail($"{host} publishes DANE-EE records of the full certificate (3 0 x): a key alone cannot produce them; use 'mailtls plan rotate-cert {host} --next-cert FILE'.");
            return;
        }

        var matchings = usage3.Select(r => (TlsaMatchingType)r.MatchingType).Where(m => m is TlsaMatchingType.Sha256 or TlsaMatchingType.Sha512 or TlsaMatchingType.Full).Distinct().ToList();
        if (matchings.Count == 0)
        {
            matchings.Add(TlsaMatchingType.Sha256);
        }

        var owner = Owner(host);
        var ttl = ctx.Ttl(owner, DnsRecordType.TLSA);
        var newTtl = ctx.NewRecordTtl(owner, DnsRecordType.TLSA);
        var nextRecords = matchings.Select(m => TlsaBuilder.FromSubjectPublicKeyInfo(next, TlsaUsage.DaneEe, m)).Where(r => !h.Tlsa.Contains(r)).ToList();
        int? lastPrep = null;
        if (nextRecords.Count > 0)
        {
            var add = ctx.Add(new PlanStep(0, StepKind.Dns, $"Publish the next key's TLSA record beside the current one",
                $"RFC 7671 §8.1: records for the future key are added first, so the RRset is \"current + next\"; the current records stay. One record per matching type in use ({string.Join(", ", matchings.Select(m => (int)m))}).")
            {
                Dns = new DnsChange(s.Zone, [.. nextRecords.Select(r => (DnsUpdateOperation)new DnsUpdateOperation.Add(Record(owner, newTtl, "TLSA", r.ToString())))]),
                Gate =
                [
                    new(GateKind.RrsetHas, $"{ctx.Servers} serves the next key's record at {owner}") { Effect = true, Owner = owner, Type = DnsRecordType.TLSA, Items = [.. nextRecords.Select(r => r.ToString())] },
                    new(GateKind.TlsaMatches, $"the TLSA RRset of {host} is DNSSEC-secure and still matches the current key") { Host = host },
                ],
            });
            lastPrep = CacheWait(ctx, add, ttl, "Wait 2×TTL", "RFC 7671 §8.1: at least two TTLs before the new key is deployed, so no resolver still holds the RRset without it.", factor: 2);
        }

        var deploy = ctx.Add(new PlanStep(0, StepKind.Manual, $"Deploy the new key on {host}",
            $"Install a certificate for the next key (SPKI SHA-256 {nextHash}) on every address of {host} and reload the MTA. As a certbot deploy hook, 'mailtls tlsa guard --cert NEWCERT --host {host}' refuses a certificate DANE would reject.")
        {
            Gate =
            [
                new(GateKind.PresentedKey, $"every address of {host} presents the next key over STARTTLS") { Effect = true, Host = host, Value = nextHash },
                new(GateKind.TlsaMatches, $"DANE authenticates every address of {host}") { Host = host },
            ],
            TooEarly = lastPrep is null ? null : $"the new key was deployed on {host} before its TLSA record had been published for 2×TTL",
        });
        var current = h.Sessions.Select(x => x.SpkiSha256).OfType<string>().Where(x => x != nextHash).ToHashSet(StringComparer.Ordinal);
        var old = usage3.Where(r => r.Selector == (byte)TlsaSelector.Spki && h.Sessions.Any(x => x.Leaf is { } leaf && x.SpkiSha256 != nextHash && Matches(r, leaf))).ToList();
        if (old.Count > 0 && current.Count > 0)
        {
            ctx.Add(new PlanStep(0, StepKind.Dns, "Remove the old key's TLSA records", "RFC 7671 §8.1: only after the new key is live and verified. Then publish the following key's record (a new current + next) when it exists.")
            {
                Dns = new DnsChange(s.Zone, [.. old.Select(r => (DnsUpdateOperation)new DnsUpdateOperation.Delete(Record(owner, 0, "TLSA", r.ToString())))]),
                Gate =
                [
                    new(GateKind.RrsetLacks, $"{ctx.Servers} no longer serves the old key's record(s) at {owner}") { Effect = true, Owner = owner, Type = DnsRecordType.TLSA, Items = [.. old.Select(r => r.ToString())] },
                    new(GateKind.TlsaMatches, $"DANE still authenticates every address of {host}") { Host = host },
                ],
                TooEarly = $"the old key's TLSA record was removed before the new key was deployed (step {deploy})",
            });
        }
    }

    private static bool Matches(TlsaRecord record, System.Security.Cryptography.X509Certificates.X509Certificate2 leaf) =>
        TlsaMatcher.Match([leaf], [record], new TlsaMatchOptions()).Matched;

    /// <summary>rotate-cert: deploy directly when a published record covers the new chain; else current + next first.</summary>
    private static void RotateCert(Context ctx)
    {
        var s = ctx.S;
        if (NormalizeHost(ctx) is not { } host)
        {
            return;
        }

        var chain = ctx.Request.NextChain;
        if (chain.Count == 0)
        {
            ctx.Fail("rotate-cert needs --next-cert FILE (PEM chain, leaf first).");
            return;
        }

        var leaf = chain[0];
        ctx.Arguments["next_cert_sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(leaf.RawData));
        if (!CertificateIdentity.Matches(host, leaf))
        {
            ctx.Fail($"The new certificate is not valid for {host} (names: {string.Join(", ", CertificateIdentity.GetDnsNames(leaf))}).");
            return;
        }

        if (leaf.NotAfter.ToUniversalTime() <= s.RealNow.UtcDateTime)
        {
            ctx.Fail($"The new certificate expired at {leaf.NotAfter.ToUniversalTime():u}.");
            return;
        }

        var h = s.Hosts.GetValueOrDefault(host);
        var certHash = ctx.Arguments["next_cert_sha256"];
        if (h is not null && h.Sessions.Count > 0 && h.Sessions.All(x => x.CertSha256 == certHash))
        {
            ctx.Findings.Add(PlanFindings.NothingToDo.Create(host, $"{host} already presents this certificate on every address."));
            return;
        }

        var sts = s.Policy is { Mode: StsMode.Testing or StsMode.Enforce } && s.StsRecord is not null && s.Policy.Covers(host) ? s.Policy : null;
        var pkix = WebPkiVerifier.Verify(chain, host, s.RealNow);
        if (sts is not null && !pkix.IsValid)
        {
            var msg = $"The new chain is not WebPKI-valid for {host} ({pkix.Detail}); MTA-STS senders ({sts.Mode.ToWireName()}) would {(sts.Mode == StsMode.Enforce ? "refuse" : "report")} it.";
            if (sts.Mode == StsMode.Enforce)
            {
                ctx.Fail(msg);
                return;
            }

            ctx.Findings.Add(PlanFindings.CannotPlan.Create(host, msg, severity: Findings.Severity.Warning));
        }

        int? lastPrep = null;
        var dane = h is { Dane: DaneState.Usable } && s.InZone(host);
        List<TlsaRecord> stale = [];
        var owner = Owner(host);
        if (dane)
        {
            var match = TlsaMatcher.Match(chain, h!.Tlsa, new TlsaMatchOptions { ReferenceNames = [host, ctx.Domain], Now = s.RealNow });
            if (!match.Matched)
            {
                ctx.Findings.Add(PlanFindings.CertKeyNotCovered.Create(owner,
                    $"The new certificate for {host} (key SPKI SHA-256 {Hashes.SpkiSha256(leaf)}) matches none of the published TLSA records: deploying it now would fail DANE.",
                    Findings.FindingList.Evidence(("tlsa", string.Join(" | ", h.Tlsa.Select(r => r.ToString()))))));
                var combos = h.Tlsa.Where(r => r.Usage == (byte)TlsaUsage.DaneEe).Select(r => ((TlsaSelector)r.Selector, (TlsaMatchingType)r.MatchingType)).Distinct().ToList();
                if (combos.Count == 0)
                {
                    combos.Add((TlsaSelector.Spki, TlsaMatchingType.Sha256));
                }

                var newRecords = combos.Select(c => TlsaBuilder.FromCertificate(leaf, TlsaUsage.DaneEe, c.Item1, c.Item2)).Distinct().ToList();
                var newTtl = ctx.NewRecordTtl(owner, DnsRecordType.TLSA);
                var add = ctx.Add(new PlanStep(0, StepKind.Dns, "Publish the new certificate's TLSA record beside the current one",
                    "RFC 7671 §8.1: the key changes, so its record is added first (\"current + next\").")
                {
                    Dns = new DnsChange(s.Zone, [.. newRecords.Select(r => (DnsUpdateOperation)new DnsUpdateOperation.Add(Record(owner, newTtl, "TLSA", r.ToString())))]),
                    Gate =
                    [
                        new(GateKind.RrsetHas, $"{ctx.Servers} serves the new record(s) at {owner}") { Effect = true, Owner = owner, Type = DnsRecordType.TLSA, Items = [.. newRecords.Select(r => r.ToString())] },
                        new(GateKind.TlsaMatches, $"the TLSA RRset of {host} is DNSSEC-secure and still matches the current certificate") { Host = host },
                    ],
                });
                lastPrep = CacheWait(ctx, add, ctx.Ttl(owner, DnsRecordType.TLSA), "Wait 2×TTL", "RFC 7671 §8.1: at least two TTLs before the new key is deployed.", factor: 2);
                var after = TlsaMatcher.Match(chain, [.. h.Tlsa, .. newRecords], new TlsaMatchOptions { ReferenceNames = [host, ctx.Domain], Now = s.RealNow });
                stale = [.. after.Records.Where(d => d.Outcome != TlsaRecordOutcome.Matched && d.Record.Usage == (byte)TlsaUsage.DaneEe).Select(d => d.Record).Where(r => !newRecords.Contains(r))];
            }
        }

        List<GateCheck> deployGate = [new(GateKind.PresentedCert, $"every address of {host} presents the new certificate") { Effect = true, Host = host, Value = certHash }];
        if (dane)
        {
            deployGate.Add(new(GateKind.TlsaMatches, $"DANE authenticates every address of {host}") { Host = host });
        }

        deployGate.Add(new(GateKind.MxDelivers, $"senders deliver to {host}") { Host = host });
        var deploy = ctx.Add(new PlanStep(0, StepKind.Manual, $"Deploy the new certificate on {host}",
            $"Install it on every address of {host} and reload the MTA" + (dane ? $"; 'mailtls tlsa guard --cert NEWCERT --host {host}' confirms DANE accepts it." : "."))
        {
            Gate = deployGate,
            TooEarly = lastPrep is null ? null : $"the new certificate was deployed on {host} before its TLSA record had been published for 2×TTL",
        });
        if (stale.Count > 0)
        {
            ctx.Add(new PlanStep(0, StepKind.Dns, "Remove the old certificate's TLSA records", "They match nothing in service any more (RFC 7671 §8.1: remove after the new chain is verified).")
            {
                Dns = new DnsChange(s.Zone, [.. stale.Select(r => (DnsUpdateOperation)new DnsUpdateOperation.Delete(Record(owner, 0, "TLSA", r.ToString())))]),
                Gate =
                [
                    new(GateKind.RrsetLacks, $"{ctx.Servers} no longer serves the old record(s) at {owner}") { Effect = true, Owner = owner, Type = DnsRecordType.TLSA, Items = [.. stale.Select(r => r.ToString())] },
                    new(GateKind.TlsaMatches, $"DANE still authenticates every address of {host}") { Host = host },
                ],
                TooEarly = $"the old certificate's TLSA record was removed before the new certificate was deployed (step {deploy})",
            });
        }
    }
}
