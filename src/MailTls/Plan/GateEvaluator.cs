using System.Globalization;
using MailTls.Audit;
using MailTls.Dns;
using MailTls.MtaSts;
using MailTls.TlsRpt;

namespace MailTls.Plan;

/// <summary>
/// Evaluates gate checks against one <see cref="PlanWorld"/>. Every rule is the library's: TXT records through
/// <see cref="StsDiscovery"/> and <see cref="TlsRptRecordSelector"/>, the policy through <see cref="StsPolicyFetcher"/>
/// and <see cref="StsPolicyParser"/>, coverage through <see cref="MxPatternMatcher"/>, DANE and sender verdicts through
/// the audit. DNS checks ask every authoritative server and pass only when all of them agree.
/// </summary>
public static class GateEvaluator
{
    /// <summary>Evaluates every check a status needs (in parallel where independent), keyed by the check instance.</summary>
    public static async Task<IReadOnlyDictionary<GateCheck, CheckResult>> EvaluateAllAsync(ChangePlan plan, IReadOnlyList<StepProgress> progress, PlanWorld world, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(progress);
        var done = progress.Where(p => p.DoneAt is not null).ToDictionary(p => p.Number, p => p.DoneAt!.Value);
        var checks = PlanProgress.ChecksToEvaluate(plan).Distinct(ReferenceEqualityComparer.Instance).Cast<GateCheck>().ToList();
        var results = await Task.WhenAll(checks.Select(c => EvaluateAsync(c, world, done, cancellationToken))).ConfigureAwait(false);
        var map = new Dictionary<GateCheck, CheckResult>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < checks.Count; i++)
        {
            map[checks[i]] = results[i];
        }

