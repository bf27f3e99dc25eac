using System.Globalization;
using MailTls.Dns;
using MailTls.Dns.Update;
using MailTls.MtaSts;
using MailTls.TlsRpt;

namespace MailTls.Plan;

/// <summary>TLS-RPT and MTA-STS mode changes.</summary>
public static partial class PlanBuilder
{
    /// <summary>tlsrpt: publish <c>_smtp._tls</c> (RFC 8460 §3), wait for caches, see the first reports arrive.</summary>
    private static void TlsRpt(Context ctx)
    {
        var rua = ctx.Request.Rua;
        if (rua.Count == 0)
        {
            ctx.Fail("tlsrpt needs at least one --rua URI (mailto: or https:, RFC 8460 §3).");
            return;
        }

        var text = TlsRptRecordFormatter.Format(rua);
        ctx.Arguments["rua"] = string.Join(",", rua.Select(u => u.OriginalString));
        if (ctx.S.TlsRpt is { } current && current.Rua.Select(u => u.OriginalString).Order(StringComparer.Ordinal).SequenceEqual(rua.Select(u => u.OriginalString).Order(StringComparer.Ordinal)))
        {
            ctx.Findings.Add(PlanFindings.NothingToDo.Create(RptOwner(ctx.Domain), $"{RptOwner(ctx.Domain)} already publishes \"{current.Text}\"."));
            return;
        }

        var owner = RptOwner(ctx.Domain);
        var ttl = ctx.Ttl(owner, DnsRecordType.TXT);
        var record = Txt(owner, ctx.NewRecordTtl(owner, DnsRecordType.TXT), text);
        var publish = ctx.Add(new PlanStep(0, StepKind.Dns, "Publish the TLS-RPT record",
            $"Senders that support TLS-RPT send a daily report about their TLS sessions to {string.Join(", ", rua.Select(u => u.OriginalString))} (RFC 8460 §3)."
            + (ctx.S.TlsRptTxtExists ? " The existing _smtp._tls TXT RRset is replaced." : string.Empty))
        {
            Dns = new DnsChange(ctx.S.Zone, [new DnsUpdateOperation.DeleteRrset(owner, DnsRecordType.TXT), new DnsUpdateOperation.Add(record)]),
            Gate = [new(GateKind.TlsRpt, $"{ctx.Servers} serves exactly one valid {owner} record with rua {string.Join(",", rua.Select(u => u.OriginalString))}") { Effect = true, Items = [.. rua.Select(u => u.OriginalString)] }],
        });
        var seen = CacheWait(ctx, publish, ttl, "Wait until every resolver sees the record",
            "Resolvers that looked the name up before keep their old answer until it expires.");
        ctx.Add(new PlanStep(0, StepKind.Verify, "See the first reports arrive",
            "Reports cover whole UTC days (RFC 8460 §4.1) and are sent after the day ends; import them ('mailtls reports import|fetch') so the gate can see them.")
        {
            Wait = new WaitSpec(seen, 0, true, "the first full UTC day after every resolver sees the record, plus a day for delivery"),
            Gate = [new(GateKind.ReportsSeen, $"reports about {ctx.Domain} arrived after step {publish} was done") { Step = publish }],
        });
    }

    /// <summary>testing: policy file first, then the TXT record that makes senders fetch it (RFC 8461 §3.1, §3.3).</summary>
    private static void Testing(Context ctx)
    {
        var s = ctx.S;
        if (s.Policy is { Mode: StsMode.Testing } && s.StsRecord is not null)
        {
            ctx.Findings.Add(PlanFindings.NothingToDo.Create(ctx.Domain, $"{ctx.Domain} already publishes an MTA-STS policy in testing mode (id {s.StsRecord.Id})."));
            return;
        }

        if (s.Policy is { Mode: StsMode.Enforce } && s.StsRecord is not null)
        {
            ctx.Fail($"{ctx.Domain} already enforces MTA-STS; to go back to testing use 'mailtls plan rollback {ctx.Domain} --to testing' (it bumps the id).");
            return;
        }

        if (s.Mx.Count == 0)
        {
            ctx.Fail($"{ctx.Domain} has no MX records at its authoritative servers: a policy needs the MX hosts it lists.");
            return;
        }

        if (s.TlsRpt is null)
        {
            ctx.Findings.Add(PlanFindings.NoTlsRpt.Create(RptOwner(ctx.Domain), $"{ctx.Domain} publishes no TLS-RPT record: testing mode would collect no reports."));
        }

        var patterns = new List<MxPattern>();
        foreach (var text in ctx.Request.MxPatterns.Count > 0 ? ctx.Request.MxPatterns : s.Mx.Select(m => m.Host).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!MxPattern.TryParse(text, out var p, out var error))
            {
                ctx.Fail($"--mx {text}: {error}");
                return;
            }

            patterns.Add(p);
        }

