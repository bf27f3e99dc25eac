using System.Globalization;
using MailTls.Audit;
using MailTls.Dane;
using MailTls.Dns;
using MailTls.Dns.Update;
using MailTls.MtaSts;

namespace MailTls.Plan;

/// <summary>MX changes: the policy must list a host before it is an MX, and may drop it only after it no longer is.</summary>
public static partial class PlanBuilder
{
    private static string? NormalizeHost(Context ctx)
    {
        var host = DnsName.TryNormalize(ctx.Request.Host ?? string.Empty);
        if (host is null || !host.Contains('.', StringComparison.Ordinal))
        {
            ctx.Fail($"'{ctx.Request.Host}' is not a host name.");
            return null;
        }

        ctx.Arguments["host"] = host;
        return host;
    }

    /// <summary>add-mx: (policy lists the host → new id → wait) → (TLSA if the domain uses DANE) → MX record.</summary>
    private static void AddMx(Context ctx)
    {
        var s = ctx.S;
        if (NormalizeHost(ctx) is not { } host)
        {
            return;
        }

        if (s.Mx.Any(m => string.Equals(m.Host, host, StringComparison.OrdinalIgnoreCase)))
        {
            ctx.Findings.Add(PlanFindings.NothingToDo.Create(host, $"{host} is already an MX host of {ctx.Domain}."));
            return;
        }

        var target = s.Hosts.GetValueOrDefault(host);
        if (target is null || target.Addresses == 0)
        {
            ctx.Fail($"{host} has no A or AAAA record: publish its addresses before making it an MX host.");
            return;
        }

        var sts = s.Policy is { Mode: StsMode.Testing or StsMode.Enforce } && s.StsRecord is not null ? s.Policy : null;
        if (target.AddressesWithTls < target.Addresses)
        {
            var msg = $"{host}: {target.Addresses - target.AddressesWithTls} of {target.Addresses} address(es) gave no TLS session over STARTTLS ({target.ProbeProblem ?? "no detail"}).";
            if (sts?.Mode == StsMode.Enforce)
            {
                ctx.Fail(msg + " Under enforce senders would refuse it.");
                return;
            }

            ctx.Findings.Add(PlanFindings.CannotPlan.Create(host, msg, severity: Findings.Severity.Warning));
        }
        else if (sts is not null && !target.PkixValid)
        {
            var msg = $"{host} does not present a certificate valid for its name from a trusted CA (RFC 8461 §4.2).";
            if (sts.Mode == StsMode.Enforce)
            {
                ctx.Fail(msg + " Under enforce senders would refuse it.");
                return;
            }

            ctx.Findings.Add(PlanFindings.CannotPlan.Create(host, msg, severity: Findings.Severity.Warning));
        }

        var preference = ctx.Request.Preference ?? (ushort)(s.Mx.Count == 0 ? 10 : Math.Min(ushort.MaxValue, s.Mx.Max(m => m.Preference) + 10));
        ctx.Arguments["pref"] = preference.ToString(CultureInfo.InvariantCulture);
        int? lastBefore = null;
        if (sts is not null && !sts.Covers(host))
        {
            var (text, hash, _) = PolicyText(sts.Mode, sts.MaxAge, [.. sts.Mx, MxPattern.Parse(host)], sts.Extensions);
            PolicyStep(ctx, $"List {host} in the policy",
                $"Senders check every MX host against the policy's mx patterns (RFC 8461 §4.1); under {sts.Mode.ToWireName()} an unlisted MX is {(sts.Mode == StsMode.Enforce ? "refused" : "reported as failing")}. Content:\n{text.TrimEnd()}",
                text, hash, sts.Mode, coverMx: true);
            var owner = StsOwner(ctx.Domain);
            var txtTtl = ctx.Ttl(owner, DnsRecordType.TXT);
            var id = IdStep(ctx, NewId(ctx), "Senders that cached the old policy refetch it when they see a new id (RFC 8461 §3.1).", hash);
            lastBefore = CacheWait(ctx, id, txtTtl, "Wait until every resolver sees the new id",
                $"A sender that meets an MX its cached policy does not list must look for a new id before failing (RFC 8461 §5.1); once the new id is in every cache it finds it. Senders that skip that check keep the old policy at most {Durations(sts.MaxAge)} (max_age).");
        }

        var daneInUse = s.Hosts.Values.Any(h => !string.Equals(h.Host, host, StringComparison.OrdinalIgnoreCase) && h.Dane == DaneState.Usable);
        if (daneInUse && s.InZone(host) && target.Dane != DaneState.Usable && target.DistinctLeaves.Count > 0)
        {
            var tlsaOwner = TlsaOwner.For(host) ?? "_25._tcp." + host;
            var ttl = ctx.NewRecordTtl(tlsaOwner, DnsRecordType.TLSA);
            var records = target.DistinctLeaves.Select(c => TlsaBuilder.FromCertificate(c)).Distinct().ToList();
            var publish = ctx.Add(new PlanStep(0, StepKind.Dns, $"Publish TLSA records for {host}",
                $"The other MX hosts are protected by DANE; give {host} its 3 1 1 record(s) for the key(s) it presents before it receives mail (RFC 7672 §3.1.1).")
            {
                Dns = new DnsChange(s.Zone, [.. records.Select(r => (DnsUpdateOperation)new DnsUpdateOperation.Add(Record(tlsaOwner, ttl, "TLSA", r.ToString())))]),
                Gate =
                [
                    new(GateKind.RrsetHas, $"{ctx.Servers} serves the TLSA record(s) at {tlsaOwner}") { Effect = true, Owner = tlsaOwner, Type = DnsRecordType.TLSA, Items = [.. records.Select(r => r.ToString())] },
                    new(GateKind.TlsaMatches, $"the TLSA RRset of {host} is DNSSEC-secure and matches what it presents") { Host = host },
                ],
            });
            lastBefore = CacheWait(ctx, publish, ctx.Ttl(tlsaOwner, DnsRecordType.TLSA), "Wait until every resolver sees the TLSA records", $"Resolvers may have cached that {tlsaOwner} did not exist.");
        }

        var mxTtl = ctx.NewRecordTtl(ctx.Domain, DnsRecordType.MX);
        List<GateCheck> gate =
        [
            new(GateKind.RrsetHas, $"{ctx.Servers} serves MX {preference} {host}") { Effect = true, Owner = ctx.Domain, Type = DnsRecordType.MX, Items = [$"{preference} {host}."] },
            new(GateKind.MxDelivers, $"senders deliver to {host} (STARTTLS, certificate{(sts is null ? string.Empty : ", policy")}{(daneInUse ? ", DANE" : string.Empty)})") { Host = host },
        ];
        if (sts is not null)
        {
            gate.Add(new(GateKind.PolicyCoversMx, "every MX host matches an mx pattern of the served policy"));
        }

        ctx.Add(new PlanStep(0, StepKind.Dns, $"Publish the MX record for {host}", "Senders start delivering to the new host.")
        {
            Dns = new DnsChange(s.Zone, [new DnsUpdateOperation.Add(Record(ctx.Domain, mxTtl, "MX", $"{preference} {host}."))]),
            Gate = gate,
            TooEarly = lastBefore is null ? null : $"MX {host} was published before the policy lists it and every cache has seen the new id",
        });
    }