        return map;
    }

    public static async Task<CheckResult> EvaluateAsync(GateCheck check, PlanWorld world, IReadOnlyDictionary<int, DateTimeOffset> done, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(done);
        try
        {
            return check.Kind switch
            {
                GateKind.RrsetHas or GateKind.RrsetLacks => await RrsetAsync(check, world, cancellationToken).ConfigureAwait(false),
                GateKind.StsId or GateKind.StsAbsent => await StsAsync(check, world, cancellationToken).ConfigureAwait(false),
                GateKind.TlsRpt => await TlsRptAsync(check, world, cancellationToken).ConfigureAwait(false),
                GateKind.PolicyServed or GateKind.PolicyNotServed => await PolicyAsync(check, world).ConfigureAwait(false),
                GateKind.PolicyCoversMx => await CoversAsync(world, cancellationToken).ConfigureAwait(false),
                GateKind.PresentedKey or GateKind.PresentedCert or GateKind.TlsaMatches => await HostAsync(check, world).ConfigureAwait(false),
                GateKind.MxDelivers => await DeliversAsync(check, world).ConfigureAwait(false),
                GateKind.Readiness => await ReadinessAsync(check, world, cancellationToken).ConfigureAwait(false),
                GateKind.ReportsSeen => await ReportsAsync(check, world, done, cancellationToken).ConfigureAwait(false),
                GateKind.Elapsed => new CheckResult(false, "evaluated by the plan clock"),
                _ => new CheckResult(false, "unknown check") { Incomplete = true },
            };
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or TimeoutException or System.Data.Common.DbException)
        {
            return new CheckResult(false, e.Message) { Incomplete = true };
        }
    }

    private static string Servers(AuthoritativeRrset r, Func<ServerRrset, bool> predicate) =>
        string.Join(", ", r.Answers.Where(predicate).Select(a => a.Server.ToString()));

    private static CheckResult? Failed(AuthoritativeRrset r)
    {
        var failed = r.Answers.Where(a => a.Status.IsTemporary()).ToList();
        return failed.Count == 0 && r.Answers.Count > 0
            ? null
            : new CheckResult(false, "no answer from " + (failed.Count == 0 ? "any authoritative server" : string.Join(", ", failed.Select(f => $"{f.Server} ({f.Status} {f.Error})".TrimEnd())))) { Incomplete = true };
    }

    private static async Task<CheckResult> RrsetAsync(GateCheck check, PlanWorld world, CancellationToken cancellationToken)
    {
        var type = check.Type ?? throw new InvalidOperationException("rrset check without a type");
        var rrset = await world.RrsetAsync(check.Owner!, type, cancellationToken).ConfigureAwait(false);
        if (Failed(rrset) is { } failed)
        {
            return failed;
        }

        var wanted = check.Items.Select(i => PlanBuilder.Record(check.Owner!, 0, DnsRecordTypeText.ToText(type), i)).ToList();
        if (check.Kind == GateKind.RrsetHas)
        {
            var missing = rrset.Answers.Where(a => !wanted.All(w => a.Records.Any(w.SameData))).ToList();
            return missing.Count == 0
                ? new CheckResult(true, $"served by {rrset.Answers.Count} server(s), TTL {rrset.MaxTtl}")
                : new CheckResult(false, $"not (yet) served by {Servers(rrset, missing.Contains)}");
        }

        if (wanted.Count == 0)
        {
            var present = rrset.Answers.Where(a => a.Records.Count > 0).ToList();
            return present.Count == 0 ? new CheckResult(true, "absent at every server") : new CheckResult(false, $"still served by {Servers(rrset, present.Contains)}");
        }

        var still = rrset.Answers.Where(a => wanted.Any(w => a.Records.Any(w.SameData))).ToList();
        return still.Count == 0 ? new CheckResult(true, "absent at every server") : new CheckResult(false, $"still served by {Servers(rrset, still.Contains)}");
    }

    private static async Task<CheckResult> StsAsync(GateCheck check, PlanWorld world, CancellationToken cancellationToken)
    {
        var rrset = await world.RrsetAsync("_mta-sts." + world.Domain, DnsRecordType.TXT, cancellationToken).ConfigureAwait(false);
        if (Failed(rrset) is { } failed)
        {
            return failed;
        }

        var ids = rrset.Answers.Select(a => (a.Server, Discovery: StsDiscovery.Evaluate(new StsTxtAnswer(a.Status, PlanWorld.TxtStrings(a.Records))))).ToList();
        if (check.Kind == GateKind.StsAbsent)
        {
            var present = ids.Where(x => x.Discovery is StsDiscoveryResult.Found).ToList();
            return present.Count == 0 ? new CheckResult(true, "no _mta-sts record at any server")
                : new CheckResult(false, "still published by " + string.Join(", ", present.Select(p => $"{p.Server} (id {((StsDiscoveryResult.Found)p.Discovery).Record.Id})")));
        }

        var wrong = ids.Where(x => x.Discovery is not StsDiscoveryResult.Found f || f.Record.Id != check.Value).ToList();
        return wrong.Count == 0
            ? new CheckResult(true, $"id={check.Value} at {ids.Count} server(s)")
            : new CheckResult(false, string.Join("; ", wrong.Select(w => $"{w.Server}: " + (w.Discovery is StsDiscoveryResult.Found f ? "id=" + f.Record.Id : "no valid record"))));
    }

    private static async Task<CheckResult> TlsRptAsync(GateCheck check, PlanWorld world, CancellationToken cancellationToken)
    {
        var rrset = await world.RrsetAsync("_smtp._tls." + world.Domain, DnsRecordType.TXT, cancellationToken).ConfigureAwait(false);
        if (Failed(rrset) is { } failed)
        {
            return failed;
        }

        var wanted = check.Items.Order(StringComparer.Ordinal).ToList();
        var wrong = new List<string>();
        foreach (var a in rrset.Answers)
        {
            var selection = TlsRptRecordSelector.Select(PlanWorld.TxtStrings(a.Records));
            var rua = selection.Record?.Rua.Select(u => u.OriginalString).Order(StringComparer.Ordinal).ToList();
            if (rua is null || !rua.SequenceEqual(wanted))
            {
                wrong.Add($"{a.Server}: " + (selection.Record is { } r ? "\"" + r.Text + "\"" : "no valid record"));
            }
        }

        return wrong.Count == 0 ? new CheckResult(true, $"published at {rrset.Answers.Count} server(s)") : new CheckResult(false, string.Join("; ", wrong));
    }

    private static async Task<CheckResult> PolicyAsync(GateCheck check, PlanWorld world)
    {
        var served = await world.PolicyAsync().ConfigureAwait(false);
        if (check.Kind == GateKind.PolicyNotServed)
        {
            return served.Policy is null ? new CheckResult(true, "no policy served (" + (served.Problem ?? "none") + ")") : new CheckResult(false, $"the policy host still serves a {served.Policy.Mode.ToWireName()} policy");
        }

        if (served.Policy is null)
        {
            var temporary = served.Fetch is StsPolicyFetchResult.Timeout or StsPolicyFetchResult.DnsFailure { Status: DnsAnswerStatus.Timeout or DnsAnswerStatus.ServFail };
            return new CheckResult(false, "no valid policy served: " + served.Problem) { Incomplete = temporary };
        }

        return served.Sha256 == check.Value
            ? new CheckResult(true, $"served (mode {served.Policy.Mode.ToWireName()})")
            : new CheckResult(false, $"the policy host serves other content (mode {served.Policy.Mode.ToWireName()}, mx {string.Join(", ", served.Policy.Mx.Select(m => m.Text))}, max_age {served.Policy.MaxAge})");
    }

    private static async Task<CheckResult> CoversAsync(PlanWorld world, CancellationToken cancellationToken)
    {
        var served = await world.PolicyAsync().ConfigureAwait(false);
        var mx = await world.RrsetAsync(world.Domain, DnsRecordType.MX, cancellationToken).ConfigureAwait(false);
        if (Failed(mx) is { } failed)
        {
            return failed;
        }

        if (served.Policy is null)
        {
            return new CheckResult(false, "no valid policy served: " + served.Problem);
        }

        var hosts = mx.Answers.SelectMany(a => a.Records).Select(RecordData.Mx).OfType<MxData>().Select(m => m.Exchange.TrimEnd('.')).Where(h => h.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var uncovered = hosts.Where(h => !MxPatternMatcher.Matches(served.Policy.Mx, h)).ToList();
        return uncovered.Count == 0
            ? new CheckResult(true, $"{hosts.Count} MX host(s) covered")
            : new CheckResult(false, $"{string.Join(", ", uncovered)} match(es) no mx pattern ({string.Join(", ", served.Policy.Mx.Select(p => p.Text))}): sts.mx.not-covered");
    }

    private static async Task<CheckResult> HostAsync(GateCheck check, PlanWorld world)
    {
        var host = check.Host!;
        var h = await world.HostAsync(host).ConfigureAwait(false);
        if (h is null || h.Addresses == 0)
        {
            return new CheckResult(false, $"{host} has no address");
        }

        switch (check.Kind)
        {
            case GateKind.TlsaMatches:
                if (h.Dane != DaneState.Usable)
                {
                    return new CheckResult(false, $"{host}: no usable DNSSEC-secure TLSA records ({h.Dane})") { Incomplete = h.Dane == DaneState.LookupFailed };
                }

                return h.TlsaMatched
                    ? new CheckResult(true, $"{h.Tlsa.Count} record(s) at {h.TlsaOwner} authenticate all {h.Addresses} address(es)")
                    : new CheckResult(false, $"the TLSA records at {h.TlsaOwner} do not authenticate every address ({h.ProbeProblem ?? "dane.tlsa.mismatch"})");
            default:
                var perAddress = h.Sessions.GroupBy(s => s.Address).ToList();
                var wantKey = check.Kind == GateKind.PresentedKey;
                var ok = perAddress.Where(g => g.Any(s => (wantKey ? s.SpkiSha256 : s.CertSha256) == check.Value)).Select(g => g.Key).ToList();
                if (ok.Count == h.Addresses)
                {
                    return new CheckResult(true, $"all {h.Addresses} address(es) present it");
                }

                var presented = string.Join("; ", perAddress.Select(g => g.Key + ": " + string.Join(",", g.Select(s => ((wantKey ? s.SpkiSha256 : s.CertSha256) ?? "?")[..Math.Min(16, ((wantKey ? s.SpkiSha256 : s.CertSha256) ?? "?").Length)] + "…"))));
                return new CheckResult(false, $"{ok.Count} of {h.Addresses} address(es) present it (presented: {(presented.Length == 0 ? h.ProbeProblem ?? "nothing" : presented)})");
        }
    }

    private static async Task<CheckResult> DeliversAsync(GateCheck check, PlanWorld world)
    {
        var audit = await world.AuditAsync().ConfigureAwait(false);
        if (!audit.Completed)
        {
            return new CheckResult(false, audit.IncompleteReason ?? "the audit could not complete") { Incomplete = true };
        }

        var hosts = check.Host is { } host ? audit.Mx.Where(m => string.Equals(m.Host, host, StringComparison.OrdinalIgnoreCase)).ToList() : [.. audit.Mx];
        if (hosts.Count == 0)
        {
            return new CheckResult(false, check.Host is null ? "no MX host" : $"{check.Host} is not an MX host");
        }

        var failing = hosts.Where(m => m.Verdict is not (SenderAction.Deliver or SenderAction.NotApplicable)).ToList();
        if (failing.Count == 0)
        {
            return new CheckResult(true, $"{hosts.Count} MX host(s) pass");
        }

        var codes = audit.Findings.Where(f => f.Severity != Findings.Severity.Info && failing.Any(m => f.Subject.StartsWith(m.Host, StringComparison.OrdinalIgnoreCase) || f.Subject.Contains(m.Host, StringComparison.OrdinalIgnoreCase)))
            .Select(f => f.Code).Distinct().ToList();
        return new CheckResult(false, string.Join(", ", failing.Select(m => $"{m.Host}: {m.Verdict}")) + (codes.Count > 0 ? " (" + string.Join(", ", codes) + ")" : string.Empty));
    }

    private static async Task<CheckResult> ReadinessAsync(GateCheck check, PlanWorld world, CancellationToken cancellationToken)
    {
        var days = check.Days ?? Limits.ReadinessDefaultDays;
        var result = await world.ReadinessAsync(days, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            return new CheckResult(false, "no report store (--db)") { Incomplete = true };
        }

        var reasons = result.Reasons.Where(r => r.Severity == Findings.Severity.Error).Select(r => r.Code + ": " + r.Message).ToList();
        return result.Ready ? new CheckResult(true, $"ready over {days} days") : new CheckResult(false, string.Join(" ", reasons));
    }

    private static async Task<CheckResult> ReportsAsync(GateCheck check, PlanWorld world, IReadOnlyDictionary<int, DateTimeOffset> done, CancellationToken cancellationToken)
    {
        if (check.Step is not { } step || !done.TryGetValue(step, out var since))
        {
            return new CheckResult(false, $"step {check.Step} is not done yet");
        }

        var rows = await world.ReportsSinceAsync(since, check.Value, cancellationToken).ConfigureAwait(false);
        if (rows is null)
        {
            return new CheckResult(false, "no report store (--db)") { Incomplete = true };
        }

        return rows.Count > 0
            ? new CheckResult(true, string.Create(CultureInfo.InvariantCulture, $"{rows.Sum(r => r.Reports)} report(s) from {rows.Select(r => r.Sender).Distinct().Count()} sender(s)"))
            : new CheckResult(false, $"no {(check.Value is null ? string.Empty : check.Value + " ")}report about {world.Domain} for a day since {since.UtcDateTime:yyyy-MM-dd} in the store");
    }
}