        var uncovered = s.Mx.Where(m => !MxPatternMatcher.Matches(patterns, m.Host)).Select(m => m.Host).ToList();
        if (uncovered.Count > 0)
        {
            ctx.Fail($"The mx patterns ({string.Join(", ", patterns.Select(p => p.Text))}) do not cover the MX host(s) {string.Join(", ", uncovered)} (RFC 8461 §4.1).");
            return;
        }

        var maxAge = ctx.Request.MaxAge ?? Limits.StsMaxAgeRecommended;
        ctx.Arguments["mx"] = string.Join(",", patterns.Select(p => p.Text));
        ctx.Arguments["max_age"] = maxAge.ToString(CultureInfo.InvariantCulture);
        var (text2, hash, _) = PolicyText(StsMode.Testing, maxAge, patterns, s.Policy?.Extensions);
        PolicyStep(ctx, "Serve the testing policy",
            $"The policy host must serve the policy before the TXT record points senders at it (RFC 8461 §3.3). Content:\n{text2.TrimEnd()}",
            text2, hash, StsMode.Testing, coverMx: true);
        var owner = StsOwner(ctx.Domain);
        var txtTtl = ctx.Ttl(owner, DnsRecordType.TXT);
        var id = IdStep(ctx, NewId(ctx), "Senders discover the policy through this record and fetch it (RFC 8461 §3.1).", hash);
        var seen = CacheWait(ctx, id, txtTtl, "Wait until every resolver sees the record", "Resolvers keep their earlier answer for _mta-sts until it expires.");
        ctx.Add(new PlanStep(0, StepKind.Verify, "See reports for the policy arrive",
            "Senders that apply the policy report on it (policy-type sts, RFC 8460 §4.2); when the reports are clean for the readiness window, plan enforce.")
        {
            Wait = new WaitSpec(seen, 0, true, "the first full UTC day after every resolver sees the record, plus a day for delivery"),
            Gate = [new(GateKind.ReportsSeen, $"reports with an sts policy for {ctx.Domain} arrived after step {id} was done") { Step = id, Value = "sts" }],
        });
    }

    /// <summary>enforce: only from testing with clean evidence; policy, then id, then caches (RFC 8461 §5).</summary>
    private static void Enforce(Context ctx)
    {
        var s = ctx.S;
        if (s.Policy is { Mode: StsMode.Enforce } && s.StsRecord is not null)
        {
            ctx.Findings.Add(PlanFindings.NothingToDo.Create(ctx.Domain, $"{ctx.Domain} already enforces MTA-STS (id {s.StsRecord.Id})."));
            return;
        }

        if (s.Policy is not { Mode: StsMode.Testing } || s.StsRecord is null)
        {
            ctx.Fail($"{ctx.Domain} must publish an MTA-STS policy in testing mode first, and collect reports ('mailtls plan testing {ctx.Domain}').");
            return;
        }

        var maxAge = ctx.Request.MaxAge ?? Math.Max(s.Policy.MaxAge, Limits.StsMaxAgeRecommended);
        ctx.Arguments["max_age"] = maxAge.ToString(CultureInfo.InvariantCulture);
        ctx.Arguments["days"] = ctx.Request.Days.ToString(CultureInfo.InvariantCulture);
        ctx.Add(new PlanStep(0, StepKind.Verify, "Check the evidence for enforce",
            $"Enforce makes senders refuse MX hosts that fail; the reports of the last {ctx.Request.Days} days must be clean (reports readiness) and every MX must pass today.")
        {
            Gate =
            [
                new(GateKind.Readiness, $"'mailtls reports readiness {ctx.Domain} --days {ctx.Request.Days}' says ready") { Days = ctx.Request.Days },
                new(GateKind.MxDelivers, "every MX host passes STARTTLS, certificate and policy checks (no MX would fail under enforce)"),
            ],
        });
        var (text, hash, _) = PolicyText(StsMode.Enforce, maxAge, s.Policy.Mx, s.Policy.Extensions);
        PolicyStep(ctx, "Serve the enforce policy", $"Same mx patterns, mode enforce, max_age {maxAge}. Content:\n{text.TrimEnd()}", text, hash, StsMode.Enforce, coverMx: true,
            tooEarly: "the enforce policy was served before the evidence was checked");
        var owner = StsOwner(ctx.Domain);
        var txtTtl = ctx.Ttl(owner, DnsRecordType.TXT);
        var id = IdStep(ctx, NewId(ctx), "Senders refetch the policy only when the id changes (RFC 8461 §3.1); without it they keep testing mode until max_age runs out.", hash);
        var seen = CacheWait(ctx, id, txtTtl, "Wait until every resolver sees the new id",
            $"Senders that cached the testing policy and re-check the id switch after this; senders that never re-check keep it at most {Durations(s.Policy.MaxAge)} (its max_age).");
        ctx.Add(new PlanStep(0, StepKind.Verify, "Verify every MX under enforce", "The audit must find no MX that senders would refuse.")
        {
            Wait = new WaitSpec(seen, 0, false, "after the wait"),
            Gate =
            [
                new(GateKind.MxDelivers, "every MX host passes under the enforce policy"),
                new(GateKind.PolicyCoversMx, "every MX host matches an mx pattern"),
            ],
        });
    }

    /// <summary>rollback: to testing with an id bump, or off as RFC 8461 §8.3 says (mode none, new id, wait max_age, remove).</summary>
    private static void Rollback(Context ctx)
    {
        var s = ctx.S;
        var to = ctx.Request.RollbackTo ?? StsMode.Testing;
        ctx.Arguments["to"] = to.ToWireName();
        if (s.Policy is null || s.StsRecord is null || s.Policy.Mode == StsMode.None)
        {
            ctx.Fail($"{ctx.Domain} has no MTA-STS policy in force to roll back (the TXT record and a testing or enforce policy must be published).");
            return;
        }

        if (to == StsMode.Testing && s.Policy.Mode != StsMode.Enforce)
        {
            ctx.Findings.Add(PlanFindings.NothingToDo.Create(ctx.Domain, $"{ctx.Domain}'s policy is already in testing mode."));
            return;
        }

        var owner = StsOwner(ctx.Domain);
        var txtTtl = ctx.Ttl(owner, DnsRecordType.TXT);
        if (to == StsMode.Testing)
        {
            var (text, hash, _) = PolicyText(StsMode.Testing, s.Policy.MaxAge, s.Policy.Mx, s.Policy.Extensions);
            PolicyStep(ctx, "Serve the policy in testing mode", $"Same mx patterns and max_age, mode testing. Content:\n{text.TrimEnd()}", text, hash, StsMode.Testing, coverMx: false);
            var id = IdStep(ctx, NewId(ctx), "Without a new id senders keep the enforce policy until its max_age runs out (RFC 8461 §3.1).", hash);
            CacheWait(ctx, id, txtTtl, "Wait until every resolver sees the new id",
                $"Senders that re-check the id fetch the testing policy after this; those that never re-check keep enforcing at most {Durations(s.Policy.MaxAge)} (the old max_age).");
            return;
        }

        var noneAge = ctx.Request.MaxAge ?? Limits.PlanNonePolicyMaxAge;
        var (noneText, noneHash, _) = PolicyText(StsMode.None, noneAge, [], null);
        PolicyStep(ctx, "Serve a policy with mode none",
            $"RFC 8461 §8.3: to stop using MTA-STS, publish mode none (max_age {noneAge}) and a new id first, so every sender that cached the {s.Policy.Mode.ToWireName()} policy learns it is gone. Content:\n{noneText.TrimEnd()}",
            noneText, noneHash, StsMode.None, coverMx: false);
        var idStep = IdStep(ctx, NewId(ctx), "The new id makes senders refetch and find mode none (RFC 8461 §3.1, §8.3).", noneHash);
        var keep = txtTtl.Horizon + s.Policy.MaxAge;
        var waitStep = ctx.Add(new PlanStep(0, StepKind.Wait, "Keep the mode none policy until every cached policy has expired",
            $"A sender that fetched the {s.Policy.Mode.ToWireName()} policy just before the change keeps it for its max_age ({Durations(s.Policy.MaxAge)}) unless it sees the new id; removing the records earlier would leave it enforcing a policy it can no longer refresh (RFC 8461 §8.3). Wait {Durations(keep)}: the old max_age plus the TXT record's cache time ({txtTtl.Horizon} s).")
        {
            Wait = new WaitSpec(idStep, keep, false, $"old max_age {s.Policy.MaxAge} s + TXT horizon {txtTtl.Horizon} s"),
            Gate = [new(GateKind.Elapsed, $"{Durations(keep)} have passed since step {idStep} was done") { Step = idStep, Seconds = keep }],
        });
        ctx.Add(new PlanStep(0, StepKind.Dns, "Remove the _mta-sts record", "Senders stop looking for a policy.")
        {
            Dns = new DnsChange(s.Zone, [new DnsUpdateOperation.DeleteRrset(owner, DnsRecordType.TXT)]),
            Gate = [new(GateKind.StsAbsent, $"{ctx.Servers} publishes no _mta-sts.{ctx.Domain} record") { Effect = true }],
            TooEarly = $"the _mta-sts record was removed before the old policy's max_age had passed (wait of step {waitStep})",
        });
        ctx.Add(new PlanStep(0, StepKind.Manual, "Stop serving the policy",
            $"Remove {ctx.Domain} from the policy host (mailtls serve: its domains entry) — or keep serving mode none, which is harmless.")
        {
            Policy = new PolicyChange(ctx.Domain, null),
            Gate = [new(GateKind.PolicyNotServed, $"https://mta-sts.{ctx.Domain}/.well-known/mta-sts.txt serves no policy") { Effect = true }],
            TooEarly = "the policy host stopped serving before the _mta-sts record was removed",
        });
    }
}