    /// <summary>remove-mx: MX record first, wait for caches, then drop it from the policy (new id) and its TLSA records.</summary>
    private static void RemoveMx(Context ctx)
    {
        var s = ctx.S;
        if (NormalizeHost(ctx) is not { } host)
        {
            return;
        }

        var mx = s.Mx.Where(m => string.Equals(m.Host, host, StringComparison.OrdinalIgnoreCase)).ToList();
        if (mx.Count == 0)
        {
            ctx.Findings.Add(PlanFindings.NothingToDo.Create(host, $"{host} is not an MX host of {ctx.Domain}."));
            return;
        }

        if (s.Mx.All(m => string.Equals(m.Host, host, StringComparison.OrdinalIgnoreCase)))
        {
            ctx.Fail($"{host} is the only MX host of {ctx.Domain}; add another one first ('mailtls plan add-mx').");
            return;
        }

        var mxTtl = ctx.Ttl(ctx.Domain, DnsRecordType.MX);
        var removeOps = mx.Select(m => (DnsUpdateOperation)new DnsUpdateOperation.Delete(Record(ctx.Domain, 0, "MX", $"{m.Preference} {host}."))).ToList();
        var remove = ctx.Add(new PlanStep(0, StepKind.Dns, $"Remove the MX record of {host}", "New deliveries go to the other MX hosts.")
        {
            Dns = new DnsChange(s.Zone, removeOps),
            Gate = [new(GateKind.RrsetLacks, $"{ctx.Servers} no longer serves MX … {host}") { Effect = true, Owner = ctx.Domain, Type = DnsRecordType.MX, Items = [.. mx.Select(m => $"{m.Preference} {host}.")] }],
        });
        var gone = CacheWait(ctx, remove, mxTtl, $"Keep {host} accepting mail until no resolver hands it out",
            "Senders keep using the MX RRset they cached.");
        var sts = s.Policy is { Mode: StsMode.Testing or StsMode.Enforce } && s.StsRecord is not null ? s.Policy : null;
        if (sts is not null && sts.Mx.Any(p => !p.IsWildcard && string.Equals(p.Domain, host, StringComparison.OrdinalIgnoreCase)))
        {
            var remaining = sts.Mx.Where(p => p.IsWildcard || !string.Equals(p.Domain, host, StringComparison.OrdinalIgnoreCase)).ToList();
            if (remaining.Count > 0)
            {
                var (text, hash, _) = PolicyText(sts.Mode, sts.MaxAge, remaining, sts.Extensions);
                PolicyStep(ctx, $"Remove {host} from the policy",
                    $"Only after no resolver hands out {host} as an MX: a sender with the new policy and the old MX RRset would {(sts.Mode == StsMode.Enforce ? "refuse" : "report")} it. Content:\n{text.TrimEnd()}",
                    text, hash, sts.Mode, coverMx: true, tooEarly: $"{host} was removed from the policy before the MX record was gone from every cache");
                IdStep(ctx, NewId(ctx), "The id changes with every policy change (RFC 8461 §3.1).", hash);
            }
        }

        var tlsaOwner = TlsaOwner.For(host) ?? "_25._tcp." + host;
        if (s.Hosts.GetValueOrDefault(host) is { Tlsa.Count: > 0 } h && s.InZone(host))
        {
            ctx.Add(new PlanStep(0, StepKind.Dns, $"Remove the TLSA records of {host}", $"{host} no longer receives mail for {ctx.Domain}. Skip this step if it serves other domains.")
            {
                Dns = new DnsChange(s.Zone, [new DnsUpdateOperation.DeleteRrset(tlsaOwner, DnsRecordType.TLSA)]),
                Gate = [new(GateKind.RrsetLacks, $"{ctx.Servers} serves no TLSA at {tlsaOwner}") { Effect = true, Owner = tlsaOwner, Type = DnsRecordType.TLSA }],
                TooEarly = $"the TLSA records of {host} were removed while resolvers could still hand it out as an MX (wait of step {gone})",
            });
        }
    }
}
