using MailTls.Findings;

namespace MailTls.Plan;

/// <summary>The result of <see cref="PlanRunner.ApplyAsync"/>: what was applied and the status afterwards.</summary>
public sealed record ApplyRun(IReadOnlyList<ApplyOutcome> Applied, PlanStatus Status, IReadOnlyList<Finding> Findings)
{
    /// <summary>True when an applied step failed or could not be verified.</summary>
    public bool Failed => Applied.Any(a => !a.Ok) || Findings.Any(f => f.Code == PlanFindings.ApplyFailed.Code);
}

/// <summary>
/// Runs stored plans against the live world: <see cref="StatusAsync"/> re-checks every gate, records the steps seen
/// done (their first-seen time, on the plan clock, starts the waits after them) and says what is next;
/// <see cref="ApplyAsync"/> performs DNS and policy steps in order, verifying each through its gate before the next.
/// </summary>
public sealed class PlanRunner(IPlanStore store, PlanWorldOptions options)
{
    /// <summary>True when the plan's gates need STARTTLS probes.</summary>
    public static bool NeedsSmtp(ChangePlan plan) =>
        (plan ?? throw new ArgumentNullException(nameof(plan))).Steps.SelectMany(s => s.Gate).Any(g => g.Kind is GateKind.PresentedKey or GateKind.PresentedCert or GateKind.TlsaMatches or GateKind.MxDelivers);

    public async Task<(PlanStatus? Status, string? Error)> StatusAsync(StoredPlan stored, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var now = options.PlanClock.GetUtcNow();
        if (stored.State != PlanState.Active)
        {
            return (PlanProgress.Evaluate(stored.Plan, stored.Progress, _ => new CheckResult(false, "not checked"), now, stored.State), null);
        }

        var (world, error) = await PlanWorld.OpenAsync(stored.Plan.Domain, options, NeedsSmtp(stored.Plan), cancellationToken).ConfigureAwait(false);
        if (world is null)
        {
            return (null, error);
        }

        using (world)
        {
            var results = await GateEvaluator.EvaluateAllAsync(stored.Plan, stored.Progress, world, cancellationToken).ConfigureAwait(false);
            var status = PlanProgress.Evaluate(stored.Plan, stored.Progress, c => results.TryGetValue(c, out var r) ? r : new CheckResult(false, "not evaluated"), now);
            status = await WithIdCheckAsync(status, world).ConfigureAwait(false);
            if (world.Disagreements() is { Count: > 0 } disagree)
            {
                status = status with { Findings = [.. disagree, .. status.Findings] };
            }

            if (status.NewlyDone.Count > 0 || status.State != stored.State)
            {
                await store.RecordProgressAsync(stored.Plan.Id, [.. status.NewlyDone.Select(n => new StepProgress(n, now, null))], status.State, now, cancellationToken).ConfigureAwait(false);
            }

            return (status, null);
        }
    }

    /// <summary>
    /// Applies DNS and policy steps from the current one on, each verified by its gate (polled up to
    /// <see cref="Limits.PlanApplyVerifyTimeout"/>) before the next; stops at a wait, a manual or verify step, an
    /// out-of-order finding or a failure.
    /// </summary>
    public async Task<(ApplyRun? Run, string? Error)> ApplyAsync(long planId, string domain, PlanApplier applier, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(applier);
        var applied = new List<ApplyOutcome>();
        var findings = new List<Finding>();
        PlanStatus? status = null;
        for (var round = 0; round < 64; round++)
        {
            var stored = await store.LatestPlanAsync(domain, cancellationToken).ConfigureAwait(false);
            if (stored is null || stored.Plan.Id != planId)
            {
                return (null, "the plan is no longer the latest of " + domain);
            }

            var (s, error) = await StatusAsync(stored, cancellationToken).ConfigureAwait(false);
            if (s is null)
            {
                return (null, error);
            }

            status = s;
            if (s.State != PlanState.Active || s.CurrentStep is not { } current || s.Findings.Any(f => f.IsError) || s.Incomplete)
            {
                break;
            }

            var step = stored.Plan.Steps[current - 1];
            if (!PlanApplier.CanApply(step))
            {
                break;
            }

            var (world, worldError) = await PlanWorld.OpenAsync(domain, options, false, cancellationToken).ConfigureAwait(false);
            if (world is null)
            {
                return (null, worldError);
            }

            ApplyOutcome outcome;
            using (world)
            {
                outcome = await applier.ApplyAsync(step, world.Zone, cancellationToken).ConfigureAwait(false);
            }

            applied.Add(outcome);
            if (!outcome.Ok)
            {
                findings.Add(PlanFindings.ApplyFailed.Create(domain, $"Step {step.Number} ({step.Title}): {outcome.Detail}"));
                break;
            }

            await store.RecordProgressAsync(planId, [new StepProgress(step.Number, null, options.PlanClock.GetUtcNow())], PlanState.Active, options.PlanClock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            var verified = await VerifyAsync(stored, step, cancellationToken).ConfigureAwait(false);
            if (verified is not null)
            {
                findings.Add(PlanFindings.ApplyFailed.Create(domain, $"Step {step.Number} ({step.Title}) was applied ({outcome.Detail}) but its gate is not green after {Limits.PlanApplyVerifyTimeout.TotalSeconds:0} s: {verified}"));
                break;
            }
        }

        if (status is not null && findings.Count > 0)
        {
            status = status with { Findings = [.. findings, .. status.Findings], GateGreen = false };
        }

        return (status is null ? null : new ApplyRun(applied, status, findings), null);
    }

    /// <summary>Polls the step's gate until it is green; returns what is still failing after the deadline, or null.</summary>
    private async Task<string?> VerifyAsync(StoredPlan stored, PlanStep step, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Limits.PlanApplyVerifyTimeout;
        string? last = null;
        var done = stored.Progress.Where(p => p.DoneAt is not null).ToDictionary(p => p.Number, p => p.DoneAt!.Value);
        while (true)
        {
            var (world, error) = await PlanWorld.OpenAsync(stored.Plan.Domain, options, NeedsSmtp(stored.Plan) && step.Gate.Any(g => g.Kind is GateKind.TlsaMatches or GateKind.MxDelivers), cancellationToken).ConfigureAwait(false);
            if (world is null)
            {
                last = error;
            }
            else
            {
                using (world)
                {
                    var failing = new List<string>();
                    foreach (var check in step.Gate.Where(g => g.Kind != GateKind.Elapsed))
                    {
                        var r = await GateEvaluator.EvaluateAsync(check, world, done, cancellationToken).ConfigureAwait(false);
                        if (!r.Ok)
                        {
                            failing.Add(check.Description + ": " + r.Detail);
                        }
                    }

                    if (failing.Count == 0)
                    {
                        return null;
                    }

                    last = string.Join("; ", failing);
                }
            }

            if (DateTime.UtcNow >= deadline)
            {
                return last;
            }

            await Task.Delay(Limits.PlanApplyPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Adds <c>serve.id.not-bumped</c> (an error here: the gate stays red) when the served policy differs from the one the
    /// plan started from but the published id is still the old one (RFC 8461 §3.1).
    /// </summary>
    private static async Task<PlanStatus> WithIdCheckAsync(PlanStatus status, PlanWorld world)
    {
        var baseline = status.Plan.Baseline;
        if (baseline.PolicySha256 is null || baseline.Id is null || status.State != PlanState.Active)
        {
            return status;
        }

        var served = await world.PolicyAsync().ConfigureAwait(false);
        var txt = await world.RrsetAsync("_mta-sts." + world.Domain, Dns.DnsRecordType.TXT).ConfigureAwait(false);
        var discovery = MtaSts.StsDiscovery.Evaluate(new MtaSts.StsTxtAnswer(txt.Answers.Count > 0 ? txt.Answers[0].Status : Dns.DnsAnswerStatus.ServFail, PlanWorld.TxtStrings(txt.Records)));
        if (served.Sha256 is null || served.Sha256 == baseline.PolicySha256 || discovery is not MtaSts.StsDiscoveryResult.Found f || f.Record.Id != baseline.Id)
        {
            return status;
        }

        // Right before the plan's own id step this is the expected moment between two steps (a warning: do it now);
        // anywhere else the policy changed outside the plan's order, and the gate stays red.
        var atIdStep = status.CurrentStep is { } cur && status.Plan.Steps[cur - 1] is { IsAction: true } step && step.Gate.Any(g => g.Kind == GateKind.StsId);
        var finding = Serve.ServeFindings.IdNotBumped.Create("_mta-sts." + world.Domain,
            $"The policy host serves new content but _mta-sts still publishes id={baseline.Id}: senders that cached the old policy keep it until its max_age runs out.",
            FindingList.Evidence(("id", baseline.Id), ("policy-sha256", served.Sha256), ("previous-policy-sha256", baseline.PolicySha256)), atIdStep ? Severity.Warning : Severity.Error);
        if (atIdStep)
        {
            return status with { Findings = [finding, .. status.Findings] };
        }

        return status with
        {
            Findings = [finding, .. status.Findings],
            GateGreen = false,
            Next = "Publish a new policy id now (the policy changed without one): " + status.Next,
        };
    }
}
